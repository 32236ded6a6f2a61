"""Actions out of the ACD engine, for an adapter (ARI, tickets, simulation) to carry out."""

from __future__ import annotations

from dataclasses import dataclass

from ehd.acd.agent_states import AgentState
from ehd.acd.model import OverflowTarget


@dataclass(frozen=True)
class Offer:
    """Ring the agent for the item (originate to the agent's device)."""

    item_id: str
    agent_id: str
    queue: str
    ring_timeout: float


@dataclass(frozen=True)
class CancelOffer:
    """Stop ringing the agent (hang up the agent's leg)."""

    item_id: str
    agent_id: str


@dataclass(frozen=True)
class Connect:
    item_id: str
    agent_id: str
    queue: str


@dataclass(frozen=True)
class Exit:
    """The item leaves the engine without an agent; the adapter sends it to ``target``
    (None: play the queue's message and end)."""

    item_id: str
    queue: str
    reason: str  # full, joinempty, leaveempty, timeout, key, closed
    target: OverflowTarget | None


@dataclass(frozen=True)
class Moved:
    """The item overflowed into another queue, keeping its waiting time."""

    item_id: str
    from_queue: str
    to_queue: str


@dataclass(frozen=True)
class Announce:
    item_id: str
    queue: str
    position: int
    estimated_wait: float


@dataclass(frozen=True)
class StartTimer:
    token: str
    at: float


@dataclass(frozen=True)
class LogQueueEvent:
    """One queue_log line in app_queue's vocabulary and field order."""

    at: float
    call_id: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...] = ()

    def line(self) -> str:
        return "|".join(
            (str(int(self.at)), self.call_id, self.queue, self.agent, self.event, *self.data)
        )


@dataclass(frozen=True)
class AgentStateChanged:
    agent_id: str
    state: AgentState
    reason: str = ""


Action = (
    Offer
    | CancelOffer
    | Connect
    | Exit
    | Moved
    | Announce
    | StartTimer
    | LogQueueEvent
    | AgentStateChanged
)
