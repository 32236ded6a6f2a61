"""Agents' time per 15-minute slot from queue_log rows, against times worked out by hand:
logged in, busy, wrap-up (the queue's, cut short by a pause), paused per reason across a
slot boundary, and ready as what is left; app_queue sites log membership instead of logins;
a tick counts open stretches up to now."""

from __future__ import annotations

from ehd.acd.actions import LogQueueEvent
from ehd.stats.agent_time import AgentSlotTime, AgentTimeFold
from ehd.stats.staffing import StaffingRow, agents_needed

T0 = 1_800_000_000
WRAPUP = {"support": 30.0}


def row(at: int, agent: str, event: str, queue: str = "NONE", *data: str) -> LogQueueEvent:
    return LogQueueEvent(T0 + at, "NONE", queue, agent, event, data)


def test_a_shift_split_over_two_slots() -> None:
    fold = AgentTimeFold(WRAPUP.get)
    spent = fold.fold([
        row(100, "alice", "AGENTLOGIN", "NONE", "PJSIP/alice"),
        row(100, "alice", "ADDMEMBER", "support"),
        LogQueueEvent(T0 + 200, "c1", "support", "alice", "CONNECT", ("5", "PJSIP/a", "1")),
        LogQueueEvent(T0 + 500, "c1", "support", "alice", "COMPLETECALLER", ("5", "300", "1")),
        row(600, "alice", "PAUSE", "support", "lunch"),
        row(1000, "alice", "UNPAUSE", "support", "lunch"),
        row(1100, "alice", "AGENTLOGOFF", "NONE", "PJSIP/alice", "1000"),
    ])  # fmt: skip
    first, second = spent[(T0, "alice")], spent[(T0 + 900, "alice")]
    assert (first.logged_in, first.busy, first.wrapup, first.paused) == (800, 300, 30, 300)
    assert first.pauses == {"lunch": 300} and first.ready == 170  # 100-200 and 530-600
    assert (second.logged_in, second.paused, second.ready) == (200, 100, 100)
    assert fold.tick(T0 + 5000) == {}  # logged out: nothing more


def test_a_pause_cuts_wrap_up_short_and_app_queue_members_count_as_logged_in() -> None:
    fold = AgentTimeFold(WRAPUP.get)
    spent = fold.fold([
        row(0, "bob", "ADDMEMBER", "support"),  # an app_queue site: no AGENTLOGIN
        LogQueueEvent(T0 + 100, "c2", "support", "bob", "CONNECT", ("0", "PJSIP/b", "1")),
        LogQueueEvent(T0 + 200, "c2", "support", "bob", "COMPLETEAGENT", ("0", "100", "1")),
        row(210, "bob", "PAUSE", "support", ""),
    ])  # fmt: skip
    assert spent[(T0, "bob")] == AgentSlotTime(logged_in=210, busy=100, wrapup=10)
    ticked = fold.tick(T0 + 1200)
    assert ticked[(T0, "bob")] == AgentSlotTime(logged_in=690, paused=690, pauses={"": 690})
    assert ticked[(T0 + 900, "bob")] == AgentSlotTime(logged_in=300, paused=300, pauses={"": 300})
    later = fold.fold([row(1300, "bob", "REMOVEMEMBER", "support")])
    assert later[(T0 + 900, "bob")].logged_in == 100  # 1200-1300, then gone
    assert fold.tick(T0 + 2000) == {}


def test_time_is_counted_once_whatever_the_order_of_ticks_and_rows() -> None:
    rows = [row(0, "carl", "AGENTLOGIN"), row(1000, "carl", "AGENTLOGOFF")]
    whole = AgentTimeFold().fold(rows)
    pieces = AgentTimeFold()
    summed: dict[tuple[int, str], AgentSlotTime] = {}
    for part in (pieces.fold(rows[:1]), pieces.tick(T0 + 400), pieces.tick(T0 + 300),
                 pieces.fold(rows[1:])):  # fmt: skip
        for key, spent in part.items():
            summed.setdefault(key, AgentSlotTime()).add(spent)
    assert summed == whole
    assert whole[(T0, "carl")].logged_in == 900 and whole[(T0 + 900, "carl")].logged_in == 100


def test_erlang_c_needs_more_agents_for_more_calls_or_a_stricter_goal() -> None:
    # 60 calls in an hour of 180 s each: 3 Erlangs of traffic
    needed = agents_needed(60, 3600, 180, 20, 80)
    assert needed == 5  # 4 agents answer 54 % within 20 s, 5 answer 81 %
    assert agents_needed(120, 3600, 180, 20, 80) > needed
    assert agents_needed(60, 3600, 180, 20, 95) > needed
    assert agents_needed(0, 3600, 180, 20, 80) == 0
    row = StaffingRow("10:00", 60, 180, needed, 3.5)
    assert row.short == 1.5
