"""Events into the ACD engine. Each carries ``at``: seconds on the engine's clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ehd.acd.model import ItemKind


@dataclass(frozen=True)
class ItemArrived:
    at: float
    item_id: str
    queue: str
    priority: int = 0
    kind: ItemKind = ItemKind.CALL
    caller_id: str = ""
    entered_at: float | None = None  # earlier entry, kept when restored after a restart
    restored: bool = False  # re-adopted after a restart: ENTERQUEUE was logged already
    # Sent in by an agent for a colleague: kept for them (as ItemTransferred keeps it) first.
    reserved_for: str | None = None
    reserve_seconds: float = 30.0


@dataclass(frozen=True)
class ConnectedRestored:
    """After a restart: this call was already talking to this agent (CONNECT was logged).
    It ends like any connected call, with its original hold and talk times."""

    at: float
    item_id: str
    queue: str
    agent_id: str
    entered_at: float
    connected_at: float
    priority: int = 0
    caller_id: str = ""


@dataclass(frozen=True)
class ItemLeft:
    """The caller hung up (or a ticket was withdrawn)."""

    at: float
    item_id: str


@dataclass(frozen=True)
class ExitKeyPressed:
    at: float
    item_id: str
    key: str


@dataclass(frozen=True)
class OfferAnswered:
    at: float
    item_id: str
    agent_id: str
    agent_channel: str = ""


@dataclass(frozen=True)
class OfferFailed:
    """The agent's leg failed or was rejected (busy, declined, unreachable)."""

    at: float
    item_id: str
    agent_id: str
    reason: str = "noanswer"


@dataclass(frozen=True)
class ItemCompleted:
    """A connected item ended; ``by_agent`` says who hung up (or finished the ticket)."""

    at: float
    item_id: str
    by_agent: bool


@dataclass(frozen=True)
class ItemTransferred:
    """The agent on a connected item hands it on and leaves (a blind transfer): the item joins
    ``queue`` again; with ``agent_id`` it is kept for that agent for ``reserve_seconds`` (or
    until they miss it) before any member may take it. ``keep_place`` keeps the first entry
    time, so the transferred caller is not sent to the back of the line."""

    at: float
    item_id: str
    queue: str
    agent_id: str | None = None
    keep_place: bool = True
    reserve_seconds: float = 30.0


@dataclass(frozen=True)
class ItemSentOn:
    """The agent on a connected item sends the caller out of the queues (a blind transfer to
    a number, a menu, a mailbox) and leaves; ``extension`` and ``context`` say where, as
    app_queue's BLINDTRANSFER row does. ``attended``: the agent's phone put the caller
    through to the party of its own other call (an ATTENDEDTRANSFER row)."""

    at: float
    item_id: str
    extension: str
    context: str
    attended: bool = False


@dataclass(frozen=True)
class AgentOnOtherCall:
    """A ready agent took a call the queue did not give (consulted by a colleague): busy, so
    the queue offers them nothing meanwhile."""

    at: float
    agent_id: str


@dataclass(frozen=True)
class AgentOffOtherCall:
    at: float
    agent_id: str


@dataclass(frozen=True)
class ItemHandedOver:
    """An attended transfer completed: the agent on the item leaves it to ``agent_id``, who
    was consulted on another call and now talks to the customer."""

    at: float
    item_id: str
    agent_id: str
    bridge_id: str = ""


@dataclass(frozen=True)
class TimerFired:
    at: float
    token: str


@dataclass(frozen=True)
class AgentLoggedIn:
    at: float
    agent_id: str
    memberships: Mapping[str, int] = field(default_factory=dict)  # queue -> penalty
    device: str = ""
    restored: bool = False  # back after a restart: AGENTLOGIN and ADDMEMBER were logged already


@dataclass(frozen=True)
class AgentLoggedOut:
    at: float
    agent_id: str


@dataclass(frozen=True)
class AgentPaused:
    at: float
    agent_id: str
    reason: str = ""


@dataclass(frozen=True)
class AgentUnpaused:
    at: float
    agent_id: str


@dataclass(frozen=True)
class AgentReachability:
    """The agent's device registered (reachable) or went away."""

    at: float
    agent_id: str
    reachable: bool


@dataclass(frozen=True)
class QueueClosed:
    at: float
    queue: str


Event = (
    ItemArrived
    | ConnectedRestored
    | ItemLeft
    | ExitKeyPressed
    | OfferAnswered
    | OfferFailed
    | ItemCompleted
    | ItemTransferred
    | ItemSentOn
    | ItemHandedOver
    | AgentOnOtherCall
    | AgentOffOtherCall
    | TimerFired
    | AgentLoggedIn
    | AgentLoggedOut
    | AgentPaused
    | AgentUnpaused
    | AgentReachability
    | QueueClosed
)
