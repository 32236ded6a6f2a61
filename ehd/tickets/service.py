"""Tickets in the database: numbering, changes with history, and mail turned into tickets.

``ingest_mail`` is the one way mail becomes a ticket or a reply, whichever door it came in by
(IMAP or the forwarding SMTP server): the raw message is kept, machine mail never gets an
automatic answer, threading follows ``ehd.mail.conversation`` and filters run as data.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Max
from tortoise.transactions import in_transaction

from ehd.accounts.notifications import new_ticket_in_group
from ehd.crm.directory import contact_for_email
from ehd.db.models import (
    Contact,
    Queue,
    Site,
    Ticket,
    TicketAttachment,
    TicketChange,
    TicketCounter,
    TicketEntry,
    TicketFilter,
    TicketTemplate,
    User,
)
from ehd.errors import EhdError
from ehd.mail.conversation import automated, thread
from ehd.mail.header_text import one_line
from ehd.mail.parse import ParsedMail, parse
from ehd.tickets import filters as rules
from ehd.tickets import search  # noqa: F401  (its model signals keep the search index current)
from ehd.tickets.file_store import Upload, attach_files, store_file
from ehd.tickets.options import holds_automatic_mail
from ehd.tickets.status import DONE, WAITING, Status, after_customer_reply

log = logging.getLogger(__name__)

MAX_MAIL_BYTES = 25 * 1024 * 1024
REOPEN_DAYS = 14


class MailTooLarge(EhdError):
    error_id = "mail-too-large"
    status = 413


@dataclass
class Ingested:
    ticket_number: int
    new: bool
    automated: str | None
    actions: list[rules.Action] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    held: bool = False
    duplicate: bool = False  # this very message was taken before: nothing new was made


FIRST_NUMBER = 1001


async def _next_number() -> int:
    """The next ticket number, inside the caller's transaction: the counter row stays locked
    until it ends, so numbers never clash (they once did under load: a third of mails were
    refused)."""
    if not await TicketCounter.filter(id=1).update(last_given=F("last_given") + 1):
        row = await Ticket.annotate(top=Max("number")).first().values("top")
        top = row["top"] if row and row["top"] is not None else FIRST_NUMBER - 1
        try:
            async with in_transaction():  # first ticket ever, or the row was lost
                await TicketCounter.create(id=1, last_given=int(top) + 1)
        except IntegrityError:  # another took the first number meanwhile
            await TicketCounter.filter(id=1).update(last_given=F("last_given") + 1)
    return (await TicketCounter.get(id=1)).last_given


async def change(ticket: Ticket, who: str, name: str, new: object) -> None:
    """Set a field and keep the history of who changed it."""
    old = getattr(ticket, name)
    if old == new:
        return
    setattr(ticket, name, new)
    await ticket.save(update_fields=[name, "updated_at"])
    await TicketChange.create(ticket=ticket, who=who, field=name, old=str(old or "")[:1000],
                              new=str(new or "")[:1000])  # fmt: skip
    if (
        name == "group_id"
        and isinstance(new, int)
        and ticket.agent_id is None
        and (ticket.status == Status.NEW.value)
    ):
        await new_ticket_in_group(ticket, new, who)


async def create_ticket(subject: str, description: str, source: str, contact: Contact | None,
                        cc: list[str]) -> Ticket:  # fmt: skip
    async with in_transaction():  # the number and its ticket together
        return await Ticket.create(
            number=await _next_number(),
            subject=one_line(subject)[:512],
            description=description[:8000],
            source=source,
            contact=contact,
            company_id=contact.company_id if contact else None,
            cc=cc,
        )


async def _ticket_addresses(number: int) -> dict[int, list[str]]:
    ticket = await Ticket.get_or_none(number=number).prefetch_related("contact")
    if ticket is None:
        return {}
    known = list(ticket.contact.emails) if ticket.contact else []
    return {number: [*known, *ticket.cc]}


async def ingest_mail(
    raw: bytes, secret: bytes, store: Path, site_id: int | None = None, hold: bool = False
) -> Ingested:
    """Make a ticket (or a reply on one) from a raw message; new tickets belong to the
    mailbox's site. Raises MailTooLarge.

    The files are stored first (by content, so a retry writes nothing new); every database
    write is then one transaction, so a message that fails half-way leaves no ticket without
    its text, and the mailbox's retry does not make a second one."""
    if len(raw) > MAX_MAIL_BYTES:
        raise MailTooLarge(f"the message is {len(raw) // (1024 * 1024)} MB; the limit is 25 MB")
    raw_digest = await store_file(store / "raw", raw, ".eml")
    mail = parse(raw)
    digests = [await store_file(store / "attachments", a.data, "") for a in mail.attachments]
    # The same message twice (a mail server's retry, a mailbox read again after a crash
    # between commit and delete) is one message: known by its Message-ID, else its content.
    seen_as = mail.message_id[:255] or f"{RAW_DIGEST}{raw_digest}"
    async with in_transaction():
        return await _record_mail(mail, digests, seen_as, secret, site_id, hold)


