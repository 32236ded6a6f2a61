"""After a restart: agents come back without new login rows, and a call that was talking when
ehd stopped ends with one COMPLETE row carrying its whole hold and talk time."""

from __future__ import annotations

from ehd.acd import actions as act
from ehd.acd import events as ev
from ehd.acd.agent_states import AgentState
from ehd.acd.model import QueueConfig
from tests.unit.acd_driver import Driver


def _restarted() -> Driver:
    """An engine as a restarted ehd builds it at t=1000: alice back, talking since t=900 to a
    caller who entered at t=880."""
    d = Driver(QueueConfig("q"))
    d.now = 1000.0
    d.send(
        ev.AgentLoggedIn(d.now, "alice", {"q": 0}, device="PJSIP/1001", restored=True),
    )
    d.send(ev.ConnectedRestored(d.now, "c1", "q", "alice", entered_at=880.0, connected_at=900.0))
    return d


def test_a_restored_login_writes_no_rows() -> None:
    d = _restarted()
    assert d.logs("AGENTLOGIN", "ADDMEMBER") == []
    assert d.engine.agents["alice"].state == AgentState.BUSY


def test_the_restored_call_ends_with_one_complete_row_and_its_whole_talk_time() -> None:
    d = _restarted()
    d.advance(30)
    d.complete("c1", by_agent=False)
    assert [log.line() for log in d.logs("COMPLETECALLER", "COMPLETEAGENT")] == [
        "1030|c1|q|alice|COMPLETECALLER|20|130|0"
    ]
    assert d.engine.agents["alice"].state == AgentState.READY


def test_the_busy_agent_gets_no_offer_until_the_restored_call_ends() -> None:
    d = _restarted()
    d.arrive("c2")
    assert d.offers() == []
    d.complete("c1")
    assert d.offers() == [act.Offer("c2", "alice", "q", 15.0)]


def test_a_restored_call_for_an_agent_who_is_not_back_is_ignored() -> None:
    d = Driver(QueueConfig("q"))
    d.send(ev.ConnectedRestored(0.0, "c1", "q", "nobody", entered_at=0.0, connected_at=0.0))
    assert "c1" not in d.engine.items
