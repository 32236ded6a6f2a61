"""Blind transfer of a connected call against a fake Asterisk and a real database: the
customer leaves the agent's bridge for the new queue's music and holding bridge before the
agent's leg goes, the ACD offers the call again, and the records count the call once with
each agent's part."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ehd.ari.events import Event
from ehd.calls.routing import Action, Route
from ehd.calls.transfer_plan import BlindTransfer, SendOn, TransferKind, TransferTarget
from ehd.db.models import CallHandling, CallRecord, Did, IvrMenu, Queue, QueuedCall, RouteType, User
from ehd.errors import ConflictError, NotFoundError
from ehd.queueing.callers import HandedOn, SentOn
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


async def _alice_talking(service: QueueService, notices: list[Event] | None = None) -> str:
    """caller-1 talks to alice; what the caller's call task is told goes to ``notices``."""
    told = notices if notices is not None else []
    await CallRecord.create(call_id="caller-1", caller_number="+46701234567", started_at=STARTED)
    await service.agent_logged_in("alice", {"q": 0}, "PJSIP/1001", remote=False)
    await service.enqueue("caller-1", "q", priority=0, caller_id="+46701234567", language="en",
                          moh_class="jazz", notify=told.append)  # fmt: skip
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


async def test_each_agents_part_is_recorded_to_its_own_file(database: None, tmp_path: Path) -> None:
    """A recorded call transferred to bob: bob's part goes to a second file, never over
    alice's, and each part's row names its file (the call page plays both)."""
    from ehd.calls.records import recordings_of

    async with fake_ari(tmp_path) as (service, asterisk):
        await _alice_talking(service)
        first = await service.start_recording("caller-1")
        assert await service.start_recording("caller-1") == first  # once per part
        await service.agent_logged_in("bob", {"q2": 0}, "PJSIP/1002", remote=False)
        await service.transfers.blind("caller-1", TransferTarget(TransferKind.QUEUE, "q2"))
        bob_leg = await _answer(service, "bob")
        second = await service.start_recording("caller-1")
        await service.on_event(event("StasisEnd", channel={"id": bob_leg}))
        started = [q["name"] for q in asterisk.queries if "name" in q and "format" in q]
    assert first.endswith("/caller-1.wav") and second.endswith("/caller-1-2.wav"), (first, second)
    assert len(started) == 2 and started[0] != started[1], started
    parts = await CallHandling.filter(call_id="caller-1").order_by("id")
    assert [p.recording for p in parts] == [first, second]
    assert (await CallRecord.get(call_id="caller-1")).recording == first
    assert await recordings_of("caller-1") == [first, second]


async def test_an_agent_transfer_rings_only_that_agent(database: None, tmp_path: Path) -> None:
    async with fake_ari(tmp_path) as (service, asterisk):
        await _alice_talking(service)
        await service.agent_logged_in("bob", {"q": 0}, "PJSIP/1002", remote=False)
        await service.agent_logged_in("carol", {"q": 0}, "PJSIP/1003", remote=False)
        plan = await service.transfers.blind(
            "caller-1", TransferTarget(TransferKind.AGENT, "carol")
        )
        assert plan == BlindTransfer("q", "carol", True)
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


async def test_sending_the_caller_to_an_outside_number_frees_alice_and_tells_the_call_task(
    database: None, tmp_path: Path
) -> None:
    """The customer leaves alice's bridge for music before her leg goes; the engine forgets
    the call (app_queue's BLINDTRANSFER row names the number); the caller's own call task is
    told to ring the number through the trunk."""
    await User.create(username="alice", password_hash="x", sip_extension="1001")
    now = [1000.0]
    notices: list[Event] = []
    async with fake_ari(tmp_path, clock=lambda: now[0]) as (service, asterisk):
        alice_leg = await _alice_talking(service, notices)
        now[0] = 1025.0
        del asterisk.seen[:]
        plan = await service.transfers.blind(
            "caller-1", TransferTarget(TransferKind.NUMBER, "08-123 456 78")
        )
        assert isinstance(plan, SendOn) and plan.label == "number:+46812345678"
        assert asterisk.seen[:4] == [
            "POST bridges/ehd-call-caller-1/removeChannel",
            "POST channels/caller-1/moh",  # music until the call task takes over
            f"DELETE channels/{alice_leg}",
            "DELETE bridges/ehd-call-caller-1",
        ]
        assert asterisk.requests("LOG") == ["LOG BLINDTRANSFER"]
        [sent] = [n for n in notices if isinstance(n, SentOn)]
        assert sent.route == Route(Action.RING_OUTSIDE, target="+46812345678")
        assert "caller-1" not in service.engine.items
        assert service.engine.agents["alice"].state.value == "ready"
        assert not await service.on_event(event("StasisEnd", channel={"id": alice_leg}))
        await service.caller_gone("caller-1")  # the call task leaves the queue behind it
    [part] = await CallHandling.filter(call_id="caller-1")
    assert (part.agent, part.talk_seconds, part.transferred_to) == (
        "alice",
        25.0,
        "number:+46812345678",
    )
    assert not await QueuedCall.exists(call_id="caller-1")
    assert (await CallRecord.get(call_id="caller-1")).result != "abandoned"


