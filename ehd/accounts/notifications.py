"""A user's notifications: what happened that concerns them (named in a note, given a ticket),
stored so it reaches them whether or not they were online, and read from the top bar's bell,
the notifications page or the JSON API."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from ehd.db.models import Notification, NotificationKind, User

KEPT = 200  # the newest a user's list shows


async def notify(
    user_ids: Iterable[int], kind: NotificationKind, text: str, link: str, by: str
) -> None:
    """One notification for each user (once, however often they are named)."""
    await Notification.bulk_create([
        Notification(user_id=user_id, kind=kind, text=text[:500], link=link[:200], by=by[:254])
        for user_id in dict.fromkeys(user_ids)
    ])  # fmt: skip


async def unread_count(user: User) -> int:
    return await Notification.filter(user_id=user.id, read_at=None).count()


async def newest(user: User, limit: int = KEPT) -> Sequence[Notification]:
    """Unread first, then the newest."""
    unread = await Notification.filter(user_id=user.id, read_at=None).order_by("-id").limit(limit)
    read = await Notification.filter(user_id=user.id, read_at__not_isnull=True).order_by(
        "-id").limit(max(0, limit - len(unread)))  # fmt: skip
    return [*unread, *read]


async def mark_read(user: User, ids: Sequence[int] | None = None) -> int:
    """Mark some (or, with None, all) of the user's notifications read; how many changed."""
    mine = Notification.filter(user_id=user.id, read_at=None)
    if ids is not None:
        mine = mine.filter(id__in=list(ids))
    return await mine.update(read_at=datetime.now(UTC))
