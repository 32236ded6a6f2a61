"""Mail from tickets: replies that thread in the customer's mail program (our signed
Message-ID, In-Reply-To and References, the ticket tag in the subject), the right signature,
the optional confirmation of a new ticket, and what filters asked for (auto-replies, alarms).
Machine mail never gets an automatic answer."""

from __future__ import annotations

import asyncio
import html
import logging
import mimetypes
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from ehd.config import Config
from ehd.db.models import (
    Contact,
    Delivery,
    KnowledgeArticle,
    OutgoingMail,
    Ticket,
    TicketEntry,
    User,
)
from ehd.mail import outbox
from ehd.mail.conversation import message_id, subject_tag
from ehd.mail.header_text import one_line
from ehd.mail.outbound import Mailer, MailError
from ehd.plain_numbers import row_id
from ehd.sms import SmsError, SmsGateway
from ehd.tickets import filters as rules
from ehd.tickets.file_store import Upload
from ehd.tickets.links import token_for
from ehd.tickets.service import Ingested
from ehd.tickets.signatures import signature_folder, signature_for

log = logging.getLogger(__name__)

CONFIRMATION = (
    "Hello {NAME},\n\nThank you for your message. Your ticket number is {TICKNO}.\n"
    "You can follow it and add information here: {URL}\n"
)


AUTOMATIC_ANSWER_PERIOD = timedelta(hours=1)  # between automatic answers to one contact


@dataclass(frozen=True)
class Composed:
    """What an agent's reply carries besides its text: the same text as sanitised HTML when
    written as rich text, copies (None: the ticket's own CC list), blind copies and files."""

    html: str = ""
    cc: tuple[str, ...] | None = None
    bcc: tuple[str, ...] = ()
    files: tuple[Upload, ...] = ()