async def test_our_numbers_mailboxes_and_extensions_are_sent_on_by_their_route(
    database: None, tmp_path: Path
) -> None:
    """A number of ours runs its route (a queue's number stays a queue transfer); a staff
    service is refused; a colleague who is not logged in gets the call on their phone."""
    await User.create(username="alice", password_hash="x", sip_extension="1001")
    await User.create(username="carol", password_hash="x", sip_extension="1003")
    menu = await IvrMenu.create(name="main", prompt="menu-main")
    await Did.create(number="4800", route_type=RouteType.IVR, menu=menu)
    await Did.create(number="4801", route_type=RouteType.VOICEMAIL_ACCESS)
    async with fake_ari(tmp_path) as (service, _asterisk):
        await _alice_talking(service)
        plans = service.transfers.plan
        to_menu = await plans("caller-1", TransferTarget(TransferKind.NUMBER, "4800"))
        assert isinstance(to_menu, SendOn) and to_menu.route.action == Action.MENU
        to_queue = await plans("caller-1", TransferTarget(TransferKind.NUMBER, "4701"))
        assert not isinstance(to_queue, SendOn) and to_queue.queue == "q2"
        with pytest.raises(ConflictError, match="cannot be sent"):
            await plans("caller-1", TransferTarget(TransferKind.NUMBER, "4801"))
        to_carol = await plans("caller-1", TransferTarget(TransferKind.NUMBER, "1003"))
        assert isinstance(to_carol, SendOn)
        assert to_carol.route == Route(Action.RING_SIP, target="1003", voicemail="carol")
        to_mailbox = await plans("caller-1", TransferTarget(TransferKind.MAILBOX, "carol"))
        assert isinstance(to_mailbox, SendOn) and to_mailbox.label == "mailbox:carol"
        with pytest.raises(ConflictError, match="no such mailbox"):
            await plans("caller-1", TransferTarget(TransferKind.MAILBOX, "zed"))


def _drain(console: object) -> list[dict[str, object]]:
    import asyncio

    assert isinstance(console, asyncio.Queue)
    found = []
    while not console.empty():
        found.append(console.get_nowait())
    return found


# --- consultation and attended transfer -----------------------------------------------------
async def _consulting_bob(service: QueueService) -> tuple[str, str]:
    """alice talks to caller-1 and consults bob, who answers; her leg and his."""
    return await _alice_talking(service), await _bob_consulted(service)


async def _bob_consulted(service: QueueService) -> str:
    """alice consults bob, who answers; his leg."""
    await service.agent_logged_in("bob", {"q2": 0}, "PJSIP/1002", remote=False)
    call = await service.controls.consult("caller-1", "bob")
    assert call.consult is not None
    bob_leg = call.consult.channel
    await service.on_event(event("StasisStart", args=["consult-leg", "caller-1"],
                                 channel={"id": bob_leg}))  # fmt: skip
    return bob_leg


