"""Call control on a connected call: hold takes the customer out of the bridge into music,
resume brings the music down before they rejoin, and hold time is kept apart from talk time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ehd.calls import call_control as cc
from ehd.calls import hearing as h
from ehd.calls import transfer_plan as tp
from ehd.calls.dial_policy import DialDecision, DialKind
from ehd.calls.routing import Action, Route

CALL = cc.ConnectedCall(
    "caller-1", "caller-1", "alice", "leg-1", "ehd-call-caller-1", "jazz", connected_at=100.0
)


def test_hold_leaves_the_bridge_before_the_music_starts() -> None:
    held, actions = cc.decide(CALL, cc.HoldRequested(110.0))
    assert held.state == cc.CallState.HELD
    assert actions == [
        cc.LeaveBridge("ehd-call-caller-1", "caller-1"),
        cc.Hears("caller-1", h.PutOnHold("jazz")),
        cc.TellAgent(held),
    ]


def test_resume_stops_the_music_before_the_customer_rejoins() -> None:
    held, _ = cc.decide(CALL, cc.HoldRequested(110.0))
    resumed, actions = cc.decide(held, cc.ResumeRequested(125.0))
    assert resumed.state == cc.CallState.TALKING
    assert actions == [
        cc.Hears("caller-1", h.TakeOffHold()),
        cc.JoinBridge("ehd-call-caller-1", "caller-1"),
        cc.TellAgent(resumed),
    ]


def test_a_second_hold_or_a_resume_without_hold_is_refused_and_changes_nothing() -> None:
    held, _ = cc.decide(CALL, cc.HoldRequested(110.0))
    again, actions = cc.decide(held, cc.HoldRequested(111.0))
    assert again == held and actions == [cc.Refuse("the call is on hold already")]
    same, actions = cc.decide(CALL, cc.ResumeRequested(111.0))
    assert same == CALL and actions == [cc.Refuse("the call is not on hold")]


def test_hold_time_counts_apart_from_talk_time() -> None:
    call, _ = cc.decide(CALL, cc.HoldRequested(110.0))
    assert call.hold_seconds(115.0) == 5.0  # a hold in progress counts
    call, _ = cc.decide(call, cc.ResumeRequested(120.0))
    call, _ = cc.decide(call, cc.HoldRequested(130.0))
    call, _ = cc.decide(call, cc.ResumeRequested(133.0))
    assert call.hold_seconds(200.0) == 13.0
    assert call.talk_seconds(200.0) == 100.0 - 13.0


@given(st.lists(st.floats(min_value=0.0, max_value=1000.0, allow_nan=False), max_size=20))
def test_talk_and_hold_always_add_up_to_the_connected_time(gaps: list[float]) -> None:
    call, now = CALL, CALL.connected_at
    for gap in gaps:
        now += gap
        event: cc.ControlEvent = (
            cc.ResumeRequested(now) if call.state == cc.CallState.HELD else cc.HoldRequested(now)
        )
        call, actions = cc.decide(call, event)
        assert not any(isinstance(a, cc.Refuse) for a in actions)
    end = now + 1.0
    assert call.hold_seconds(end) >= 0.0 and call.talk_seconds(end) >= 0.0
    total = call.hold_seconds(end) + call.talk_seconds(end)
    assert abs(total - (end - CALL.connected_at)) < 1e-6


# --- blind transfer -------------------------------------------------------------------------
AGENT, QUEUE = tp.TransferKind.AGENT, tp.TransferKind.QUEUE
FLOOR = {"alice": {"sales": 0}, "bob": {"support": 1, "billing": 0}, "carol": {"sales": 2}}
QUEUES = {"sales", "support", "billing"}


def _plan(target: tp.TransferTarget) -> tp.BlindTransfer | cc.Refuse:
    return tp.plan_blind_transfer(CALL, "sales", target, FLOOR, QUEUES)


def test_a_queue_transfer_keeps_the_place_unless_asked_not_to() -> None:
    assert _plan(tp.TransferTarget(QUEUE, "support")) == tp.BlindTransfer("support", None, True)
    assert _plan(tp.TransferTarget(QUEUE, "support", keep_place=False)) == tp.BlindTransfer(
        "support", None, False
    )


def test_an_agent_is_reached_through_the_calls_queue_or_their_best_one() -> None:
    assert _plan(tp.TransferTarget(AGENT, "carol")) == tp.BlindTransfer("sales", "carol", True)
    assert _plan(tp.TransferTarget(AGENT, "bob")) == tp.BlindTransfer("billing", "bob", True)


def test_transfers_that_cannot_work_are_refused_with_a_reason() -> None:
    cases = {
        tp.TransferTarget(QUEUE, "nowhere"): "no such queue",
        tp.TransferTarget(AGENT, "alice"): "yours already",
        tp.TransferTarget(AGENT, "dave"): "not logged in",
    }
    for target, reason in cases.items():
        refused = _plan(target)
        assert isinstance(refused, cc.Refuse) and reason in refused.reason
    lonely = tp.plan_blind_transfer(CALL, "sales", tp.TransferTarget(AGENT, "erin"),
                                    {"erin": {"gone": 0}}, QUEUES)  # fmt: skip
    assert isinstance(lonely, cc.Refuse) and "no queue" in lonely.reason


# --- out of the queues: a number, a mailbox ------------------------------------------------
NATIONAL = DialDecision(DialKind.NATIONAL, "+46812345678")
MENU = Route(Action.MENU, target="main")


def test_a_number_of_ours_follows_its_route_and_a_queue_number_stays_a_queue_transfer() -> None:
    assert tp.plan_number_transfer(CALL, "4800", MENU, NATIONAL) == tp.SendOn(MENU, "4800", "route")
    queue = Route(Action.QUEUE, target="support", queue_id=3)
    assert tp.plan_number_transfer(CALL, "4801", queue, NATIONAL) == tp.BlindTransfer(
        "support", None, True
    )
    for staff_only in (Action.VOICEMAIL_ACCESS, Action.REMOTE_LOGIN, Action.NOT_IN_SERVICE):
        refused = tp.plan_number_transfer(CALL, "4802", Route(staff_only), NATIONAL)
        assert isinstance(refused, cc.Refuse) and "cannot be sent" in refused.reason


def test_an_outside_number_rings_through_the_trunk_only_when_the_agent_may_dial_it() -> None:
    sent = tp.plan_number_transfer(CALL, "08-123 456 78", None, NATIONAL)
    assert sent == tp.SendOn(Route(Action.RING_OUTSIDE, target="+46812345678"),
                             "+46812345678", "number")  # fmt: skip
    assert isinstance(sent, tp.SendOn) and sent.label == "number:+46812345678"
    abroad = DialDecision(DialKind.REFUSED, "", "international calls are not allowed")
    refused = tp.plan_number_transfer(CALL, "0049301234567", None, abroad)
    assert refused == cc.Refuse("international calls are not allowed")


def test_only_what_a_phone_could_dial_is_planned_at_all() -> None:
    for odd in ("", "x" * 10, "1" * 33, "１２３", "08-123 456 78;drop", "sip:bob@example"):
        refused = tp.plan_number_transfer(CALL, odd, None, NATIONAL)
        assert refused == cc.Refuse("that is not a number"), odd
    assert tp.looks_dialable("+46 (0)8-123 456 78") and tp.looks_dialable("*98#")


def test_a_colleagues_extension_rings_their_phone_with_their_mailbox_behind_it() -> None:
    internal = DialDecision(DialKind.INTERNAL, "1003")
    sent = tp.plan_number_transfer(CALL, "1003", None, internal, colleague="carol")
    assert sent == tp.SendOn(Route(Action.RING_SIP, target="1003", voicemail="carol"),
                             "1003", "extension")  # fmt: skip


def test_a_call_outside_the_queues_joins_a_queue_as_a_new_caller_kept_for_the_agent() -> None:
    for_bob = tp.into_queue(tp.BlindTransfer("sales", "bob", True), 7, "jazz", "sv")
    assert for_bob == tp.SendOn(
        Route(Action.QUEUE, target="sales", moh_class="jazz", language="sv", queue_id=7,
              agent="bob"),
        "bob",
        "agent",
    )  # fmt: skip
    to_queue = tp.into_queue(tp.BlindTransfer("sales", None, True), 7, "jazz", "sv")
    assert (to_queue.label, to_queue.route.agent) == ("queue:sales", "")


def test_a_mailbox_transfer_needs_the_mailbox_and_no_consultation_going_on() -> None:
    assert tp.plan_mailbox_transfer(CALL, "bob", True) == tp.SendOn(
        Route(Action.MAILBOX, voicemail="bob"), "bob", "mailbox"
    )
    assert tp.plan_mailbox_transfer(CALL, "zed", False) == cc.Refuse("there is no such mailbox")
    consulting = _consulting()
    assert isinstance(tp.plan_mailbox_transfer(consulting, "bob", True), cc.Refuse)
    assert isinstance(tp.plan_number_transfer(consulting, "4800", MENU, NATIONAL), cc.Refuse)


# --- consultation and attended transfer -----------------------------------------------------
def _consulting(at: float = 110.0) -> cc.ConnectedCall:
    call, _ = cc.decide(CALL, cc.ConsultRequested(at, "consult-1", "bob"))
    call, _ = cc.decide(call, cc.ConsultAnswered(at + 2))
    return call


def test_a_consulted_number_rings_and_completing_leaves_the_caller_with_it() -> None:
    """No colleague is made busy or free; completing hands the caller on, out of the queues."""
    call, actions = cc.decide(CALL, cc.ConsultRequested(110.0, "c-9", "", "+46812345678"))
    assert call.consult == cc.Consult("c-9", "", number="+46812345678")
    assert call.consult.party == "+46812345678"
    assert cc.Dial("c-9", "", "+46812345678") in actions
    talking, _ = cc.decide(call, cc.ConsultAnswered(112.0))
    joined, _ = cc.decide(talking, cc.ConferenceRequested(115.0))
    left, actions = cc.decide(joined, cc.TransferCompleted(130.0))
    assert left.consult is None and left.state == cc.CallState.TALKING
    assert actions == [
        cc.LeaveBridge("ehd-call-caller-1", "leg-1"),
        cc.HandOn(left, "c-9", "+46812345678"),
    ]
    ended, actions = cc.decide(talking, cc.ConsultEnded(120.0))
    assert not any(isinstance(a, cc.ConsultOver) for a in actions) and ended.consult is None
    nobody, refused = cc.decide(CALL, cc.ConsultRequested(110.0, "c-9", "", ""))
    assert nobody == CALL and isinstance(refused[0], cc.Refuse)


def test_a_consultation_holds_the_customer_then_rings_the_colleague() -> None:
    call, actions = cc.decide(CALL, cc.ConsultRequested(110.0, "consult-1", "bob"))
    assert call.state == cc.CallState.HELD and call.consult == cc.Consult("consult-1", "bob")
    assert actions == [
        cc.LeaveBridge("ehd-call-caller-1", "caller-1"),
        cc.Hears("caller-1", h.PutOnHold("jazz")),
        cc.Dial("consult-1", "bob"),
        cc.TellAgent(call),
    ]
    answered, actions = cc.decide(call, cc.ConsultAnswered(112.0))
    assert answered.consult is not None and answered.consult.state == cc.ConsultState.WITH_TARGET
    assert actions[:2] == [
        cc.Hears("consult-1", h.Connect()),
        cc.JoinBridge("ehd-call-caller-1", "consult-1"),
    ]


def test_switching_holds_whoever_the_agent_leaves() -> None:
    call, actions = cc.decide(_consulting(), cc.ConsultToggled(120.0))
    assert call.state == cc.CallState.TALKING
    assert actions[:4] == [
        cc.LeaveBridge("ehd-call-caller-1", "consult-1"),  # bob out before the customer is in
        cc.Hears("consult-1", h.PutOnHold("jazz")),
        cc.Hears("caller-1", h.TakeOffHold()),
        cc.JoinBridge("ehd-call-caller-1", "caller-1"),
    ]
    call, actions = cc.decide(call, cc.ConsultToggled(130.0))
    assert call.state == cc.CallState.HELD
    assert actions[:4] == [
        cc.LeaveBridge("ehd-call-caller-1", "caller-1"),
        cc.Hears("caller-1", h.PutOnHold("jazz")),
        cc.Hears("consult-1", h.TakeOffHold()),
        cc.JoinBridge("ehd-call-caller-1", "consult-1"),
    ]
    assert call.hold_seconds(140.0) == (120.0 - 110.0) + (140.0 - 130.0)


def test_cancel_hangs_up_the_colleague_and_brings_the_customer_back() -> None:
    call, actions = cc.decide(_consulting(), cc.ConsultEnded(125.0))
    assert call.consult is None and call.state == cc.CallState.TALKING
    assert actions[:4] == [
        cc.HangUp("consult-1"),
        cc.ConsultOver("bob"),
        cc.Hears("caller-1", h.TakeOffHold()),
        cc.JoinBridge("ehd-call-caller-1", "caller-1"),
    ]


def test_completing_leaves_customer_and_colleague_together_and_the_agent_out() -> None:
    before = _consulting()
    call, actions = cc.decide(before, cc.TransferCompleted(130.0))
    assert (call.agent_id, call.agent_channel, call.connected_at) == ("bob", "consult-1", 130.0)
    assert call.consult is None and call.state == cc.CallState.TALKING and call.queue == ""
    settled = actions[3]
    assert isinstance(settled, cc.HandOver) and settled.after == call
    assert settled.before.agent_id == "alice" and settled.before.hold_seconds(130.0) == 20.0
    assert actions[:3] == [
        cc.Hears("caller-1", h.TakeOffHold()),
        cc.JoinBridge("ehd-call-caller-1", "caller-1"),
        cc.LeaveBridge("ehd-call-caller-1", "leg-1"),  # only once both others are in
    ]


def test_consultation_requests_out_of_turn_are_refused() -> None:
    ringing, _ = cc.decide(CALL, cc.ConsultRequested(110.0, "consult-1", "bob"))
    refusals: list[tuple[cc.ConnectedCall, cc.ControlEvent, str]] = [
        (CALL, cc.ConsultToggled(111.0), "no consultation"),
        (CALL, cc.TransferCompleted(111.0), "no consultation"),
        (CALL, cc.ConsultRequested(111.0, "c", "alice"), "yourself"),
        (ringing, cc.ConsultToggled(111.0), "not answered"),
        (ringing, cc.TransferCompleted(111.0), "not answered"),
        (ringing, cc.ConsultRequested(111.0, "c", "carol"), "under way"),
        (ringing, cc.ResumeRequested(111.0), "under way"),
        (ringing, cc.HoldRequested(111.0), "under way"),
    ]
    for call, event, reason in refusals:
        after, actions = cc.decide(call, event)
        assert after == call and len(actions) == 1
        assert isinstance(actions[0], cc.Refuse) and reason in actions[0].reason, event


consult_events = st.sampled_from(
    ["hold", "resume", "consult", "answer", "toggle", "join", "end", "done"]
)


@given(st.lists(st.tuples(consult_events, st.floats(0.0, 100.0)), max_size=25))
def test_the_agent_never_hears_two_parties_and_time_adds_up(
    steps: list[tuple[str, float]],
) -> None:
    """Replaying the bridge moves: besides the agent, exactly one party is in the bridge (none
    while the customer holds alone, both in a conference) until a completed transfer (then
    the agent leaves); the held party is the one out of it; and each agent's talk and hold
    add up to their connected time."""
    call, now = CALL, CALL.connected_at
    in_bridge = {"leg-1", "caller-1"}
    for n, (name, gap) in enumerate(steps):
        now += gap
        events: dict[str, cc.ControlEvent] = {
            "hold": cc.HoldRequested(now),
            "resume": cc.ResumeRequested(now),
            "consult": cc.ConsultRequested(now, f"consult-{n}", "bob"),
            "answer": cc.ConsultAnswered(now),
            "toggle": cc.ConsultToggled(now),
            "join": cc.ConferenceRequested(now),
            "end": cc.ConsultEnded(now),
            "done": cc.TransferCompleted(now),
        }
        call, actions = cc.decide(call, events[name])
        for action in actions:
            if isinstance(action, cc.LeaveBridge | cc.HangUp):  # a hung-up channel leaves too
                in_bridge.discard(action.channel_id)
            elif isinstance(action, cc.JoinBridge):
                in_bridge.add(action.channel_id)
            elif isinstance(action, cc.HandOver):
                before = action.before
                total = before.talk_seconds(now) + before.hold_seconds(now)
                assert abs(total - (now - before.connected_at)) < 1e-6
        others = in_bridge - {call.agent_channel}
        conference = call.consult is not None and call.consult.state == cc.ConsultState.CONFERENCE
        assert call.agent_channel in in_bridge, "the agent was taken out of their own call"
        assert len(others) == (2 if conference else 1) or (
            not conference and not others and call.held_since is not None
        ), f"the agent hears {sorted(others)}"
        assert ("caller-1" in in_bridge) == (call.held_since is None), "hold and bridge disagree"
        if call.consult is not None:
            colleague_in = call.consult.channel in in_bridge
            talking_to = (cc.ConsultState.WITH_TARGET, cc.ConsultState.CONFERENCE)
            assert colleague_in == (call.consult.state in talking_to)
    total = call.talk_seconds(now) + call.hold_seconds(now)
    assert abs(total - (now - call.connected_at)) < 1e-6


def test_joining_all_three_brings_the_held_customer_back_and_the_colleague_may_leave() -> None:
    call, actions = cc.decide(_consulting(), cc.ConferenceRequested(120.0))
    assert call.consult is not None and call.consult.state == cc.ConsultState.CONFERENCE
    assert call.state == cc.CallState.TALKING
    assert actions[:2] == [
        cc.Hears("caller-1", h.TakeOffHold()),
        cc.JoinBridge("ehd-call-caller-1", "caller-1"),
    ]
    for refused in (cc.ConsultToggled(121.0), cc.HoldRequested(121.0)):
        assert isinstance(cc.decide(call, refused)[1][0], cc.Refuse)
    left, actions = cc.decide(call, cc.ConsultEnded(130.0))
    assert left.consult is None and left.state == cc.CallState.TALKING
    assert actions[:2] == [cc.HangUp("consult-1"), cc.ConsultOver("bob")]
    taken, actions = cc.decide(call, cc.TransferCompleted(130.0))  # the agent leaves instead
    assert taken.agent_id == "bob" and actions[0] == cc.LeaveBridge("ehd-call-caller-1", "leg-1")