@dataclass
class TicketMail:
    mailer: Mailer
    key: bytes
    public_url: str
    sms: SmsGateway | None = None
    confirmation: str = ""  # empty: no confirmation of new tickets
    tag_subjects: bool = True
    images: Path = Path("data/signatures")  # where signature images live

    @property
    def domain(self) -> str:
        return self.mailer.config.mail_from.rpartition("@")[2] or "localhost"

    @classmethod
    def for_config(
        cls, config: Config, key: bytes, sms: SmsGateway | None = None, confirmation: str = ""
    ) -> TicketMail:
        return cls(Mailer(config), key, config.web_url, sms=sms, confirmation=confirmation,
                   tag_subjects=config.ticket_subject_tag == "on",
                   images=signature_folder(config))  # fmt: skip

    def link(self, ticket: Ticket) -> str:
        return f"{self.public_url.rstrip('/')}/t/{token_for(ticket.number, self.key)}"

    async def _thread_headers(self, ticket: Ticket) -> tuple[str, str]:
        ids = [
            mid
            for mid in await TicketEntry.filter(ticket=ticket)
            .exclude(message_id="")
            .order_by("created_at", "id")
            .values_list("message_id", flat=True)
        ]
        ids = [mid for mid in ids if str(mid).startswith("<")]  # not a content digest
        last_in = ids[-1] if ids else ""
        return str(last_in), " ".join(str(mid) for mid in ids[-10:])

    def _subject(self, ticket: Ticket, reply: bool) -> str:
        subject = one_line(ticket.subject)  # tickets stored before subjects were one line
        subject = subject if not reply or subject.lower().startswith("re:") else f"Re: {subject}"
        tag = subject_tag(ticket.number)
        return f"{subject} {tag}" if self.tag_subjects and tag not in subject else subject

    async def build_reply(
        self, ticket: Ticket, text: str, author: User | None, composed: Composed | None = None
    ) -> EmailMessage:
        """The reply as mail: plain text, and HTML beside it when it was written as rich text;
        then the signature's image and the files."""
        composed = composed or Composed()
        await ticket.fetch_related("contact", "site")
        to = ticket.contact.emails[0] if ticket.contact and ticket.contact.emails else ""
        if not to:
            raise MailError(f"ticket {ticket.number} has no contact address to reply to")
        signature = await signature_for(author, ticket.site_id)
        body = f"{text}\n\n-- \n{signature.text}" if signature else text
        message = await asyncio.to_thread(self.mailer.build, to, self._subject(ticket, True), body)
        if composed.html:
            signed = html.escape(signature.text).replace("\n", "<br>") if signature else ""
            closing = f"<p>-- <br>{signed}</p>" if signature else ""
            page = f"<!doctype html><html><body>{composed.html}{closing}</body></html>"
            message.add_alternative(page, subtype="html")
        if author is None:  # written by no one: other robots must not answer it
            message["Auto-Submitted"] = "auto-replied"
        if signature is not None and signature.image:
            await asyncio.to_thread(_attach_image, message, self.images / signature.image)
        for upload in composed.files:
            maintype, _, subtype = upload.content_type.partition("/")
            message.add_attachment(upload.data, maintype=maintype, subtype=subtype,
                                   filename=upload.filename)  # fmt: skip
        if ticket.site is not None and ticket.site.email_sender:  # the brand's own address
            del message["From"]
            message["From"] = ticket.site.email_sender
        del message["Message-ID"]
        message["Message-ID"] = message_id(ticket.number, self.key, self.domain)
        in_reply_to, references = await self._thread_headers(ticket)
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
            message["References"] = references
        copies = composed.cc if composed.cc is not None else tuple(ticket.cc)
        if copies:
            message["Cc"] = ", ".join(copies)
        if composed.bcc:  # the outbox keeps it; the SMTP client sends to it and drops the header
            message["Bcc"] = ", ".join(composed.bcc)
        return message

    async def reply(
        self, ticket: Ticket, text: str, author: User | None, composed: Composed | None = None
    ) -> TicketEntry:
        """Answer the customer and log it on the ticket: by text to a texting customer who
        has no email address, else by mail. A mail is saved with its entry first and then
        sent; if the mail server is away, the outbox tries again (``delivery`` tells). The
        caller keeps ``composed``'s files with the entry."""
        await ticket.fetch_related("contact")
        contact = ticket.contact
        if ticket.source == "sms" and contact is not None and contact.phones and not contact.emails:
            return await self._text_reply(ticket, contact.phones[0], text, author)
        if not self.mailer.enabled:
            raise MailError("no mail server is configured (smtp_host)")
        message = await self.build_reply(ticket, text, author, composed)
        async with in_transaction():
            entry = await TicketEntry.create(
                ticket=ticket,
                kind="mail_out",
                public=True,
                author=author.username if author else "ehd",
                text=text,
                html=composed.html if composed and composed.html else None,
                message_id=str(message["Message-ID"]),
            )
            outgoing = await outbox.queue(message, entry)
        await outbox.deliver(self.mailer, outgoing)
        return entry

    async def delivery(self, entry: TicketEntry) -> Delivery | None:
        """Where a mail entry's mail stands (None: not sent through the outbox)."""
        found = await OutgoingMail.filter(entry=entry).first()
        return Delivery(found.state) if found is not None else None

    async def _text_reply(
        self, ticket: Ticket, number: str, text: str, author: User | None
    ) -> TicketEntry:
        if self.sms is None:
            raise MailError("no text gateway is set up to answer a text message")
        try:
            await self.sms.send(number, text)
        except SmsError as err:
            raise MailError(f"the text to {number} was not sent: {err}") from err
        return await TicketEntry.create(ticket=ticket, kind="sms_out", public=True,
                                        author=author.username if author else "ehd",
                                        text=text)  # fmt: skip

    async def after_ingest(self, result: Ingested) -> None:
        """Confirm a new ticket, then carry out auto-replies and alarms; never to machines,
        and nothing for a message taken before."""
        if result.duplicate:
            return
        ticket = await Ticket.get(number=result.ticket_number).prefetch_related("contact")
        # One message gets every automatic answer it asks for (a confirmation and a filter's
        # answer), or none when its sender was answered automatically within the hour.
        answer = result.automated is None and await self._may_answer_automatically(ticket)
        if answer and result.new and not result.held and self.confirmation:
            name = ticket.contact.name if ticket.contact else ""
            text = (self.confirmation.replace("{TICKNO}", str(ticket.number))
                    .replace("{NAME}", name).replace("{URL}", self.link(ticket)))  # fmt: skip
            await self._quietly(self.reply(ticket, text, None), ticket, "confirmation")
        if not result.new:
            await self._tell_agent(ticket)
        await self.carry_out(ticket, result.actions, answer=answer)

    async def carry_out(
        self, ticket: Ticket, actions: Iterable[rules.Action], answer: bool | None = None
    ) -> None:
        """What filters asked for beyond field changes: auto-replies (not to machines, and
        within the per-sender limit when ``answer`` is not decided already) and alarms."""
        for action in actions:
            if action.kind == rules.ActionKind.AUTO_REPLY:
                if answer is None:
                    answer = await self._may_answer_automatically(ticket)
                text = await auto_reply_text(action.value) if answer else ""
                if text:
                    await self._quietly(self.reply(ticket, text, None), ticket, "auto-reply")
            elif action.kind == rules.ActionKind.ALARM:
                await self._alarm(ticket, action.value)

    async def bounce(self, to: str, reason: str) -> None:
        """Tell a sender their mail was not taken, and why (through the outbox)."""
        if not self.mailer.enabled:
            log.warning("cannot bounce to %s (no SMTP server configured): %s", to, reason)
            return
        await outbox.send(self.mailer, self.mailer.bounce_message(to, reason))

    async def _tell_agent(self, ticket: Ticket) -> None:
        """The ticket's agent hears of the customer's new message."""
        await ticket.fetch_related("agent")
        agent = ticket.agent
        if agent is None or not agent.email:
            return
        subject = f"New message on ticket {ticket.number}: {ticket.subject}"
        message = self.mailer.build(agent.email, subject, f"{subject}\n")
        message["Auto-Submitted"] = "auto-generated"
        await self._quietly(outbox.send(self.mailer, message), ticket, "agent notification")

    async def _alarm(self, ticket: Ticket, recipients: str) -> None:
        text = f"Alarm for ticket {ticket.number}: {ticket.subject} ({ticket.status})"
        for recipient in (r.strip() for r in recipients.split(",") if r.strip()):
            if "@" in recipient:
                message = self.mailer.build(recipient, text, f"{text}\n{self.link(ticket)}")
                message["Auto-Submitted"] = "auto-generated"
                await self._quietly(outbox.send(self.mailer, message), ticket, "alarm mail")
            elif self.sms is not None:
                try:
                    await self.sms.send(recipient, text)
                except SmsError as err:
                    log.warning("ticket %s: alarm text to %s failed: %s", ticket.number,
                                recipient, err)  # fmt: skip

    async def _may_answer_automatically(self, ticket: Ticket) -> bool:
        """At most once an hour per sender (RFC 3834); counts this time when it may. One
        conditional update decides, so two processes or a restart never answer twice."""
        if ticket.contact_id is None:
            return True  # no one to answer, or by text: nothing loops
        now = datetime.now(UTC)
        due = Q(auto_answered_at=None) | Q(auto_answered_at__lte=now - AUTOMATIC_ANSWER_PERIOD)
        if await Contact.filter(due, id=ticket.contact_id).update(auto_answered_at=now):
            return True
        log.info("ticket %s: no automatic answer: its sender had one less than an hour ago",
                 ticket.number)  # fmt: skip
        return False

    async def _quietly(self, sending: Awaitable[object], ticket: Ticket, what: str) -> None:
        try:
            await sending
        except MailError as err:
            log.warning("ticket %s: %s not sent: %s", ticket.number, what, err)


def _attach_image(message: EmailMessage, path: Path) -> None:
    """The signature's image (a logo), shown inline where the mail program supports it."""
    kind = mimetypes.guess_type(path.name)[0] or ""
    if not kind.startswith("image/") or not path.is_file():
        log.warning("signature image %s is missing or not an image; sent without it", path)
        return
    maintype, subtype = kind.split("/", 1)
    message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                           filename=path.name, disposition="inline")  # fmt: skip


async def auto_reply_text(value: str) -> str:
    """ "kb:<id>": a knowledge-base answer (its use is counted); "text:…" or plain: that text."""
    if value.startswith("kb:"):
        article_id = row_id(value[3:])
        article = None if article_id is None else await KnowledgeArticle.get_or_none(id=article_id)
        if article is None:
            log.warning("auto-reply names a missing knowledge-base answer %r", value)
            return ""
        article.times_used += 1
        await article.save(update_fields=["times_used"])
        return article.answer
    return value.removeprefix("text:")
