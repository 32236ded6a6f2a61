"""A user's notifications: what happened that concerns them (named in a note, given a ticket,
a new ticket in their group, a chat waiting),
stored so it reaches them whether or not they were online, and read from the top bar's bell,
the notifications page or the JSON API."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlencode

from ehd.accounts.notification_texts import sentence
from ehd.accounts.permissions import Permission, effective
from ehd.accounts.site_scope import restricted_to
from ehd.accounts.workspace import workspace_of
from ehd.db.models import ChatSession, Notification, NotificationKind, Ticket, User

KEPT = 200  # the newest a user's list shows


async def notify(
    user_ids: Iterable[int], kind: NotificationKind, details: dict[str, str], link: str, by: str
) -> None:
    """One notification for each user (once, however often they are named); ``details`` are
    what its sentence names (``who``, ``number``, ``subject``)."""
    kept = {key: str(value)[:200] for key, value in details.items()}
    text = sentence(kind, kept)[:500]
    await Notification.bulk_create([
        Notification(user_id=user_id, kind=kind, text=text, details=kept, link=link[:200],
                     by=by[:254])
        for user_id in dict.fromkeys(user_ids)
    ])  # fmt: skip


def _who_may_hear(users: list[User], site_code: str | None) -> list[User]:
    """Those of ``users`` who may see a row of this site (restricted users: their sites)."""
    if site_code is None:
        return users
    return [u for u in users if site_code in (restricted_to(u) or [site_code])]


async def new_ticket_in_group(ticket: Ticket, group_id: int, by: str) -> None:
    """A new, unassigned ticket came to a response group: its members hear of it, if their
    workspace says so."""
    members = await User.filter(memberships__queue_id=group_id, active=True).exclude(username=by)
    await ticket.fetch_related("site")
    site = ticket.site.code if ticket.site else None
    told = [u.id for u in _who_may_hear(list(members), site)
            if workspace_of(u).notify_new_tickets]  # fmt: skip
    await notify(told, NotificationKind.NEW_TICKET,
                 {"number": str(ticket.number), "subject": ticket.subject},
                 f"/tickets/{ticket.number}", by)  # fmt: skip


async def chat_waiting(session: ChatSession, site_code: str | None) -> None:
    """A visitor waits: the agents taking chats hear of it, if their workspace says so."""
    ready = await User.filter(chat_ready=True, active=True)
    told = [u.id for u in _who_may_hear(list(ready), site_code)
            if workspace_of(u).notify_chats]  # fmt: skip
    who = session.visitor_name or session.visitor_email  # none: "A visitor", translated
    await notify(told, NotificationKind.CHAT_WAITING, {"who": who}, "/chats", "")


async def unread_count(user: User) -> int:
    return await Notification.filter(user_id=user.id, read_at=None).count()


async def unread(user: User, limit: int) -> list[Notification]:
    """The newest unread ones."""
    return await Notification.filter(user_id=user.id, read_at=None).order_by("-id").limit(limit)


async def newest(user: User, limit: int = KEPT) -> Sequence[Notification]:
    """Unread first, then the newest."""
    waiting = await unread(user, limit)
    read = await Notification.filter(user_id=user.id, read_at__not_isnull=True).order_by(
        "-id").limit(max(0, limit - len(waiting)))  # fmt: skip
    return [*waiting, *read]


async def open_one(user: User, notification_id: int) -> str:
    """Mark one of the user's notifications read; its link ("" when it is not theirs)."""
    found = await Notification.get_or_none(id=notification_id, user_id=user.id)
    if found is None:
        return ""
    await mark_read(user, [found.id])
    return found.link


async def mark_read(user: User, ids: Sequence[int] | None = None) -> int:
    """Mark some (or, with None, all) of the user's notifications read; how many changed."""
    mine = Notification.filter(user_id=user.id, read_at=None)
    if ids is not None:
        mine = mine.filter(id__in=list(ids))
    return await mine.update(read_at=datetime.now(UTC))


async def service_goal_missed(queue: str, level: float, target: float, goal: float) -> None:
    """A queue fell below its service goal: everyone who reads the statistics hears of it."""
    users = await User.filter(active=True)
    told = [u.id for u in users if Permission.STATISTICS in effective(u.role, u.granted, u.revoked)]
    details = {"queue": queue, "level": f"{level:g}", "target": f"{target:g}", "goal": f"{goal:g}"}
    link = f"/statistics/calls?{urlencode({'queue': queue, 'granularity': '15min'})}"
    await notify(told, NotificationKind.SERVICE_GOAL, details, link, "")
