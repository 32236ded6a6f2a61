"""Mail that cannot become a ticket, kept aside instead of blocking the mail behind it.

Both doors (IMAP and the forwarding SMTP server) take mail in through ``take_in``. A failure of
the database or the disk is passing: it is raised, the message stays with its sender or on the
IMAP server and is tried again. Any other failure belongs to the message itself (a parser or
rule that chokes on it): the raw message is kept in the mail store with its error, the door
acknowledges it, and an admin can retry it (after a fix), download it or discard it. Nothing is
lost and one bad message never stops a mailbox again.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tortoise.exceptions import DBConnectionError, OperationalError, TransactionManagementError

from ehd.db.models import QuarantinedMail
from ehd.mail.header_text import one_line
from ehd.mail.parse import parse
from ehd.tickets.file_store import raw_path, store_file
from ehd.tickets.service import Ingested, MailTooLarge, ingest_mail

log = logging.getLogger(__name__)

# Failures of the database or the disk, not of the message: the door tries again later.
PASSING = (DBConnectionError, OperationalError, TransactionManagementError, OSError, TimeoutError)
MAX_ERROR_CHARS = 8000


@dataclass(frozen=True)
class Quarantined:
    """The door's answer for a message kept aside: acknowledged, no ticket (yet)."""

    id: int
    error: str


async def take_in(
    raw: bytes,
    secret: bytes,
    store: Path,
    source: str,
    site_id: int | None = None,
    hold: bool = False,
) -> Ingested | Quarantined:
    """A ticket (or reply) from ``raw``, or the message quarantined. Raises MailTooLarge, and
    the passing failures the door should retry."""
    try:
        return await ingest_mail(raw, secret, store, site_id, hold)
    except (MailTooLarge, *PASSING):
        raise
    except Exception as err:
        log.exception("mail from %s could not become a ticket: quarantined", source)
        return await quarantine(raw, store, source, err, site_id, hold)


async def quarantine(
    raw: bytes,
    store: Path,
    source: str,
    err: BaseException,
    site_id: int | None = None,
    hold: bool = False,
) -> Quarantined:
    digest = await store_file(store / "raw", raw, ".eml")
    error = _error_text(err)
    # The same message again (a mail server's retry, an IMAP round after a crash): one entry.
    kept = await QuarantinedMail.filter(raw_sha256=digest, released_at=None).first()
    if kept is None:
        sender, subject = _who_and_what(raw)
        kept = await QuarantinedMail.create(
            source=source[:80], raw_sha256=digest, size=len(raw), sender=sender[:255],
            subject=subject[:255], error=error, site_id=site_id, hold=hold,
        )  # fmt: skip
    return Quarantined(kept.id, error)


def _error_text(err: BaseException) -> str:
    """The traceback, its end kept when long (the end names the failure)."""
    return "".join(traceback.format_exception(err))[-MAX_ERROR_CHARS:]


def _who_and_what(raw: bytes) -> tuple[str, str]:
    try:
        mail = parse(raw)
    except Exception:  # the parser itself may be what failed
        return "", ""
    return mail.sender, one_line(mail.subject)


async def raw_of(kept: QuarantinedMail, store: Path) -> bytes:
    return await asyncio.to_thread(raw_path(store / "raw", kept.raw_sha256, ".eml").read_bytes)


async def retry(kept: QuarantinedMail, secret: bytes, store: Path) -> Ingested | Quarantined:
    """Try the message again (after the fault was fixed); a success releases it."""
    raw = await raw_of(kept, store)
    try:
        result = await ingest_mail(raw, secret, store, kept.site_id, kept.hold)
    except (MailTooLarge, *PASSING):
        raise
    except Exception as err:
        kept.error = _error_text(err)
        await kept.save(update_fields=["error"])
        return Quarantined(kept.id, kept.error)
    kept.ticket_number, kept.released_at = result.ticket_number, datetime.now(UTC)
    await kept.save(update_fields=["ticket_number", "released_at"])
    log.info("quarantined mail %s released as ticket %s", kept.id, result.ticket_number)
    return result
