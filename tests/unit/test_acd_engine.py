"""The ACD engine, event by event."""

from __future__ import annotations

import pytest

from ehd.acd import actions as act
from ehd.acd import events as ev
from ehd.acd.agent_states import AgentState
from ehd.acd.model import (
    OverflowKind,
    OverflowTarget,
    PenaltyRule,
    Presence,
    QueueConfig,
    Strategy,
)
from tests.unit.acd_driver import Driver


def test_a_call_is_offered_connected_and_completed_with_queue_log_lines() -> None:
    d = Driver(QueueConfig("q"))
    d.login("alice")
    d.arrive("c1")
    assert d.offers() == [act.Offer("c1", "alice", "q", 15.0)]
    d.advance(4)
    d.answer("c1", "alice")
    d.advance(60)
    d.complete("c1", by_agent=False)
    lines = [log.line() for log in d.logs("ENTERQUEUE", "CONNECT", "COMPLETECALLER")]
    assert lines == [
        "0|c1|q|NONE|ENTERQUEUE||+4670|1",
        "4|c1|q|alice|CONNECT|4|chan-alice|4",
        "64|c1|q|alice|COMPLETECALLER|4|60|1",
    ]
    assert d.engine.agents["alice"].state == AgentState.READY


def test_priority_first_then_first_come_first_served() -> None:
    d = Driver(QueueConfig("q"))
    for item, priority in (("low1", 0), ("low2", 0), ("high", 5), ("low3", 0)):
        d.arrive(item, priority=priority)
        d.advance(1)
    assert d.engine.waiting_items("q") == ["high", "low1", "low2", "low3"]
    assert d.engine.position("low2") == 3
    d.login("alice")
    assert [o.item_id for o in d.offers()] == ["high"]


def test_no_answer_moves_to_the_next_agent_and_pauses_after_repeated_misses() -> None:
    d = Driver(QueueConfig("q", ring_timeout=10, misses_before_pause=2))
    d.login("alice")
    d.advance(1)
    d.login("bob")
    d.arrive("c1")
    assert d.offers()[-1].agent_id == "alice"  # idle longest
    d.advance(10)
    assert d.logs("RINGNOANSWER")[-1].agent == "alice"
    assert any(isinstance(a, act.CancelOffer) and a.agent_id == "alice" for a in d.actions)
    assert d.offers()[-1].agent_id == "bob"
    d.advance(10)  # bob misses too; alice rested 5 s and is tried again
    assert d.offers()[-1].agent_id == "alice"
    d.advance(10)
    assert d.engine.agents["alice"].state == AgentState.PAUSED
    assert d.logs("PAUSE")[-1].data == ("no answer",)


def test_abandon_logs_position_and_cancels_the_ringing_agent() -> None:
    d = Driver(QueueConfig("q"))
    d.arrive("c1")
    d.arrive("c2")
    d.login("alice")  # c1 rings at alice
    d.advance(7)
    d.send(ev.ItemLeft(d.now, "c2"))
    assert d.logs("ABANDON")[-1].data == ("2", "2", "7")
    d.send(ev.ItemLeft(d.now, "c1"))
    assert d.logs("RINGCANCELED")[-1].agent == "alice"
    assert act.CancelOffer("c1", "alice") in d.actions
    assert d.engine.agents["alice"].state == AgentState.READY


def test_overflow_after_timeout_keeps_the_waiting_time() -> None:
    first = QueueConfig(
        "first", overflow_after=30, overflow=OverflowTarget(OverflowKind.QUEUE, "second")
    )
    d = Driver(first, QueueConfig("second"))
    d.arrive("old", "first")
    d.advance(20)
    d.arrive("new", "second")
    d.advance(10)
    assert act.Moved("old", "first", "second") in d.actions
    assert d.logs("EXITWITHTIMEOUT")[-1].data == ("1", "1", "30")
    assert d.engine.waiting_items("second") == ["old", "new"]  # waited longer: ahead


