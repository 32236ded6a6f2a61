"""Ticket statuses and the rules between them. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from ehd.db.models.tickets import TicketPriority, TicketStatus
from ehd.errors import ValidationError

# The tickets domain calls them Status and Priority; the columns own the values.
Status = TicketStatus
Priority = TicketPriority


DONE = frozenset({Status.SOLVED, Status.CLOSED})
WAITING = frozenset(
    {Status.WITH_CONTACT, Status.WITH_EXTERNAL, Status.RESTING, Status.RESTING_UNTIL}
)


def check_change(new: Status, resting_until: datetime | None, now: datetime) -> None:
    if new == Status.RESTING_UNTIL and (resting_until is None or resting_until <= now):
        raise ValidationError("resting until needs a date in the future", field="resting_until")


def after_customer_reply(status: Status, updated_at: datetime, now: datetime,
                         reopen_days: int) -> Status | None:  # fmt: skip
    """The status a customer's reply moves the ticket to (None: keep it, a new ticket)."""
    if status in DONE:
        return Status.OPEN if now - updated_at <= timedelta(days=reopen_days) else None
    if status in WAITING:
        return Status.OPEN
    return status


def wakes_up(status: Status, resting_until: datetime | None, now: datetime) -> bool:
    """A ticket resting until a date opens by itself once the date has come."""
    return status == Status.RESTING_UNTIL and resting_until is not None and resting_until <= now


def after_opened_by_agent(status: Status, auto_assign: bool) -> Status:
    """With "auto assigned", opening a new ticket makes it Open (and the opener its agent)."""
    return Status.OPEN if auto_assign and status == Status.NEW else status
