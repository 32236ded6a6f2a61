"""Where a blind transfer sends the customer, and whether it may: to a queue (keeping the
place the customer first had in line, unless asked otherwise) or to one logged-in agent,
whose call it stays for a while in a queue that agent staffs. Or out of the queues: to one of
our numbers (its menu, the phone it rings), a colleague's phone or mailbox, or an outside
number through the trunk, as far as the agent may dial it. Pure.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import assert_never

from ehd.calls.call_control import CONSULTING, ConnectedCall, Refuse
from ehd.calls.dial_policy import DialDecision, DialKind
from ehd.calls.routing import Action, Route


class TransferKind(enum.StrEnum):
    AGENT = "agent"
    QUEUE = "queue"
    NUMBER = "number"  # as dialled: one of our numbers, an extension or an outside number
    MAILBOX = "mailbox"


@dataclass(frozen=True)
class TransferTarget:
    kind: TransferKind
    name: str  # the agent's or mailbox owner's username, the queue's name, the number
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
        case TransferKind.NUMBER | TransferKind.MAILBOX:
            return Refuse("a number or a mailbox is no queue")  # plan_number/mailbox_transfer
        case _:
            assert_never(target.kind)


@dataclass(frozen=True)
class SendOn:
    """Out of the queues: the caller's call follows ``route``. ``extension`` and ``context``
    are app_queue's BLINDTRANSFER fields (where to, and what kind of place that is)."""

    route: Route
    extension: str
    context: str

    @property
    def label(self) -> str:
        """How the call's records name where it went: ``number:+46812345678``."""
        return f"{self.context}:{self.extension}"


_DIALABLE = re.compile(r"[0-9+*#() ./-]{1,32}")


def looks_dialable(text: str) -> bool:
    """Digits (with + * #) and the separators people type, at most 32 characters: what a
    phone's transfer or the console's number field may name (anything else never reaches
    a lookup or the trunk)."""
    return _DIALABLE.fullmatch(text) is not None


# Routes of our own numbers a customer may be sent to; the staff services (listening to
# voicemail, recording prompts, remote login) are not for callers.
_CALLER_ROUTES = (Action.MENU, Action.RING_SIP)


def plan_number_transfer(
    call: ConnectedCall,
    dialled: str,
    our_route: Route | None,
    decision: DialDecision,
    colleague: str = "",
) -> BlindTransfer | SendOn | Refuse:
    """Where a number the agent typed sends the customer. ``our_route`` is the route of one
    of our own numbers (None for any other number); ``decision`` is what the agent could dial
    (the dial policy, with their rights); ``colleague`` the user whose extension it is, if
    any (not logged in: their phone rings, with their mailbox if nobody answers)."""
    if call.consult is not None:
        return Refuse(CONSULTING)
    if not looks_dialable(dialled):
        return Refuse("that is not a number")
    if our_route is not None:
        if our_route.action == Action.QUEUE:
            return BlindTransfer(our_route.target, None, keep_place=True)
        if our_route.action not in _CALLER_ROUTES:
            return Refuse("callers cannot be sent to that number")
        return SendOn(our_route, dialled, "route")
    match decision.kind:
        case DialKind.REFUSED:
            return Refuse(decision.reason)
        case DialKind.INTERNAL:
            phone = Route(Action.RING_SIP, target=decision.target, voicemail=colleague)
            return SendOn(phone, decision.target, "extension")
        case (
            DialKind.NATIONAL | DialKind.INTERNATIONAL | DialKind.PREMIUM_RATE | DialKind.EMERGENCY
        ):
            outside = Route(Action.RING_OUTSIDE, target=decision.target)
            return SendOn(outside, decision.target, "number")
        case _:
            assert_never(decision.kind)


def into_queue(plan: BlindTransfer, queue_id: int, moh_class: str, language: str) -> SendOn:
    """A call outside the queues (to an agent's own number, or one an agent placed) is sent
    into ``plan``'s queue as a new caller, kept for its agent first when there is one."""
    route = Route(Action.QUEUE, target=plan.queue, moh_class=moh_class, language=language,
                  queue_id=queue_id, agent=plan.agent_id or "")  # fmt: skip
    if plan.agent_id:
        return SendOn(route, plan.agent_id, "agent")
    return SendOn(route, plan.queue, "queue")


def plan_mailbox_transfer(call: ConnectedCall, username: str, has_mailbox: bool) -> SendOn | Refuse:
    """To leave a message for ``username``."""
    if call.consult is not None:
        return Refuse(CONSULTING)
    if not has_mailbox:
        return Refuse("there is no such mailbox")
    return SendOn(Route(Action.MAILBOX, voicemail=username), username, "mailbox")