def test_overflow_to_voicemail_when_nobody_is_logged_in() -> None:
    mailbox = OverflowTarget(OverflowKind.VOICEMAIL, "support")
    d = Driver(QueueConfig("q", join_when=Presence.LOGGED_IN, overflow=mailbox))
    d.arrive("c1")
    assert act.Exit("c1", "q", "joinempty", mailbox) in d.actions
    assert d.logs("JOINEMPTY")


def test_leave_when_the_last_agent_logs_out() -> None:
    d = Driver(QueueConfig("q", leave_when=Presence.AVAILABLE))
    d.login("alice")
    d.send(ev.AgentPaused(d.now, "alice", "lunch"))
    d.arrive("c1")
    d.send(ev.AgentLoggedOut(d.now, "alice"))
    assert d.logs("EXITEMPTY") and any(isinstance(a, act.Exit) for a in d.actions)


def test_full_queue_refuses_with_a_log_line() -> None:
    d = Driver(QueueConfig("q", max_length=1))
    d.arrive("c1")
    d.arrive("c2")
    assert d.logs("FULL")[0].call_id == "c2"
    assert act.Exit("c2", "q", "full", None) in d.actions


def test_overflow_loop_ends_instead_of_bouncing() -> None:
    a = QueueConfig("a", overflow_after=5, overflow=OverflowTarget(OverflowKind.QUEUE, "b"))
    b = QueueConfig("b", overflow_after=5, overflow=OverflowTarget(OverflowKind.QUEUE, "a"))
    d = Driver(a, b)
    d.arrive("c1", "a")
    d.advance(11)
    assert act.Exit("c1", "b", "timeout", None) in d.actions
    assert "c1" not in d.engine.items


def test_wrap_up_keeps_the_agent_away_for_its_time() -> None:
    d = Driver(QueueConfig("q", wrapup_seconds=30))
    d.login("alice")
    d.arrive("c1")
    d.answer("c1", "alice")
    d.complete("c1")
    d.arrive("c2")
    assert d.engine.agents["alice"].state == AgentState.WRAP_UP
    assert [o.item_id for o in d.offers()] == ["c1"]
    d.advance(30)
    assert [o.item_id for o in d.offers()] == ["c1", "c2"]


def test_penalty_widening_lets_backup_agents_in_after_a_while() -> None:
    rules = (PenaltyRule(after_seconds=20, max_penalty=5),)
    d = Driver(QueueConfig("q", max_penalty=0, penalty_rules=rules))
    d.login("backup", {"q": 5})
    d.arrive("c1")
    assert d.offers() == []
    d.advance(20)
    assert d.offers()[-1].agent_id == "backup"


def test_penalty_widening_is_due_on_its_timer_whatever_the_rounding() -> None:
    """A caller who joins at 6.4 s reaches a 10 s rule at 16.4 s, yet 16.4 - 6.4 is a hair
    under 10 in floating point: the widening must still happen on that timer (it once
    re-armed the timer for the same instant, forever; hypothesis found it)."""
    rules = (PenaltyRule(after_seconds=10, max_penalty=5),)
    d = Driver(QueueConfig("q", max_penalty=0, penalty_rules=rules))
    d.login("backup", {"q": 5})
    d.advance(6.4)
    assert (d.now + 10) - d.now < 10  # the rounding this test is about
    d.arrive("c1")
    d.advance(10)
    assert [o.agent_id for o in d.offers()] == ["backup"]


def test_lower_penalty_agents_are_preferred() -> None:
    d = Driver(QueueConfig("q"))
    d.login("expert", {"q": 0})
    d.login("novice", {"q": 3})
    d.advance(5)
    d.arrive("c1")
    assert d.offers()[-1].agent_id == "expert"


