"""Hold and resume of a connected call against a fake Asterisk (``tests/harness/fake_ari.py``)
and a real database: the order of what Asterisk is asked, the agent's console, and hold time
kept apart from talk time in the call record."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import CallRecord, Queue, QueuedCall
from ehd.errors import ConflictError, NotFoundError
from ehd.queueing.service import QueueService
from tests.harness.fake_ari import event, fake_ari

STARTED = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    await open_database(database_url)
    await Queue.create(name="q", number="4700", moh_class="jazz")
    yield
    await close_database()


async def _talking(service: QueueService) -> str:
    """caller-1 waits in q and alice answers; her leg."""
    await CallRecord.create(call_id="caller-1", caller_number="+46701234567", started_at=STARTED)
    await service.agent_logged_in("alice", {"q": 0}, "PJSIP/1001", remote=False)
    await service.enqueue("caller-1", "q", priority=0, caller_id="+46701234567", language="en",
                          moh_class="jazz", notify=lambda _event: None)  # fmt: skip
    [leg] = [offered.channel_id for offered in service.legs]
    await service.on_event(event("StasisStart", args=["queue-leg", "caller-1"],
                                 channel={"id": leg}))  # fmt: skip
    return leg


async def test_hold_and_resume_in_the_order_that_keeps_each_side_hearing_right(
    database: None, tmp_path: Path
) -> None:
    now = [1000.0]
    async with fake_ari(tmp_path, clock=lambda: now[0]) as (service, asterisk):
        console = service.consoles.subscribe("alice")
        leg = await _talking(service)
        del asterisk.seen[:]
        now[0] = 1010.0
        held = await service.controls.hold("caller-1")
        assert held.state.value == "held"
        assert asterisk.seen == [
            "POST bridges/ehd-call-caller-1/removeChannel",  # alice stops hearing the caller
            "POST channels/caller-1/moh",  # then the caller hears the queue's music
        ]
        assert asterisk.queries[-1] == {"mohClass": "jazz"}
        del asterisk.seen[:]
        now[0] = 1025.0
        await service.controls.resume("caller-1")
        assert asterisk.seen == [
            "DELETE channels/caller-1/moh",  # music would drown the bridge for the caller
            "POST bridges/ehd-call-caller-1/addChannel",
        ]
        now[0] = 1060.0
        await service.on_event(event("StasisEnd", channel={"id": leg}))
        states = [m["state"] for m in _drain(console) if m["type"] == "call"]
    assert states == ["talking", "held", "talking", "ended"]
    record = await CallRecord.get(call_id="caller-1")
    assert (record.talk_seconds, record.hold_seconds) == (45.0, 15.0)


async def test_requests_the_call_state_does_not_allow_are_refused(
    database: None, tmp_path: Path
) -> None:
    async with fake_ari(tmp_path) as (service, asterisk):
        with pytest.raises(NotFoundError):
            await service.controls.hold("caller-1")  # not connected yet
        leg = await _talking(service)
        with pytest.raises(ConflictError, match="not on hold"):
            await service.controls.resume("caller-1")
        await service.controls.hold("caller-1")
        before = list(asterisk.seen)
        with pytest.raises(ConflictError, match="on hold already"):
            await service.controls.hold("caller-1")
        assert asterisk.seen == before, "a refused hold still reached Asterisk"
        await service.on_event(event("StasisEnd", channel={"id": leg}))
        with pytest.raises(NotFoundError):
            await service.controls.resume("caller-1")  # the call is over
    record = await CallRecord.get(call_id="caller-1")
    assert record.hold_seconds is not None and record.talk_seconds is not None


async def test_a_caller_who_hangs_up_on_hold_ends_the_call_with_the_hold_counted(
    database: None, tmp_path: Path
) -> None:
    now = [1000.0]
    async with fake_ari(tmp_path, clock=lambda: now[0]) as (service, asterisk):
        leg = await _talking(service)
        now[0] = 1020.0
        await service.controls.hold("caller-1")
        now[0] = 1050.0
        await service.caller_gone("caller-1")
        assert f"DELETE channels/{leg}" in asterisk.seen, "alice was left on the line"
        assert not service.agent_on_call("alice", "caller-1")
    record = await CallRecord.get(call_id="caller-1")
    assert (record.talk_seconds, record.hold_seconds) == (20.0, 30.0)


async def test_a_call_on_hold_through_a_restart_stays_on_hold_and_resumes(
    database: None, tmp_path: Path
) -> None:
    """ehd restarts while alice holds the caller: the restarted ehd knows the call is on hold
    (the console says so, resume brings the caller back into the bridge) and counts the
    hold from when it began."""
    now = [1000.0]
    async with fake_ari(tmp_path, clock=lambda: now[0]) as (service, _asterisk):
        leg = await _talking(service)
        now[0] = 1010.0
        await service.controls.hold("caller-1")
    stored = await QueuedCall.get(call_id="caller-1")
    assert (stored.held_since, stored.held_before) == (1010.0, 0.0)
    now[0] = 1030.0
    async with fake_ari(tmp_path, clock=lambda: now[0]) as (service, asterisk):
        await service.agent_logged_in("alice", {"q": 0}, "PJSIP/1001", remote=False)
        await service.restore({"caller-1", leg}, lambda _channel: lambda _event: None)
        assert service.controls.get("caller-1").state.value == "held"
        del asterisk.seen[:]
        now[0] = 1040.0
        await service.controls.resume("caller-1")
        assert asterisk.seen == [
            "DELETE channels/caller-1/moh",
            "POST bridges/ehd-call-caller-1/addChannel",
        ]
        assert (await QueuedCall.get(call_id="caller-1")).held_since is None
        now[0] = 1050.0
        await service.on_event(event("StasisEnd", channel={"id": leg}))
    record = await CallRecord.get(call_id="caller-1")
    assert (record.talk_seconds, record.hold_seconds) == (20.0, 30.0)


def _drain(console: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    while not console.empty():
        found.append(console.get_nowait())
    return found