RAW_DIGEST = "sha256:"  # a mail without a Message-ID is known by its content


async def _record_mail(
    mail: ParsedMail,
    digests: list[str],
    seen_as: str,
    secret: bytes,
    site_id: int | None,
    hold: bool,
) -> Ingested:
    machine = automated(mail.message) if mail.message is not None else "unparsable"
    taken = await TicketEntry.filter(kind="mail_in", message_id=seen_as).first()
    if taken is not None:
        earlier = await Ticket.get(id=taken.ticket_id)
        log.info("mail %s was taken before (ticket %s): not again", seen_as, earlier.number)
        return Ingested(earlier.number, False, machine, [], mail.problems, held=earlier.held,
                        duplicate=True)  # fmt: skip
    number = await _thread(mail, secret)
    contact = await contact_for_email(mail.sender, mail.sender_name) if mail.sender else None
    ticket = await Ticket.get(number=number) if number is not None else None
    if ticket is not None:
        reopened = after_customer_reply(
            Status(ticket.status), ticket.updated_at, datetime.now(UTC), REOPEN_DAYS
        )
        if reopened is None:  # long closed: the customer's new matter gets a new ticket
            ticket = None
        elif reopened.value != ticket.status:
            await change(ticket, mail.sender or "mail", "status", reopened.value)
    new = ticket is None
    if ticket is None:
        cc = [a for a in mail.cc if a != mail.sender]
        ticket = await create_ticket(
            mail.subject or "(no subject)", mail.text, "email", contact, cc
        )
        if site_id is not None:
            await change(ticket, "mail", "site_id", site_id)
        robot = machine is not None and mail.message is not None  # not merely unreadable
        if hold or (robot and await holds_automatic_mail()):
            # The mailbox holds new mail for someone to accept; automatic mail that starts
            # no conversation of ours (a vacation reply, a bounce, a list) waits there too.
            await change(ticket, "mail", "held", True)
    entry = await TicketEntry.create(
        ticket=ticket,
        kind="mail_in",
        public=True,
        author=mail.sender,
        text=mail.text,
        html=mail.html or None,
        message_id=seen_as,
    )
    for attachment, digest in zip(mail.attachments, digests, strict=True):
        await TicketAttachment.create(
            ticket=ticket,
            entry=entry,
            filename=attachment.filename[:255],
            content_type=attachment.content_type[:128],
            sha256=digest,
            size=len(attachment.data),
            content_id=attachment.content_id,
        )
    outcome = await run_filters(ticket, mail, rules.Trigger.NEW if new else rules.Trigger.REPLY)
    actions = [
        a for a in outcome.actions if not (machine and a.kind == rules.ActionKind.AUTO_REPLY)
    ]
    kind = "new" if new else "reply"
    note = f", machine mail: {machine}" if machine else ""
    log.info("mail %s -> ticket %s (%s)%s", mail.message_id, ticket.number, kind, note)
    return Ingested(ticket.number, new, machine, actions, mail.problems, held=ticket.held)


async def _thread(mail: ParsedMail, secret: bytes) -> int | None:
    if mail.message is None:
        return None
    message = mail.message
    tag_numbers = await _candidates(message)
    cache: dict[int, list[str]] = {}
    for number in tag_numbers:
        cache.update(await _ticket_addresses(number))
    return thread(message, secret, lambda n: cache.get(n))


async def _candidates(message: EmailMessage) -> list[int]:
    """Ticket numbers a mail might refer to (subject tags and our Message-IDs)."""
    text = " ".join(str(message.get(h, "")) for h in ("Subject", "In-Reply-To", "References"))
    numbers = {int(n) for n in re.findall(r"\[#([0-9]{1,12})\]", text)}
    numbers |= {int(n) for n in re.findall(r"ehd\.t([0-9]{1,12})\.", text, re.I)}
    return sorted(numbers)


async def active_filters() -> list[rules.Filter]:
    parsed = []
    for row in await TicketFilter.filter(active=True):
        try:
            parsed.append(rules.parse_stored(row.id, row.name, row.definition))
        except EhdError as err:  # stored before validation existed: skip, loudly
            log.warning("ticket filter %s is invalid and skipped: %s", row.name, err)
    return parsed


async def run_filters(ticket: Ticket, mail: ParsedMail, trigger: rules.Trigger) -> rules.Outcome:
    parsed = await active_filters()
    facts = rules.Facts(
        subject=mail.subject,
        body=mail.text,
        sender=mail.sender,
        recipients=tuple([*mail.to, *mail.cc]),
        source=ticket.source,
        status=ticket.status,
        minutes_since_change=0.0,
        site=await _site_code(ticket),
    )
    outcome = rules.run(parsed, facts, trigger)
    chosen = any(a.kind == rules.ActionKind.TEMPLATE for a in outcome.actions)
    if trigger == rules.Trigger.NEW and not chosen:
        outcome.actions.extend(await _template_by_rules(facts))
    for action in outcome.actions:
        await apply(ticket, action)
    return outcome


