"""Call control on a connected call: what the agent (or a supervisor) asks, and what must then
happen in Asterisk and in the call's record.

A connected call is a customer and an agent in one mixing bridge. Holding takes the customer
out of the bridge (the agent no longer hears them) and gives them the queue's music; resuming
stops the music before they rejoin, since music started on a bridged channel drowns the bridge
for that channel. Hold time is counted apart from talk time.

A blind transfer hands the customer on and frees the agent: to a queue (keeping the place the
customer first had in line, unless asked otherwise) or to one logged-in agent, whose call it
stays for a while in a queue that agent staffs; see :func:`plan_blind_transfer`.

Pure: events in, actions out; :class:`ehd.queueing.call_controls.CallControls` carries them
out and keeps each call's state.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import assert_never

from ehd.calls import hearing


class CallState(enum.StrEnum):
    TALKING = "talking"
    HELD = "held"


@dataclass(frozen=True)
class ConnectedCall:
    item_id: str  # the call as the queue knows it (the caller's channel, or a callback)
    customer_channel: str
    agent_id: str
    agent_channel: str
    bridge_id: str
    moh_class: str
    connected_at: float
    held_since: float | None = None
    held_before: float = 0.0  # seconds of holds that have ended
    queue: str = ""  # the queue it came through

    @property
    def state(self) -> CallState:
        return CallState.TALKING if self.held_since is None else CallState.HELD

    def hold_seconds(self, now: float) -> float:
        """All hold time so far, a hold in progress included."""
        running = max(0.0, now - self.held_since) if self.held_since is not None else 0.0
        return self.held_before + running

    def talk_seconds(self, now: float) -> float:
        """Connected time that was not on hold."""
        return max(0.0, now - self.connected_at - self.hold_seconds(now))


# --- events ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class HoldRequested:
    at: float


@dataclass(frozen=True)
class ResumeRequested:
    at: float


ControlEvent = HoldRequested | ResumeRequested


# --- actions --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeaveBridge:
    bridge_id: str
    channel_id: str


@dataclass(frozen=True)
class JoinBridge:
    bridge_id: str
    channel_id: str


@dataclass(frozen=True)
class CustomerHears:
    """Handed to the one owner of what a caller hears."""

    channel_id: str
    event: hearing.PutOnHold | hearing.TakeOffHold


@dataclass(frozen=True)
class TellAgent:
    """The agent's console shows the call's new state."""

    call: ConnectedCall


@dataclass(frozen=True)
class Refuse:
    reason: str


ControlAction = LeaveBridge | JoinBridge | CustomerHears | TellAgent | Refuse


def decide(call: ConnectedCall, event: ControlEvent) -> tuple[ConnectedCall, list[ControlAction]]:
    """The call's next state and what to do; a refusal leaves the call as it was."""
    match event:
        case HoldRequested(at):
            if call.held_since is not None:
                return call, [Refuse("the call is on hold already")]
            held = replace(call, held_since=at)
            return held, [
                LeaveBridge(call.bridge_id, call.customer_channel),
                CustomerHears(call.customer_channel, hearing.PutOnHold(call.moh_class)),
                TellAgent(held),
            ]
        case ResumeRequested(at):
            if call.held_since is None:
                return call, [Refuse("the call is not on hold")]
            resumed = replace(call, held_since=None, held_before=call.hold_seconds(at))
            return resumed, [
                CustomerHears(call.customer_channel, hearing.TakeOffHold()),
                JoinBridge(call.bridge_id, call.customer_channel),
                TellAgent(resumed),
            ]
        case _:
            assert_never(event)


# --- blind transfer -------------------------------------------------------------------------
class TransferKind(enum.StrEnum):
    AGENT = "agent"
    QUEUE = "queue"


@dataclass(frozen=True)
class TransferTarget:
    kind: TransferKind
    name: str  # the agent's username or the queue's name
    keep_place: bool = True


@dataclass(frozen=True)
class BlindTransfer:
    """Into ``queue``, kept for ``agent_id`` first when the target is an agent."""

    queue: str
    agent_id: str | None
    keep_place: bool


def plan_blind_transfer(
    call: ConnectedCall,
    current_queue: str,
    target: TransferTarget,
    logged_in: Mapping[str, Mapping[str, int]],
    queues: Collection[str],
) -> BlindTransfer | Refuse:
    """Where the customer goes: ``logged_in`` maps each logged-in agent to the queues they
    staff (with their penalty). An agent target is reached through the call's own queue when
    they staff it, otherwise through the queue they staff with the lowest penalty."""
    match target.kind:
        case TransferKind.QUEUE:
            if target.name not in queues:
                return Refuse("there is no such queue")
            return BlindTransfer(target.name, None, target.keep_place)
        case TransferKind.AGENT:
            if target.name == call.agent_id:
                return Refuse("the call is yours already")
            memberships = logged_in.get(target.name)
            if memberships is None:
                return Refuse("that agent is not logged in")
            usable = {q: p for q, p in memberships.items() if q in queues}
            if not usable:
                return Refuse("that agent staffs no queue")
            queue = (
                current_queue
                if current_queue in usable
                else min(usable, key=lambda q: (usable[q], q))
            )
            return BlindTransfer(queue, target.name, True)
        case _:
            assert_never(target.kind)
