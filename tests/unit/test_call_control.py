"""Call control on a connected call: hold takes the customer out of the bridge into music,
resume brings the music down before they rejoin, and hold time is kept apart from talk time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ehd.calls import call_control as cc
from ehd.calls import hearing as h

CALL = cc.ConnectedCall(
    "caller-1", "caller-1", "alice", "leg-1", "ehd-call-caller-1", "jazz", connected_at=100.0
)


def test_hold_leaves_the_bridge_before_the_music_starts() -> None:
    held, actions = cc.decide(CALL, cc.HoldRequested(110.0))
    assert held.state == cc.CallState.HELD
    assert actions == [
        cc.LeaveBridge("ehd-call-caller-1", "caller-1"),
        cc.CustomerHears("caller-1", h.PutOnHold("jazz")),
        cc.TellAgent(held),
    ]


def test_resume_stops_the_music_before_the_customer_rejoins() -> None:
    held, _ = cc.decide(CALL, cc.HoldRequested(110.0))
    resumed, actions = cc.decide(held, cc.ResumeRequested(125.0))
    assert resumed.state == cc.CallState.TALKING
    assert actions == [
        cc.CustomerHears("caller-1", h.TakeOffHold()),
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
AGENT, QUEUE = cc.TransferKind.AGENT, cc.TransferKind.QUEUE
FLOOR = {"alice": {"sales": 0}, "bob": {"support": 1, "billing": 0}, "carol": {"sales": 2}}
QUEUES = {"sales", "support", "billing"}


def _plan(target: cc.TransferTarget) -> cc.BlindTransfer | cc.Refuse:
    return cc.plan_blind_transfer(CALL, "sales", target, FLOOR, QUEUES)


def test_a_queue_transfer_keeps_the_place_unless_asked_not_to() -> None:
    assert _plan(cc.TransferTarget(QUEUE, "support")) == cc.BlindTransfer("support", None, True)
    assert _plan(cc.TransferTarget(QUEUE, "support", keep_place=False)) == cc.BlindTransfer(
        "support", None, False
    )


def test_an_agent_is_reached_through_the_calls_queue_or_their_best_one() -> None:
    assert _plan(cc.TransferTarget(AGENT, "carol")) == cc.BlindTransfer("sales", "carol", True)
    assert _plan(cc.TransferTarget(AGENT, "bob")) == cc.BlindTransfer("billing", "bob", True)


def test_transfers_that_cannot_work_are_refused_with_a_reason() -> None:
    cases = {
        cc.TransferTarget(QUEUE, "nowhere"): "no such queue",
        cc.TransferTarget(AGENT, "alice"): "yours already",
        cc.TransferTarget(AGENT, "dave"): "not logged in",
    }
    for target, reason in cases.items():
        refused = _plan(target)
        assert isinstance(refused, cc.Refuse) and reason in refused.reason
    lonely = cc.plan_blind_transfer(CALL, "sales", cc.TransferTarget(AGENT, "erin"),
                                    {"erin": {"gone": 0}}, QUEUES)  # fmt: skip
    assert isinstance(lonely, cc.Refuse) and "no queue" in lonely.reason
