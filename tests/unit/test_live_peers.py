"""Console events and open consoles shared with other ehd processes, and what is heard of the
process that runs the calls."""

from __future__ import annotations

from typing import Any

from ehd.agent_events import AgentEvents
from ehd.web.peers import HEARD_FOR_SECONDS, Peers


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_published_event_reaches_own_consoles_and_is_relayed_once() -> None:
    relayed: list[tuple[str, dict[str, Any]]] = []
    changes: list[list[str]] = []
    events = AgentEvents()
    events.relay_to(lambda user, event: relayed.append((user, event)),
                    lambda: changes.append(events.watched_here()))  # fmt: skip
    console = events.subscribe("alice")
    second = events.subscribe("alice")
    assert changes == [["alice"]], "only the first console of an agent changes who watches"
    events.publish("alice", {"type": "state", "state": "paused"})
    assert console.get_nowait() == second.get_nowait() == {"type": "state", "state": "paused"}
    assert relayed == [("alice", {"type": "state", "state": "paused"})]
    events.deliver("alice", {"type": "state", "state": "ready"})  # from another process
    assert console.get_nowait()["state"] == "ready" and len(relayed) == 1
    events.unsubscribe("alice", console)
    events.unsubscribe("alice", second)
    assert changes == [["alice"], []]


def test_a_console_open_in_another_process_counts_until_that_process_falls_silent() -> None:
    clock = Clock()
    events = AgentEvents(clock=clock)
    assert not events.watching("alice")
    events.watched_elsewhere("process-2", ["alice"], HEARD_FOR_SECONDS)
    assert events.watching("alice") and not events.watching("bob")
    clock.now += HEARD_FOR_SECONDS
    assert not events.watching("alice")


def test_the_active_process_is_known_while_it_is_heard() -> None:
    clock = Clock()
    peers = Peers(clock=clock)
    assert peers.active_url() is None and peers.figures() == {}
    peers.heard_active({"url": "http://10.0.0.1:8080", "figures": {"support": {"waiting": 2}},
                        "agents": {"alice": {"state": "ready"}}})  # fmt: skip
    assert peers.active_url() == "http://10.0.0.1:8080"
    assert peers.figures() == {"support": {"waiting": 2}}
    assert peers.agent_figures() == {"alice": {"state": "ready"}}
    clock.now += HEARD_FOR_SECONDS
    assert peers.active_url() is None
    assert peers.figures() == {}, "stale figures are not shown as live"