def test_weight_gives_a_shared_agent_to_the_heavier_queue() -> None:
    d = Driver(QueueConfig("light", weight=0), QueueConfig("heavy", weight=10))
    d.arrive("l1", "light")
    d.advance(30)
    d.arrive("h1", "heavy")
    d.login("shared", ("light", "heavy"))
    assert d.offers()[-1].item_id == "h1"


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (Strategy.LINEAR, ["a", "a", "a"]),
        (Strategy.ROUND_ROBIN, ["a", "b", "c"]),
        (Strategy.FEWEST_CALLS, ["a", "b", "c"]),
        (Strategy.LONGEST_IDLE, ["a", "b", "c"]),
    ],
)
def test_strategies_pick_in_their_order(strategy: Strategy, expected: list[str]) -> None:
    d = Driver(QueueConfig("q", strategy=strategy))
    for agent in ("a", "b", "c"):
        d.login(agent)
        d.advance(1)
    for n in range(3):
        d.arrive(f"c{n}")
        offer = d.offers()[-1]
        d.answer(offer.item_id, offer.agent_id)
        d.advance(10)
        d.complete(offer.item_id)
        d.advance(1)
    assert [o.agent_id for o in d.offers()] == expected


def test_ring_all_rings_everyone_and_the_first_answer_wins() -> None:
    d = Driver(QueueConfig("q", strategy=Strategy.RING_ALL))
    d.login("a")
    d.login("b")
    d.arrive("c1")
    assert {o.agent_id for o in d.offers()} == {"a", "b"}
    d.answer("c1", "b")
    assert act.CancelOffer("c1", "a") in d.actions
    assert d.engine.agents["a"].state == AgentState.READY
    d.answer("c1", "a")  # too late
    assert d.actions[-1] == act.CancelOffer("c1", "a")


def test_weighted_random_favours_low_penalties() -> None:
    picks = {"low": 0, "high": 0}
    for seed in range(200):
        d = Driver(QueueConfig("q", strategy=Strategy.WEIGHTED_RANDOM), seed=seed)
        d.login("low", {"q": 0})
        d.login("high", {"q": 9})
        d.arrive("c1")
        picks[d.offers()[0].agent_id] += 1
    assert picks["low"] > 3 * picks["high"] > 0


def test_unreachable_agents_are_never_rung() -> None:
    d = Driver(QueueConfig("q"))
    d.login("alice")
    d.send(ev.AgentReachability(d.now, "alice", reachable=False))
    d.arrive("c1")
    assert d.offers() == []
    d.send(ev.AgentReachability(d.now, "alice", reachable=True))
    assert d.offers()[-1].agent_id == "alice"


def test_exit_key_leaves_with_its_target_and_other_digits_are_ignored() -> None:
    callback = OverflowTarget(OverflowKind.CALLBACK)
    d = Driver(QueueConfig("q", exit_keys={"1": callback}))
    d.arrive("c1")
    d.send(ev.ExitKeyPressed(d.now, "c1", "7"))
    assert d.engine.waiting_items("q") == ["c1"]
    d.send(ev.ExitKeyPressed(d.now, "c1", "1"))
    assert act.Exit("c1", "q", "key", callback) in d.actions
    assert d.logs("EXITWITHKEY")[-1].data == ("1", "1", "1", "0")


def test_pause_during_a_call_applies_after_it() -> None:
    d = Driver(QueueConfig("q"))
    d.login("alice")
    d.arrive("c1")
    d.answer("c1", "alice")
    d.send(ev.AgentPaused(d.now, "alice", "meeting"))
    states = [d.engine.agents["alice"].state]
    d.complete("c1")
    states.append(d.engine.agents["alice"].state)
    assert states == [AgentState.BUSY, AgentState.PAUSED]
    assert d.logs("PAUSE")[-1].data == ("meeting",)


def test_logout_while_ringing_gives_the_call_to_someone_else() -> None:
    d = Driver(QueueConfig("q"))
    d.login("alice")
    d.arrive("c1")
    d.login("bob")
    d.send(ev.AgentLoggedOut(d.now, "alice"))
    assert d.offers()[-1] == act.Offer("c1", "bob", "q", 15.0)
    assert d.logs("AGENTLOGOFF")[-1].agent == "alice"


def test_stale_timers_are_ignored() -> None:
    d = Driver(QueueConfig("q", ring_timeout=10))
    d.login("alice")
    d.arrive("c1")
    d.answer("c1", "alice")
    before = len(d.actions)
    d.advance(20)  # the ring timer fires after the answer
    assert d.actions[before:] == []


