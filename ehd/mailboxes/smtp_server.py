"""The forwarding address: an SMTP server (aiosmtpd) in ehd's own event loop that turns each
message into a ticket. Too-large mail is refused at DATA (552), so the sending server bounces
it to the sender with our reason; a database failure answers 451 so the sender tries again
later and nothing is lost; a message that fails for a reason of its own is quarantined and
accepted (``ehd.mailboxes.quarantine``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from ehd.mailboxes.quarantine import Quarantined, take_in
from ehd.tickets.service import MAX_MAIL_BYTES, Ingested, MailTooLarge

log = logging.getLogger(__name__)


AfterIngest = Callable[[Ingested], Awaitable[None]]


async def _nothing(_result: Ingested) -> None:
    return None


class TicketMailHandler:
    def __init__(self, secret: bytes, store: Path, after: AfterIngest = _nothing) -> None:
        self.secret = secret
        self.store = store
        self.after = after

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="replace")
        try:
            result = await take_in(raw, self.secret, self.store, "smtp")
        except MailTooLarge as err:
            return f"552 5.3.4 {err.message}"
        except Exception:  # the database or disk: keep the mail with the sender
            log.exception("mail from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 Temporary failure storing the message, try again later"
        if isinstance(result, Quarantined):
            return f"250 2.0.0 OK kept for review as {result.id}"
        try:
            await self.after(result)  # confirmations, auto-replies, alarms
        except Exception:
            log.exception("ticket %s: follow-up mail failed", result.ticket_number)
        return f"250 2.0.0 OK ticket {result.ticket_number}"


async def start_server(handler: TicketMailHandler, host: str, port: int) -> asyncio.Server:
    loop = asyncio.get_running_loop()

    def protocol() -> Any:
        return SMTP(handler, data_size_limit=MAX_MAIL_BYTES, enable_SMTPUTF8=True,
                    hostname="ehd")  # fmt: skip

    return await loop.create_server(protocol, host, port)
