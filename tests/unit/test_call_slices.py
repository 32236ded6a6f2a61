"""The call records' figures per slot, site, number, queue and agent, worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from ehd.stats.call_slices import (
    CallCounts,
    CallMeasures,
    Dimension,
    EndedCall,
    Outcome,
    SliceKey,
    fold,
    outcome_of,
)

T0 = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
SLOT = int(T0.timestamp())


def call(**facts: object) -> EndedCall:
    base: dict[str, object] = {
        "started_at": T0, "direction": "in", "route_type": "queue", "result": "answered",
        "answered": True, "did": "+4610100", "site_id": 1, "queue": "support", "agent": "",
        "queue_seconds": None, "talk_seconds": None, "hold_seconds": None, "handlings": 0,
    }  # fmt: skip
    base.update(facts)
    return EndedCall(**base)  # type: ignore[arg-type]


def test_each_result_has_one_outcome() -> None:
    assert [outcome_of(r) for r in ("answered", "lost", "abandoned", "exit:closed", "closed",
            "exit:timeout", "exit:key", "voicemail", "callback_requested", "caller_hangup",
            "failed", "not_in_service")] == [
        Outcome.ANSWERED, Outcome.ABANDONED, Outcome.ABANDONED, Outcome.CLOSED, Outcome.CLOSED,
        Outcome.OVERFLOWED, Outcome.OVERFLOWED, Outcome.VOICEMAIL, Outcome.CALLBACK,
        Outcome.OTHER, Outcome.OTHER, Outcome.OTHER,
    ]  # fmt: skip


def test_a_call_counts_in_total_and_under_each_of_its_attributes_in_its_start_slot() -> None:
    deltas = fold(
        [
            call(agent="alice", queue_seconds=12.4, talk_seconds=100.2, hold_seconds=30.0,
                 handlings=2, started_at=T0.replace(minute=14, second=59)),
            call(result="abandoned", queue_seconds=40, answered=False),
            call(result="closed", answered=False, did="+4610200", site_id=2),
            call(result="answered", agent="alice", queue_seconds=25, talk_seconds=60,
                 hold_seconds=0, did="+4610200", site_id=2, queue="sales"),
            call(direction="out", did="0701234567", agent="alice", talk_seconds=50, queue=""),
            call(direction="out", did="0701234568", agent="alice", answered=False, queue=""),
            call(route_type="callback", agent="alice", did="+4610200", site_id=2),
            call(direction="internal", agent="alice"),
            call(route_type="transfer", agent="bob"),
            call(result="caller_hangup", answered=False, site_id=0, queue="", did="+4610300",
                 started_at=T0.replace(minute=15)),
        ],
        {"support": 20.0, "sales": 30.0}.get,
    )  # fmt: skip
    total = deltas[SliceKey(SLOT, Dimension.TOTAL, "")]
    assert (total.inbound, total.answered, total.answered_in_goal, total.abandoned,
            total.closed, total.outbound, total.outbound_answered, total.callbacks_made) == (
        4, 2, 2, 1, 1, 2, 1, 1)  # fmt: skip
    assert (total.talk_seconds, total.hold_seconds, total.held, total.transferred) == (
        160,
        30,
        1,
        1,
    )
    assert (total.wait_answered_seconds, total.wait_answered_max) == (37, 25)
    assert deltas[SliceKey(SLOT + 900, Dimension.TOTAL, "")].other == 1  # the next slot
    site_one = deltas[SliceKey(SLOT, Dimension.SITE, "1")]
    assert (site_one.inbound, site_one.answered, site_one.abandoned, site_one.outbound) == (
        2, 1, 1, 2)  # the calls alice placed count under the site she calls for  # fmt: skip
    site_two = deltas[SliceKey(SLOT, Dimension.SITE, "2")]
    assert (site_two.inbound, site_two.closed, site_two.answered, site_two.callbacks_made) == (
        2, 1, 1, 1)  # fmt: skip
    assert site_two.answered_in_goal == 1  # 25 s against sales' goal of 30
    # a number dialled out is no DID; a call without a site is in no site's figures
    assert {key.value for key in deltas if key.dimension is Dimension.DID} == {
        "+4610100", "+4610200", "+4610300"}  # fmt: skip
    assert {key.value for key in deltas if key.dimension is Dimension.SITE} == {"1", "2"}
    alice = deltas[SliceKey(SLOT, Dimension.AGENT, "alice")]
    assert (alice.answered, alice.outbound, alice.callbacks_made, alice.hold_seconds) == (
        2, 2, 1, 30)  # fmt: skip
    assert SliceKey(SLOT, Dimension.AGENT, "bob") not in deltas  # the rest of a counted call


def test_measures_leave_closed_calls_out_of_the_shares() -> None:
    counts = CallCounts(inbound=4, answered=2, answered_in_goal=1, abandoned=1, closed=1,
                        wait_answered_seconds=30, talk_seconds=200, hold_seconds=30, held=1,
                        outbound=3, outbound_answered=2, outbound_talk_seconds=90)  # fmt: skip
    figures = CallMeasures(counts).as_dict()
    assert figures["answered_percent"] == 66.7  # 2 of the 3 offered while open
    assert figures["abandoned_percent"] == 33.3
    assert figures["service_level"] == 50.0
    assert (figures["average_talk"], figures["average_hold"]) == (100.0, 15.0)
    assert figures["average_outbound_talk"] == 45.0
    empty = CallMeasures(CallCounts()).as_dict()
    assert empty["answered_percent"] is None and empty["average_hold"] is None


def test_adding_counts_sums_all_but_the_longest_wait() -> None:
    one = CallCounts(inbound=1, wait_answered_max=40, hold_seconds=5)
    one.add(CallCounts(inbound=2, wait_answered_max=10, hold_seconds=7))
    assert (one.inbound, one.wait_answered_max, one.hold_seconds) == (3, 40, 12)