async def test_a_consultation_then_a_completed_transfer(database: None, tmp_path: Path) -> None:
    now = [1000.0]
    async with fake_ari(tmp_path, clock=lambda: now[0]) as (service, asterisk):
        alice_console = service.consoles.subscribe("alice")
        bob_console = service.consoles.subscribe("bob")
        alice_leg = await _alice_talking(service)
        now[0] = 1010.0
        bob_leg = await _bob_consulted(service)
        start = asterisk.seen.index("POST bridges/ehd-call-caller-1/removeChannel")
        assert asterisk.seen[start : start + 3] == [
            "POST bridges/ehd-call-caller-1/removeChannel",  # the customer holds first
            "POST channels/caller-1/moh",
            f"POST channels/{bob_leg}",  # then bob's phone rings
        ]
        assert asterisk.seen[-1] == "POST bridges/ehd-call-caller-1/addChannel"  # bob answered
        assert service.engine.agents["bob"].state.value == "busy", "bob could get a queue call"
        assert not service.agent_on_call("bob", "caller-1"), "bob may act on the call too early"

        await service.controls.toggle("caller-1")  # back to the customer, bob holds
        await service.controls.toggle("caller-1")  # and to bob again
        now[0] = 1030.0
        del asterisk.seen[:]
        await service.controls.complete("caller-1")
        assert asterisk.seen[:4] == [
            "DELETE channels/caller-1/moh",
            "POST bridges/ehd-call-caller-1/addChannel",
            "POST bridges/ehd-call-caller-1/removeChannel",  # alice leaves last
            f"DELETE channels/{alice_leg}",
        ]
        assert asterisk.requests("LOG") == ["LOG ATTENDEDTRANSFER"]
        assert service.agent_on_call("bob", "caller-1")
        assert service.engine.agents["alice"].state.value == "ready"
        assert not await service.on_event(event("StasisEnd", channel={"id": alice_leg}))
        assert service.agent_on_call("bob", "caller-1"), "alice's hang-up ended bob's call"
        now[0] = 1090.0
        await service.on_event(event("StasisEnd", channel={"id": bob_leg}))
        assert asterisk.requests("LOG")[-1] == "LOG COMPLETEAGENT"
        alice_states = [m["state"] for m in _drain(alice_console) if m["type"] == "call"]
        bob_states = [m["state"] for m in _drain(bob_console) if m["type"] == "call"]
    assert alice_states[-1] == "ended" and bob_states == ["talking", "ended"]
    parts = await CallHandling.filter(call_id="caller-1").order_by("id")
    assert [(p.agent, p.talk_seconds, p.hold_seconds, p.transferred_to) for p in parts] == [
        ("alice", 10.0, 20.0, "agent:bob"),
        ("bob", 60.0, 0.0, ""),
    ]
    assert (await CallRecord.get(call_id="caller-1")).agent == "bob"


async def test_a_cancelled_or_abandoned_consultation_frees_the_colleague(
    database: None, tmp_path: Path
) -> None:
    async with fake_ari(tmp_path) as (service, asterisk):
        alice_leg, bob_leg = await _consulting_bob(service)
        call = await service.controls.cancel_consult("caller-1")
        assert call.consult is None and call.state.value == "talking"
        assert f"DELETE channels/{bob_leg}" in asterisk.seen
        assert service.engine.agents["bob"].state.value == "ready"
        with pytest.raises(ConflictError, match="no consultation"):
            await service.controls.cancel_consult("caller-1")

        # bob hangs up himself: alice is back with the customer
        call = await service.controls.consult("caller-1", "bob")
        assert call.consult is not None
        await service.on_event(event("ChannelDestroyed", channel={"id": call.consult.channel}))
        assert service.controls.get("caller-1").consult is None
        assert service.controls.get("caller-1").state.value == "talking"
        assert service.engine.agents["bob"].state.value == "ready"

        # the customer hangs up mid-consultation: bob's leg goes and he is free again
        call = await service.controls.consult("caller-1", "bob")
        assert call.consult is not None
        await service.caller_gone("caller-1")
        assert f"DELETE channels/{call.consult.channel}" in asterisk.seen
        assert service.engine.agents["bob"].state.value == "ready"
        assert f"DELETE channels/{alice_leg}" in asterisk.seen