async def _site_code(ticket: Ticket) -> str:
    """The ticket's site, as filters bound to a site name it ("" for none)."""
    if ticket.site_id is None:
        return ""
    site = await Site.get_or_none(id=ticket.site_id)
    return site.code if site else ""


async def _template_by_rules(facts: rules.Facts) -> list[rules.Action]:
    """A template's own matching rules choose it when no filter chose a template (filters
    take over where both exist)."""
    candidates = []
    for template in await TicketTemplate.exclude(match_rules={}):
        definition = {**template.match_rules, "triggers": ["new"],
                      "actions": [{"kind": "template", "value": template.name}]}  # fmt: skip
        try:
            candidates.append(rules.parse_stored(-template.id, template.name, definition))
        except EhdError as err:
            log.warning("template %s has invalid matching rules: %s", template.name, err)
    return rules.run(candidates, facts, rules.Trigger.NEW).actions


async def apply(ticket: Ticket, action: rules.Action) -> None:
    """Field changes happen here; replies and alarms are returned to the caller to send."""
    who = "filter"
    if action.kind == rules.ActionKind.PRIORITY:
        await change(ticket, who, "priority", action.value)
    elif action.kind == rules.ActionKind.STATUS:
        await change(ticket, who, "status", Status(action.value).value)
    elif action.kind == rules.ActionKind.CLOSE:
        await change(ticket, who, "status", Status.CLOSED.value)
    elif action.kind == rules.ActionKind.GROUP:
        group = await Queue.get_or_none(name=action.value)
        if group is not None:
            await change(ticket, who, "group_id", group.id)
    elif action.kind == rules.ActionKind.AGENT:
        agent = await User.get_or_none(username=action.value, active=True)
        if agent is not None:
            await change(ticket, who, "agent_id", agent.id)
    elif action.kind == rules.ActionKind.TEMPLATE:
        template = await TicketTemplate.get_or_none(name=action.value)
        if template is not None:
            await use_template(ticket, template, who)


async def use_template(ticket: Ticket, template: TicketTemplate, who: str) -> None:
    """The template and its defaults: response group, priority, and the status for new ones."""
    await change(ticket, who, "template_id", template.id)
    if template.group_id is not None:
        await change(ticket, who, "group_id", template.group_id)
    await change(ticket, who, "priority", template.default_priority)
    if ticket.status == Status.NEW.value:
        await change(ticket, who, "status", Status(template.default_status).value)


async def customer_reply(
    ticket: Ticket, text: str, files: Sequence[Upload], store: Path
) -> TicketEntry:
    """The customer wrote on their ticket page: a public entry, files, and the ticket back
    with the agents if it was waiting or done."""
    entry = await TicketEntry.create(ticket=ticket, kind="customer", public=True,
                                     author="customer", text=text)  # fmt: skip
    await attach_files(ticket, entry, files, store)
    current = Status(ticket.status)
    if current in DONE or current in WAITING:
        await change(ticket, "customer", "status", Status.OPEN.value)
    return entry


async def run_existing_filters(
    now: datetime | None = None,
) -> list[tuple[int, str, tuple[rules.Action, ...]]]:
    """The periodic pass: filters for existing tickets, each firing once per ticket until the
    ticket changes again. Field changes are made here; (ticket number, filter name, actions)
    come back so the caller sends the alarms and replies."""
    now = now or datetime.now(UTC)
    active = [f for f in await active_filters() if rules.Trigger.EXISTING in f.triggers]
    fired: list[tuple[int, str, tuple[rules.Action, ...]]] = []
    if not active:
        return fired
    open_tickets = Ticket.exclude(status="closed").filter(held=False).prefetch_related("site")
    for ticket in await open_tickets:
        minutes = (now - ticket.updated_at).total_seconds() / 60
        facts = rules.Facts(subject=ticket.subject, body=ticket.description, source=ticket.source,
                            status=ticket.status, minutes_since_change=minutes,
                            site=ticket.site.code if ticket.site else "")  # fmt: skip
        for item in active:
            if not item.applies(facts, rules.Trigger.EXISTING):
                continue
            done = await TicketChange.filter(
                ticket=ticket, field="filter", new=item.name, at__gte=ticket.updated_at
            ).exists()
            if done:
                continue
            for action in item.actions:
                await apply(ticket, action)
            # Marked after its own changes, so they do not count as the ticket changing.
            await TicketChange.create(ticket=ticket, who="filter", field="filter", new=item.name)
            fired.append((ticket.number, item.name, item.actions))
    return fired
