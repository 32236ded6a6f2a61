"""What to do with each stored queue call after a (re)start of ehd. Pure.

Waiting calls and callbacks are stored (``queued_calls``) so a restart loses no one's place.
On start each stored call is one of: a callback (no line held: it waits again as data), a
call that died meanwhile (closed in queue_log as abandoned, or completed if it was talking),
a call whose agent hung up meanwhile (completed by the agent, the caller hung up), a call
still talking to an agent (it goes on, the agent stays busy with it, and so does a
consultation the agent has under way), or a caller still
waiting (queued again with the original entry time). Talking calls come first, so their
agents are busy before anyone is offered a call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ehd.acd.actions import LogQueueEvent

CALLBACK = "callback"


class StoredCall(Protocol):
    """The stored fields the plan reads (a ``QueuedCall`` row)."""

    @property
    def call_id(self) -> str: ...
    @property
    def queue_name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def entered_at(self) -> float: ...
    @property
    def connected_at(self) -> float | None: ...
    @property
    def agent_channel(self) -> str: ...
    @property
    def consult_channel(self) -> str: ...


@dataclass(frozen=True)
class AdoptCallback:
    call: StoredCall


@dataclass(frozen=True)
class CloseDead:
    call: StoredCall
    entry: LogQueueEvent  # the queue_log row that ends it


@dataclass(frozen=True)
class ResumeTalking:
    call: StoredCall
    connected_at: float
    consulting: bool = False  # the agent's consultation is still up: it goes on too


@dataclass(frozen=True)
class AgentGone:
    """The caller is still there but the agent hung up while ehd was away: the call ends."""

    call: StoredCall
    entry: LogQueueEvent  # the queue_log row that ends it


@dataclass(frozen=True)
class Requeue:
    call: StoredCall


RestoreStep = AdoptCallback | CloseDead | AgentGone | ResumeTalking | Requeue


def plan_restore(
    calls: Iterable[StoredCall], live_channels: set[str], known: set[str], now: float
) -> list[RestoreStep]:
    """One step per stored call not already ``known`` to the running service, talking calls
    first, then in the order they entered."""
    ordered = sorted(calls, key=lambda call: (not call.agent, call.entered_at))
    steps: list[RestoreStep] = []
    for call in ordered:
        if call.call_id in known:
            continue
        if call.kind == CALLBACK:
            steps.append(AdoptCallback(call))
        elif call.call_id not in live_channels:
            event = "COMPLETECALLER" if call.agent else "ABANDON"
            ended = ("0", "0", str(int(now - call.entered_at)))
            entry = LogQueueEvent(now, call.call_id, call.queue_name, call.agent or "NONE",
                                  event, ended)  # fmt: skip
            steps.append(CloseDead(call, entry))
        elif call.agent and call.agent_channel not in live_channels:
            connected = call.connected_at if call.connected_at is not None else now
            times = (str(int(connected - call.entered_at)), str(int(now - connected)), "1")
            entry = LogQueueEvent(now, call.call_id, call.queue_name, call.agent,
                                  "COMPLETEAGENT", times)  # fmt: skip
            steps.append(AgentGone(call, entry))
        elif call.agent:
            connected_at = call.connected_at if call.connected_at is not None else now
            consulting = bool(call.consult_channel) and call.consult_channel in live_channels
            steps.append(ResumeTalking(call, connected_at, consulting))
        else:
            steps.append(Requeue(call))
    return steps