async def test_consulting_someone_busy_or_away_is_refused(database: None, tmp_path: Path) -> None:
    async with fake_ari(tmp_path) as (service, asterisk):
        await _alice_talking(service)
        with pytest.raises(ConflictError, match="not logged in"):
            await service.controls.consult("caller-1", "dave")
        await service.agent_logged_in("bob", {"q2": 0}, "PJSIP/1002", remote=False)
        await service.agent_paused("bob", "lunch")
        with pytest.raises(ConflictError, match="not ready"):
            await service.controls.consult("caller-1", "bob")
        with pytest.raises(ConflictError, match="yourself"):
            await service.controls.consult("caller-1", "alice")
        assert service.controls.get("caller-1").state.value == "talking"


# --- transfers asked by the agent's phone (SIP REFER) ---------------------------------------
def _refer(channel: str, destination: str) -> object:
    return event(
        "ChannelTransfer",
        referred_by={"source_channel": {"id": channel}},
        refer_to={"requested_destination": {"destination": destination}},
    )


async def test_a_refer_to_an_extension_transfers_and_an_unknown_one_is_declined(
    database: None, tmp_path: Path
) -> None:
    await User.create(username="alice", password_hash="x", sip_extension="1001")
    await User.create(username="bob", password_hash="x", sip_extension="1002")
    async with fake_ari(tmp_path) as (service, asterisk):
        alice_leg = await _alice_talking(service)
        for odd in ("49", "1002?Replaces=" + "x" * 80, "１００２", "sip:bob"):  # not a number
            refer = _refer(alice_leg, odd)
            assert isinstance(refer, Event)
            assert await service.on_event(refer)
            assert asterisk.queries[-1] == {"states": "channel_declined"}, odd
        assert service.agent_on_call("alice", "caller-1"), "a declined REFER moved the call"
        await service.agent_logged_in("bob", {"q": 0}, "PJSIP/1002", remote=False)
        refer = _refer(alice_leg, "1002")
        assert isinstance(refer, Event)
        assert await service.on_event(refer)
        assert {"states": "channel_answered"} in asterisk.queries
        assert [leg.agent_id for leg in service.legs] == ["bob"]
        assert asterisk.requests("LOG")[-2:] == ["LOG BLINDTRANSFER", "LOG ENTERQUEUE"]


async def test_an_attended_refer_puts_the_caller_through_to_the_phones_other_call(
    database: None, tmp_path: Path
) -> None:
    """The REFER replaces the phone's other call: the caller's call task gets its party, the
    agent's legs and that call end, ATTENDEDTRANSFER is written. A call ehd did not place
    for the phone (nothing to lend) is declined and changes nothing."""
    lent: list[tuple[str, str]] = []

    async def lend(replaced: str, party: str) -> tuple[str, str] | None:
        lent.append((replaced, party))
        return ("1002", party) if replaced == "alice-2" else None

    notices: list[Event] = []
    async with fake_ari(tmp_path) as (service, asterisk):
        service.phone_transfers.lend_consulted = lend
        alice_leg = await _alice_talking(service, notices)

        def attended(replaced: str) -> Event:
            refer = event("ChannelTransfer", referred_by={"source_channel": {"id": alice_leg}},
                          refer_to={"requested_destination": {"destination": "1002",
                                                              "protocol_id": "x"},
                                    "destination_channel": {"id": replaced},
                                    "connected_channel": {"id": "bob-leg"}})  # fmt: skip
            assert isinstance(refer, Event)
            return refer

        assert await service.on_event(attended("somebody-else"))
        assert asterisk.queries[-1] == {"states": "channel_declined"}
        assert service.agent_on_call("alice", "caller-1")
        del asterisk.seen[:]
        assert await service.on_event(attended("alice-2"))
        assert asterisk.seen[:5] == [
            f"POST channels/{alice_leg}/transfer_progress",
            "POST bridges/ehd-call-caller-1/removeChannel",
            "POST channels/caller-1/moh",
            f"DELETE channels/{alice_leg}",
            "DELETE bridges/ehd-call-caller-1",
        ]
        assert "DELETE channels/alice-2" in asterisk.seen
        assert lent == [("somebody-else", "bob-leg"), ("alice-2", "bob-leg")]
        assert asterisk.requests("LOG") == ["LOG ATTENDEDTRANSFER"]
        [handed] = [n for n in notices if isinstance(n, HandedOn)]
        assert handed.channel == "bob-leg"
        assert "caller-1" not in service.engine.items
    [part] = await CallHandling.filter(call_id="caller-1")
    assert part.transferred_to == "extension:1002"