def test_announcements_repeat_with_position_and_estimate() -> None:
    d = Driver(
        QueueConfig(
            "q", announce_frequency=30, announce_start_delay=10, expected_handle_seconds=120
        )
    )
    d.arrive("c1")
    d.arrive("c2")
    d.advance(41)
    announces = [a for a in d.actions if isinstance(a, act.Announce) and a.item_id == "c2"]
    assert [a.position for a in announces] == [2, 2]
    assert announces[0].estimated_wait > 0


def test_unknown_queue_exits_at_once() -> None:
    d = Driver(QueueConfig("q"))
    assert d.send(ev.ItemArrived(0, "c1", "nope")) == [act.Exit("c1", "nope", "noqueue", None)]


def test_pausing_during_wrap_up_does_not_shorten_it() -> None:
    d = Driver(QueueConfig("q", wrapup_seconds=30))
    d.login("alice")
    d.arrive("c1")
    d.answer("c1", "alice")
    d.complete("c1")
    d.send(ev.AgentPaused(d.now, "alice", "coffee"))
    d.advance(5)
    d.send(ev.AgentUnpaused(d.now, "alice"))
    d.arrive("c2")
    assert d.engine.agents["alice"].state == AgentState.WRAP_UP
    d.advance(25)
    assert d.offers()[-1].item_id == "c2"


def test_every_state_has_a_way_out_and_illegal_moves_raise() -> None:
    from ehd.acd.agent_states import TRANSITIONS, AgentTrigger, IllegalTransition, next_state

    for state, moves in TRANSITIONS.items():
        assert moves, f"{state} is a dead end"
    with pytest.raises(IllegalTransition, match="cannot answer while ready"):
        next_state(AgentState.READY, AgentTrigger.ANSWER)


def test_each_agent_knows_since_when_it_is_in_its_state() -> None:
    d = Driver(QueueConfig("q"))
    d.advance(5)
    d.login("alice")
    assert d.engine.agents["alice"].state_since == 5
    d.advance(10)
    d.arrive("c1")
    d.advance(2)
    d.answer("c1", "alice")
    assert d.engine.agents["alice"].state == AgentState.BUSY
    busy_since = d.engine.agents["alice"].state_since
    assert busy_since == 17
    d.advance(30)
    d.send(ev.AgentPaused(d.now, "alice", "meeting"))  # applies after the call
    assert d.engine.agents["alice"].state_since == busy_since
    d.complete("c1")
    alice = d.engine.agents["alice"]
    assert (alice.state, alice.state_since) == (AgentState.PAUSED, 47)


# --- blind transfer -----------------------------------------------------------------------
def _connected(d: Driver, item: str, agent: str, queue: str = "q") -> None:
    d.arrive(item, queue)
    d.advance(1)
    d.answer(item, agent)


def test_transfer_to_a_queue_keeps_the_callers_place_and_frees_the_agent() -> None:
    d = Driver(QueueConfig("q"), QueueConfig("q2"))
    d.login("alice", ["q"])
    d.login("bob", ["q2"])
    _connected(d, "c0", "bob", "q2")  # bob is busy, so q2 has a line
    _connected(d, "c1", "alice")
    d.advance(5)
    d.arrive("c2", "q2")  # arrives after c1 first did
    d.advance(14)
    d.transfer("c1", "q2")
    assert d.logs("BLINDTRANSFER")[0].line() == "21|c1|q|alice|BLINDTRANSFER|q2|queue|1|19|1"
    assert d.logs("ENTERQUEUE")[-1].line() == "21|c1|q2|NONE|ENTERQUEUE||+4670|1"
    assert d.engine.waiting_items("q2") == ["c1", "c2"]
    assert d.engine.agents["alice"].state == AgentState.READY
    assert d.engine.items["c1"].agent is None


