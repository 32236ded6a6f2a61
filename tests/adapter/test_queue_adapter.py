"""The queue service against a fake Asterisk (``tests/harness/fake_ari.py``) and a real
database: what it asks Asterisk, what it logs and stores, when Asterisk refuses a call, when
the agent hangs up, and after a restart with a call still talking."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import CallRecord, Queue, QueuedCall
from ehd.queueing.service import QueueService
from tests.harness.fake_ari import event, fake_ari

STARTED = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    await open_database(database_url)
    await Queue.create(name="q", number="4700")
    yield
    await close_database()


async def _caller(service: QueueService, channel_id: str = "caller-1") -> None:
    await CallRecord.create(call_id=channel_id, caller_number="+46701234567", started_at=STARTED)
    await service.enqueue(channel_id, "q", priority=0, caller_id="+46701234567", language="en",
                          moh_class="default", notify=lambda _event: None)  # fmt: skip


async def test_a_phone_asterisk_cannot_dial_passes_the_call_to_the_next_agent(
    database: None, tmp_path: Path
) -> None:
    async with fake_ari(tmp_path) as (service, asterisk):
        asterisk.refuse("endpoint=PJSIP/1001")
        await service.agent_logged_in("alice", {"q": 0}, "PJSIP/1001", remote=False)
        await service.agent_logged_in("bob", {"q": 0}, "PJSIP/1002", remote=False)
        await _caller(service)
        dialled = [q.get("endpoint") for q in asterisk.queries if "endpoint" in q]
        assert dialled == ["PJSIP/1001", "PJSIP/1002"], dialled
        [leg] = list(service.legs)
        assert (leg.agent_id, leg.item_id) == ("bob", "caller-1")


async def test_when_the_agent_hangs_up_the_caller_goes_too_and_the_talk_time_is_kept(
    database: None, tmp_path: Path
) -> None:
    now = [1000.0]
    async with fake_ari(tmp_path, clock=lambda: now[0]) as (service, asterisk):
        await service.agent_logged_in("alice", {"q": 0}, "PJSIP/1001", remote=False)
        await _caller(service)
        [leg] = [offered.channel_id for offered in service.legs]
        await service.on_event(event("StasisStart", args=["queue-leg", "caller-1"],
                                     channel={"id": leg}))  # fmt: skip
        stored = await QueuedCall.get(call_id="caller-1")
        assert (stored.agent, stored.agent_channel, stored.connected_at) == ("alice", leg, 1000.0)
        now[0] = 1042.0
        await service.on_event(event("StasisEnd", channel={"id": leg}))
    seen = asterisk.seen
    assert "DELETE channels/caller-1" in seen, "the caller was left on the line"
    assert "DELETE bridges/ehd-call-caller-1" in seen
    assert seen.index("LOG CONNECT") < seen.index("LOG COMPLETEAGENT")
    record = await CallRecord.get(call_id="caller-1")
    assert (record.agent, record.result, record.talk_seconds) == ("alice", "answered", 42.0)
    assert not await QueuedCall.exists()


async def test_a_call_talking_through_a_restart_goes_on_and_ends_once(
    database: None, tmp_path: Path
) -> None:
    """The stored call is adopted: no new bridge, no second CONNECT, the agent stays busy; when
    the agent hangs up it ends with one COMPLETEAGENT and its whole talk time."""
    await QueuedCall.create(call_id="caller-1", queue_name="q", entered_at=900.0, agent="alice",
                            agent_channel="leg-1", connected_at=950.0)  # fmt: skip
    await QueuedCall.create(call_id="gone", queue_name="q", entered_at=960.0)
    await CallRecord.create(call_id="caller-1", caller_number="+46701234567", started_at=STARTED)
    now = [1000.0]
    async with fake_ari(tmp_path, clock=lambda: now[0]) as (service, asterisk):
        await service.agent_logged_in("alice", {"q": 0}, "PJSIP/1001", remote=False)
        await service.restore({"caller-1", "leg-1"}, lambda _channel: lambda _event: None)
        assert not asterisk.requests("POST bridges"), "a talking call was bridged again"
        assert service.agent_figures()["alice"]["state"] == "busy"
        assert asterisk.seen.count("LOG ABANDON") == 1  # the call that died meanwhile
        now[0] = 1010.0
        await service.on_event(event("StasisEnd", channel={"id": "leg-1"}))
        assert not service.agent_on_call("alice", "caller-1")
    assert "LOG CONNECT" not in asterisk.seen
    assert asterisk.seen.count("LOG COMPLETEAGENT") == 1
    assert (await CallRecord.get(call_id="caller-1")).talk_seconds == 60.0
