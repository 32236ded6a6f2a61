"""The start page, per role: what needs the user now. Everyone who works tickets sees their
own open tickets and unread notifications; agents see the calls waiting in their queues and
the chats waiting to be taken; supervisors and admins see the floor (who is logged in and how,
calls and chats waiting, open and unassigned tickets) with links to the wallboard and the
statistics."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from ehd.accounts.notifications import unread_count
from ehd.accounts.permissions import Permission, may
from ehd.accounts.site_scope import visible_chats, visible_tickets
from ehd.db.models import AgentSession, ChatState, QueuedCall, QueueMember, Role, User
from ehd.tickets.listing import NOT_CLOSED

MINE_SHOWN = 10


def _supervises(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.SUPERVISOR)


async def _waiting_calls(user: User) -> list[dict[str, Any]]:
    """Per queue (the user's own, or every queue for a supervisor): callers waiting and the
    longest wait in seconds."""
    waiting = QueuedCall.filter(connected_at=None)
    if not _supervises(user):
        mine = await QueueMember.filter(user_id=user.id).values_list("queue__name", flat=True)
        waiting = waiting.filter(queue_name__in=[str(name) for name in mine])
    now = time.time()
    queues: dict[str, dict[str, Any]] = {}
    for call in await waiting.order_by("entered_at"):
        row = queues.setdefault(call.queue_name, {"queue": call.queue_name, "calls": 0,
                                                   "longest": 0})  # fmt: skip
        row["calls"] += 1
        row["longest"] = max(row["longest"], int(now - call.entered_at))
    return sorted(queues.values(), key=lambda row: row["queue"])


async def start_context(user: User) -> dict[str, Any]:
    works_tickets = may(user, Permission.TICKETS_WORK)
    mine = visible_tickets(user).filter(agent_id=user.id, status__in=NOT_CLOSED, held=False)
    chats = visible_chats(user).filter(state=ChatState.WAITING)
    context: dict[str, Any] = {
        "me": user,
        "supervises": _supervises(user),
        "works_tickets": works_tickets,
        "my_tickets": await mine.order_by("-updated_at").limit(MINE_SHOWN) if works_tickets else [],
        "my_ticket_count": await mine.count() if works_tickets else 0,
        "unread": await unread_count(user),
        "waiting_calls": await _waiting_calls(user),
        "waiting_chats": await chats.order_by("started_at").limit(MINE_SHOWN),
        "waiting_chat_count": await chats.count(),
        "now": datetime.now(UTC),
    }
    if _supervises(user):
        open_tickets = visible_tickets(user).filter(status__in=NOT_CLOSED, held=False)
        states = Counter(await AgentSession.all().values_list("state", flat=True))
        context["floor"] = {
            "agents": dict(sorted((str(state), n) for state, n in states.items())),
            "logged_in": sum(states.values()),
            "open_tickets": await open_tickets.count(),
            "unassigned": await open_tickets.filter(agent_id=None).count(),
        }
    return context