def test_sending_a_caller_out_of_the_queues_frees_the_agent_and_ends_the_item() -> None:
    d = Driver(QueueConfig("q"))
    d.login("alice")
    _connected(d, "c1", "alice")
    d.advance(20)
    d.send(ev.ItemSentOn(d.now, "c1", "+46812345678", "number"))
    assert (
        d.logs("BLINDTRANSFER")[0]
        .line()
        .endswith("|c1|q|alice|BLINDTRANSFER|+46812345678|number|1|20|1")
    )
    assert "c1" not in d.engine.items
    assert d.engine.agents["alice"].state == AgentState.READY
    d.send(ev.ItemSentOn(d.now, "c1", "+46812345678", "number"))  # twice: nothing more
    assert len(d.logs("BLINDTRANSFER")) == 1


def test_a_phones_attended_transfer_out_of_the_queues_writes_attendedtransfer() -> None:
    d = Driver(QueueConfig("q"))
    d.login("alice")
    _connected(d, "c1", "alice")
    d.advance(9)
    d.send(ev.ItemSentOn(d.now, "c1", "1002", "BRIDGE", attended=True))
    assert (
        d.logs("ATTENDEDTRANSFER")[0]
        .line()
        .endswith("|c1|q|alice|ATTENDEDTRANSFER|BRIDGE|1002|1|9|1")
    )
    assert not d.logs("BLINDTRANSFER") and "c1" not in d.engine.items


def test_transfer_without_keeping_the_place_goes_to_the_back() -> None:
    d = Driver(QueueConfig("q"), QueueConfig("q2"))
    d.login("alice", ["q"])
    d.login("bob", ["q2"])
    _connected(d, "c0", "bob", "q2")
    _connected(d, "c1", "alice")
    d.arrive("c2", "q2")
    d.advance(3)
    d.transfer("c1", "q2", keep_place=False)
    assert d.engine.waiting_items("q2") == ["c2", "c1"]


def test_transfer_to_an_agent_rings_only_them_and_a_miss_opens_the_queue() -> None:
    d = Driver(QueueConfig("q", ring_timeout=10, misses_before_pause=0))
    d.login("alice")
    d.login("bob")  # idle longest once alice is busy: the queue would pick bob
    d.advance(1)
    d.login("carol")
    _connected(d, "c1", "alice")
    d.advance(30)
    before = len(d.offers())
    d.transfer("c1", agent="carol")
    assert [(o.item_id, o.agent_id) for o in d.offers()[before:]] == [("c1", "carol")]
    assert d.logs("BLINDTRANSFER")[0].data[:2] == ("carol", "agent")
    d.advance(10)  # carol does not answer
    assert d.logs("RINGNOANSWER")[-1].agent == "carol"
    assert d.offers()[-1].agent_id in ("alice", "bob")


def test_a_busy_agents_reservation_lapses_to_the_queue() -> None:
    d = Driver(QueueConfig("q"))
    d.login("carol")
    _connected(d, "c0", "carol")
    d.login("alice")
    _connected(d, "c1", "alice")
    d.login("bob")
    before = len(d.offers())
    d.transfer("c1", agent="carol")  # carol is on c0
    assert d.offers()[before:] == []  # alice and bob are free but the call waits for carol
    d.advance(29)
    assert d.offers()[before:] == []
    d.advance(2)
    assert [o.agent_id for o in d.offers()[before:]] in (["alice"], ["bob"])


def test_a_reserved_call_goes_to_its_agent_when_they_come_free() -> None:
    d = Driver(QueueConfig("q"))
    d.login("carol")
    _connected(d, "c0", "carol")
    d.login("alice")
    _connected(d, "c1", "alice")
    d.login("bob")
    d.transfer("c1", agent="carol")
    d.advance(5)
    d.complete("c0")
    assert (d.offers()[-1].item_id, d.offers()[-1].agent_id) == ("c1", "carol")


def test_a_call_sent_in_for_an_agent_waits_for_them_then_for_the_queue() -> None:
    """A call from outside the queues that an agent sends to a colleague arrives kept for
    them; an arrival for someone who does not staff the queue is an ordinary arrival."""
    d = Driver(QueueConfig("q"))
    d.login("carol")
    _connected(d, "c0", "carol")
    d.login("alice")
    d.send(ev.ItemArrived(d.now, "direct", "q", reserved_for="carol", reserve_seconds=20))
    assert [o.item_id for o in d.offers()] == ["c0"]  # alice is free, but it waits for carol
    d.advance(21)
    assert (d.offers()[-1].item_id, d.offers()[-1].agent_id) == ("direct", "alice")
    d.send(ev.ItemArrived(d.now, "other", "q", reserved_for="nobody"))
    assert d.engine.items["other"].reserved_for is None


