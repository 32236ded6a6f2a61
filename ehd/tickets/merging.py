"""Merging a ticket into another: its log and files move to the other (found there by search
too), a note says where they came from, and the merged ticket is closed as the other's child.
Any two tickets may be merged, whoever their contacts, but never into a closed ticket or into
one that was itself merged away."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from ehd.db.models import Ticket, TicketAttachment, TicketEntry, User
from ehd.errors import ValidationError
from ehd.tickets import service
from ehd.tickets.search import reindex_ticket
from ehd.tickets.status import Status


def check_merge(ticket: Ticket, target: Ticket) -> None:
    """Raises when ``ticket`` may not go into ``target``. Pure."""
    if target.id == ticket.id:
        raise ValidationError("a ticket cannot be merged into itself", field="into")
    if ticket.master_id is not None:
        raise ValidationError(f"ticket {ticket.number} was merged already", field="into")
    if target.master_id is not None:
        raise ValidationError(f"ticket {target.number} was merged into another", field="into")
    if target.status == Status.CLOSED.value:
        raise ValidationError(f"ticket {target.number} is closed", field="into")


async def merge(ticket: Ticket, target: Ticket, me: User) -> None:
    check_merge(ticket, target)
    async with in_transaction():
        await TicketEntry.filter(ticket=ticket).update(ticket_id=target.id)
        await TicketAttachment.filter(ticket=ticket).update(ticket_id=target.id)
        text = f"Merged from ticket {ticket.number}: {ticket.subject}"
        await TicketEntry.create(ticket=target, kind="note", public=False, author=me.username,
                                 text=text)  # fmt: skip
        await service.change(ticket, me.username, "master_id", target.id)
        await service.change(ticket, me.username, "status", Status.CLOSED.value)
    await reindex_ticket(target)  # the moved entries are found under their new ticket
