"""After a restart, each stored queue call gets the right fate, talking calls first."""

from __future__ import annotations

from dataclasses import dataclass

from ehd.queueing.restore_plan import (
    AdoptCallback,
    AgentGone,
    CloseDead,
    Requeue,
    ResumeTalking,
    plan_restore,
)


@dataclass(frozen=True)
class Stored:
    call_id: str
    entered_at: float
    agent: str = ""
    kind: str = "call"
    queue_name: str = "support"
    connected_at: float | None = None
    consult_channel: str = ""
    agent_channel: str = ""


NOW = 1000.0


def test_each_stored_call_gets_its_fate_and_talking_calls_come_first() -> None:
    waiting = Stored("waiting", 10.0)
    earlier = Stored("earlier", 5.0)
    talking = Stored("talking", 20.0, agent="alice", connected_at=30.0, agent_channel="q-1")
    dead_waiting = Stored("gone", 1.0)
    dead_talking = Stored("hung-up", 2.0, agent="bob")
    callback = Stored("cb-1", 3.0, kind="callback")
    live = {"waiting", "earlier", "talking", "q-1"}
    steps = plan_restore([waiting, earlier, talking, dead_waiting, dead_talking, callback], live,
                         set(), NOW)  # fmt: skip
    assert [s.call.call_id for s in steps[:2]] == ["hung-up", "talking"]  # agents' calls first
    assert isinstance(steps[0], CloseDead) and steps[1] == ResumeTalking(talking, 30.0)
    assert [type(s) for s in steps[2:]] == [CloseDead, AdoptCallback, Requeue, Requeue]
    assert [s.call.call_id for s in steps[2:]] == ["gone", "cb-1", "earlier", "waiting"]


def test_dead_calls_are_closed_in_the_queue_log_like_app_queue() -> None:
    steps = plan_restore([Stored("gone", 900.0), Stored("hung-up", 100.0, agent="bob")], set(),
                         set(), NOW)  # fmt: skip
    rows = {s.call.call_id: s.entry for s in steps if isinstance(s, CloseDead)}
    assert (rows["hung-up"].event, rows["hung-up"].agent) == ("COMPLETECALLER", "bob")
    assert (rows["gone"].event, rows["gone"].agent, rows["gone"].data) == (
        "ABANDON", "NONE", ("0", "0", "100"))  # fmt: skip


def test_a_talking_call_without_a_stored_connect_time_counts_from_now() -> None:
    talking = Stored("t", 1.0, agent="alice", agent_channel="q-1")
    [step] = plan_restore([talking], {"t", "q-1"}, set(), NOW)
    assert step == ResumeTalking(talking, NOW)


def test_a_call_whose_agent_hung_up_meanwhile_is_completed_by_the_agent() -> None:
    left = Stored("t", 100.0, agent="alice", connected_at=400.0, agent_channel="q-gone")
    [step] = plan_restore([left], {"t"}, set(), NOW)
    assert isinstance(step, AgentGone) and step.call == left
    assert (step.entry.event, step.entry.agent, step.entry.data) == (
        "COMPLETEAGENT", "alice", ("300", "600", "1"))  # fmt: skip


def test_a_consultation_goes_on_only_while_its_leg_is_up() -> None:
    up = Stored("t1", 1.0, agent="alice", connected_at=5.0, consult_channel="ehd-c-1",
                agent_channel="q-1")  # fmt: skip
    gone = Stored("t2", 2.0, agent="alice", connected_at=6.0, consult_channel="ehd-c-2",
                  agent_channel="q-2")  # fmt: skip
    steps = plan_restore([up, gone], {"t1", "t2", "q-1", "q-2", "ehd-c-1"}, set(), NOW)
    assert steps == [ResumeTalking(up, 5.0, consulting=True), ResumeTalking(gone, 6.0)]


def test_calls_the_service_already_knows_are_left_alone() -> None:
    assert plan_restore([Stored("known", 1.0)], {"known"}, {"known"}, NOW) == []