def test_the_free_member_of_a_queue_is_the_one_the_queue_would_pick() -> None:
    d = Driver(QueueConfig("q"))
    d.login("alice")
    d.advance(1)
    d.login("bob")
    d.advance(1)
    d.login("carol")
    assert d.engine.free_member("q") == "alice"  # idle longest
    assert d.engine.free_member("q", besides="alice") == "bob"
    d.send(ev.AgentPaused(d.now, "bob", "lunch"))
    assert d.engine.free_member("q", besides="alice") == "carol"
    assert d.engine.free_member("elsewhere") is None


def test_only_a_connected_call_can_be_transferred() -> None:
    d = Driver(QueueConfig("q"), QueueConfig("q2"))
    d.arrive("c1")
    assert d.send(ev.ItemTransferred(d.now, "c1", "q2")) == []
    assert d.send(ev.ItemTransferred(d.now, "nobody", "q2")) == []
    d.login("alice")
    d.answer("c1", "alice")
    assert d.send(ev.ItemTransferred(d.now, "c1", "no-such-queue")) == []
    assert d.engine.items["c1"].agent == "alice"


# --- consultation and attended transfer ---------------------------------------------------
def test_an_agent_on_a_consultation_is_offered_nothing_until_it_ends() -> None:
    d = Driver(QueueConfig("q"))
    d.login("bob")
    d.send(ev.AgentOnOtherCall(d.now, "bob"))
    assert d.engine.agents["bob"].state == AgentState.BUSY
    d.arrive("c1")
    assert d.offers() == []
    d.advance(20)
    d.send(ev.AgentOffOtherCall(d.now, "bob"))
    assert d.offers() == [act.Offer("c1", "bob", "q", 15.0)]
    assert d.engine.agents["bob"].state.value == "offered"


def test_only_a_ready_agent_goes_busy_on_another_call() -> None:
    d = Driver(QueueConfig("q"))
    d.login("bob")
    d.send(ev.AgentPaused(d.now, "bob", "lunch"))
    d.send(ev.AgentOnOtherCall(d.now, "bob"))
    assert d.engine.agents["bob"].state == AgentState.PAUSED
    d.send(ev.AgentOffOtherCall(d.now, "bob"))
    assert d.engine.agents["bob"].state == AgentState.PAUSED


def test_an_attended_transfer_hands_the_call_to_the_consulted_agent() -> None:
    d = Driver(QueueConfig("q"))
    d.login("alice")
    _connected(d, "c1", "alice")
    d.login("bob")
    d.advance(30)
    d.send(ev.AgentOnOtherCall(d.now, "bob"))
    d.advance(10)
    d.send(ev.ItemHandedOver(d.now, "c1", "bob", "ehd-call-c1"))
    assert d.logs("ATTENDEDTRANSFER")[0].line() == (
        "41|c1|q|alice|ATTENDEDTRANSFER|BRIDGE|ehd-call-c1|1|40|1"
    )
    assert d.engine.agents["alice"].state == AgentState.READY
    assert (d.engine.items["c1"].agent, d.engine.agents["bob"].item_id) == ("bob", "c1")
    d.advance(60)
    d.complete("c1")
    assert d.logs("COMPLETEAGENT")[0].line() == "101|c1|q|bob|COMPLETEAGENT|1|60|1"
    assert d.engine.agents["bob"].state == AgentState.READY


def test_a_handover_to_an_agent_not_on_the_consultation_is_ignored() -> None:
    d = Driver(QueueConfig("q"))
    d.login("alice")
    _connected(d, "c1", "alice")
    d.login("bob")
    assert d.send(ev.ItemHandedOver(d.now, "c1", "bob")) == []
    assert d.engine.items["c1"].agent == "alice"
