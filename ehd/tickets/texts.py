"""Text messages (SMS) from customers become tickets: the sender is matched to a contact by
number (made on first contact, in the company its number series names), a text continues the
sender's latest text ticket while it is active or recently done, and filters run as for mail."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from ehd.crm.directory import contact_for_phone
from ehd.db.models import Ticket, TicketEntry
from ehd.errors import ValidationError
from ehd.mail.parse import ParsedMail
from ehd.phone_numbers import to_e164
from ehd.tickets import filters as rules
from ehd.tickets.service import REOPEN_DAYS, Ingested, change, create_ticket, run_filters
from ehd.tickets.status import Status, after_customer_reply

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000  # far above a concatenated SMS; anything longer is not a text message
SUBJECT_CHARS = 60


def subject_of(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    if len(first_line) <= SUBJECT_CHARS:
        return first_line or "(empty text message)"
    return first_line[: SUBJECT_CHARS - 1].rstrip() + "…"


async def ingest_text(sender: str, text: str) -> Ingested:
    """Make a ticket (or add to one) from a customer's text. Raises ValidationError for a
    sender that is not a phone number or a text that is too long."""
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(f"a text message is at most {MAX_TEXT_CHARS} characters",
                              field="text")  # fmt: skip
    contact = await contact_for_phone(sender)
    if contact is None:
        raise ValidationError(f"{sender!r} is not a phone number", field="from")
    e164 = to_e164(sender) or sender
    ticket = await Ticket.filter(contact=contact, source="sms").order_by("-id").first()
    if ticket is not None:
        reopened = after_customer_reply(
            Status(ticket.status), ticket.updated_at, datetime.now(UTC), REOPEN_DAYS
        )
        if reopened is None:
            ticket = None
        elif reopened.value != ticket.status:
            await change(ticket, e164, "status", reopened.value)
    new = ticket is None
    if ticket is None:
        ticket = await create_ticket(subject_of(text), text, "sms", contact, [])
    await TicketEntry.create(ticket=ticket, kind="sms_in", public=True, author=e164, text=text)
    trigger = rules.Trigger.NEW if new else rules.Trigger.REPLY
    facts = ParsedMail(subject=ticket.subject, sender=e164, sender_name=contact.name, text=text)
    outcome = await run_filters(ticket, facts, trigger)
    log.info("text from %s -> ticket %s (%s)", e164, ticket.number, "new" if new else "reply")
    return Ingested(ticket.number, new, None, list(outcome.actions))
