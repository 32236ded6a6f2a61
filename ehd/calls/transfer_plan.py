"""Where a blind transfer sends the customer, and whether it may: to a queue (keeping the
place the customer first had in line, unless asked otherwise) or to one logged-in agent,
whose call it stays for a while in a queue that agent staffs. Pure.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import assert_never

from ehd.calls.call_control import CONSULTING, ConnectedCall, Refuse


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
    if call.consult is not None:
        return Refuse(CONSULTING)
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
