"""A user's own workspace settings: which tickets their in-tray holds (their own; also the
new, unassigned tickets of their response groups), which statuses take a ticket out of it,
whether opening an unassigned ticket makes it theirs, whether working on a ticket makes them
watch it, and which events notify them (new tickets in their groups, waiting chats). Read with
defaults from the user's row, checked when saved."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ehd.db.models import TicketStatus, User
from ehd.errors import ValidationError

INBOX_NEW = ("none", "groups")  # new unassigned tickets of my groups: not shown, or shown
LEAVING = tuple(s.value for s in TicketStatus if s != TicketStatus.CLOSED)  # closed always leaves


@dataclass(frozen=True)
class Workspace:
    inbox_new: str = "none"
    inbox_hide: tuple[str, ...] = ()  # statuses that take a ticket out of the in-tray
    take_on_open: bool = False
    watch_on_activity: bool = False
    notify_new_tickets: bool = True  # a new ticket in one of my groups
    notify_chats: bool = True  # a chat waiting, while I take chats


def workspace_of(user: User) -> Workspace:
    """The user's settings; anything unknown or missing is the default. Pure."""
    stored: dict[str, Any] = user.workspace if isinstance(user.workspace, dict) else {}
    hide = stored.get("inbox_hide", [])
    inbox_new = str(stored.get("inbox_new", ""))
    return Workspace(
        inbox_new=inbox_new if inbox_new in INBOX_NEW else "none",
        inbox_hide=tuple(s for s in hide if s in LEAVING) if isinstance(hide, list) else (),
        take_on_open=stored.get("take_on_open") is True,
        watch_on_activity=stored.get("watch_on_activity") is True,
        notify_new_tickets=stored.get("notify_new_tickets") is not False,
        notify_chats=stored.get("notify_chats") is not False,
    )


async def save_workspace(user: User, chosen: Workspace) -> Workspace:
    if chosen.inbox_new not in INBOX_NEW:
        raise ValidationError("inbox_new is none or groups", field="inbox_new")
    unknown = [s for s in chosen.inbox_hide if s not in LEAVING]
    if unknown:
        raise ValidationError(f"no status {unknown[0]!r} to hide", field="inbox_hide")
    user.workspace = {**asdict(chosen), "inbox_hide": list(dict.fromkeys(chosen.inbox_hide))}
    await user.save(update_fields=["workspace"])
    return workspace_of(user)
