"""Blind transfer of a connected call against a fake Asterisk and a real database: the
customer leaves the agent's bridge for the new queue's music and holding bridge before the
agent's leg goes, the ACD offers the call again, and the records count the call once with
each agent's part."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ehd.calls.call_control import TransferKind, TransferTarget
from ehd.db.models import CallHandling, CallRecord, Queue, QueuedCall
from ehd.errors import ConflictError, NotFoundError
from ehd.queueing.service import QueueService
from tests.harness.fake_ari import event, fake_ari

STARTED = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    from ehd.db.lifecycle import close_database, open_database

    await open_database(database_url)
    await Queue.create(name="q", number="4700", moh_class="jazz")
    await Queue.create(name="q2", number="4701", moh_class="rock")
    yield
    await close_database()


async def _answer(service: QueueService, agent: str) -> str:
    [leg] = [offered.channel_id for offered in service.legs if offered.agent_id == agent]
    await service.on_event(event("StasisStart", args=["queue-leg", "caller-1"],
                                 channel={"id": leg}))  # fmt: skip
    return leg


async def _alice_talking(service: QueueService) -> str:
    await CallRecord.create(call_id="caller-1", caller_number="+46701234567", started_at=STARTED)
    await service.agent_logged_in("alice", {"q": 0}, "PJSIP/1001", remote=False)
    await service.enqueue("caller-1", "q", priority=0, caller_id="+46701234567", language="en",
                          moh_class="jazz", notify=lambda _event: None)  # fmt: skip
    return await _answer(service, "alice")


async def test_a_queue_transfer_moves_the_customer_before_the_agent_leaves(
    database: None, tmp_path: Path
) -> None:
    now = [1000.0]
    async with fake_ari(tmp_path, clock=lambda: now[0]) as (service, asterisk):
        console = service.consoles.subscribe("alice")
        alice_leg = await _alice_talking(service)
        now[0] = 1030.0
        await service.agent_logged_in("bob", {"q2": 0}, "PJSIP/1002", remote=False)
        del asterisk.seen[:]
        await service.transfers.blind("caller-1", TransferTarget(TransferKind.QUEUE, "q2"))
        hold = f"bridges/ehd-queue-{(await Queue.get(name='q2')).id}"
        assert asterisk.seen[:7] == [
            "POST bridges/ehd-call-caller-1/removeChannel",  # alice no longer hears them
            "POST channels/caller-1/moh",  # q2's music
            "GET bridges",
            f"POST {hold}",
            f"POST {hold}/addChannel",
            f"DELETE channels/{alice_leg}",  # only now: the customer is never alone in silence
            "DELETE bridges/ehd-call-caller-1",
        ]
        assert {"mohClass": "rock"} in asterisk.queries
        assert asterisk.requests("LOG") == ["LOG BLINDTRANSFER", "LOG ENTERQUEUE"]
        assert {"endpoint": "PJSIP/1002"}.items() <= asterisk.queries[-1].items(), "bob not rung"
        assert [m["state"] for m in _drain(console) if m["type"] == "call"][-1] == "ended"
        assert service.engine.agents["alice"].state.value == "ready"

        # alice's leg ending is not the end of the call
        assert not await service.on_event(event("StasisEnd", channel={"id": alice_leg}))
        assert "caller-1" in service.engine.items
        assert (await QueuedCall.get(call_id="caller-1")).queue_name == "q2"

        now[0] = 1040.0
        bob_leg = await _answer(service, "bob")
        assert service.agent_on_call("bob", "caller-1")
        now[0] = 1100.0
        await service.on_event(event("StasisEnd", channel={"id": bob_leg}))
    parts = await CallHandling.filter(call_id="caller-1").order_by("id")
    assert [(p.agent, p.queue_name, p.talk_seconds, p.ended_by.value, p.transferred_to)
            for p in parts] == [("alice", "q", 30.0, "transfer", "queue:q2"),
                                ("bob", "q2", 60.0, "hangup", "")]  # fmt: skip
    record = await CallRecord.get(call_id="caller-1")
    assert (record.agent, record.talk_seconds, record.queue_seconds) == ("bob", 90.0, 0.0)


async def test_an_agent_transfer_rings_only_that_agent(database: None, tmp_path: Path) -> None:
    async with fake_ari(tmp_path) as (service, asterisk):
        await _alice_talking(service)
        await service.agent_logged_in("bob", {"q": 0}, "PJSIP/1002", remote=False)
        await service.agent_logged_in("carol", {"q": 0}, "PJSIP/1003", remote=False)
        plan = await service.transfers.blind(
            "caller-1", TransferTarget(TransferKind.AGENT, "carol")
        )
        assert (plan.queue, plan.agent_id) == ("q", "carol")
        assert [leg.agent_id for leg in service.legs] == ["carol"]
        assert "BLINDTRANSFER" in asterisk.requests("LOG")[-2:][0]


async def test_transfers_that_cannot_work_are_refused_and_change_nothing(
    database: None, tmp_path: Path
) -> None:
    async with fake_ari(tmp_path) as (service, asterisk):
        with pytest.raises(NotFoundError):
            await service.transfers.blind("caller-1", TransferTarget(TransferKind.QUEUE, "q2"))
        await _alice_talking(service)
        before = list(asterisk.seen)
        for target, reason in (
            (TransferTarget(TransferKind.QUEUE, "nowhere"), "no such queue"),
            (TransferTarget(TransferKind.AGENT, "alice"), "yours already"),
            (TransferTarget(TransferKind.AGENT, "dave"), "not logged in"),
        ):
            with pytest.raises(ConflictError, match=reason):
                await service.transfers.blind("caller-1", target)
        assert asterisk.seen == before, "a refused transfer still reached Asterisk"
        assert service.agent_on_call("alice", "caller-1")


def _drain(console: object) -> list[dict[str, object]]:
    import asyncio

    assert isinstance(console, asyncio.Queue)
    found = []
    while not console.empty():
        found.append(console.get_nowait())
    return found
