"""The outbox: every mail ehd sends is saved first, then sent, and tried again with growing
pauses while the mail server is away, so no reply or confirmation is lost with it.

``queue`` saves a message (inside the caller's transaction, with what it belongs to);
``deliver`` tries one now; ``send`` does both for mail that belongs to no ticket entry
(bounces, voicemail, mentions, alarms); ``deliver_due`` (a background job) tries all whose time
came.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

from ehd.db.models import Delivery, OutgoingMail, TicketEntry
from ehd.mail.outbound import Mailer, MailError

log = logging.getLogger(__name__)

# Pauses before each further try: about two days in all, then the mail is given up.
PAUSES = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
          timedelta(hours=4), timedelta(hours=12), timedelta(hours=24))  # fmt: skip


def pause_after(attempts: int) -> timedelta | None:
    """How long to wait after ``attempts`` failed tries; None: give up. Pure."""
    return PAUSES[attempts - 1] if 0 < attempts <= len(PAUSES) else None


async def queue(message: EmailMessage, entry: TicketEntry | None = None) -> OutgoingMail:
    recipients = ", ".join(str(message.get(h, "")) for h in ("To", "Cc") if message.get(h))
    return await OutgoingMail.create(entry=entry, recipients=recipients[:1000],
                                     message=message.as_bytes(),
                                     next_try_at=datetime.now(UTC))  # fmt: skip


async def send(mailer: Mailer, message: EmailMessage) -> bool:
    """Save ``message`` in the outbox and try it at once; True when it went out now (else the
    outbox tries again later). Without a mail server configured nothing is kept."""
    if not mailer.enabled:
        log.info("no mail server configured: %r to %s not sent", message["Subject"], message["To"])
        return False
    return await deliver(mailer, await queue(message))


async def deliver(mailer: Mailer, mail: OutgoingMail, now: datetime | None = None) -> bool:
    """Try to send ``mail`` now; True when it went out."""
    now = now or datetime.now(UTC)
    message = message_from_bytes(bytes(mail.message), policy=default_policy)
    assert isinstance(message, EmailMessage)
    mail.attempts += 1
    try:
        await mailer.send(message)
    except MailError as err:
        pause = pause_after(mail.attempts)
        mail.last_error = str(err)[:512]
        if pause is None:
            mail.state = Delivery.FAILED
            log.warning("mail %s to %s given up after %d tries: %s", mail.id, mail.recipients,
                        mail.attempts, err)  # fmt: skip
        else:
            mail.next_try_at = now + pause
            log.info("mail %s to %s not sent (try %d): %s", mail.id, mail.recipients,
                     mail.attempts, err)  # fmt: skip
        await mail.save(update_fields=["attempts", "last_error", "state", "next_try_at"])
        return False
    mail.state, mail.sent_at, mail.last_error = Delivery.SENT, now, ""
    await mail.save(update_fields=["attempts", "last_error", "state", "sent_at"])
    return True


async def deliver_due(mailer: Mailer, now: datetime | None = None) -> int:
    """Try every queued mail whose time came; how many went out."""
    now = now or datetime.now(UTC)
    if not mailer.enabled:
        return 0
    due = await OutgoingMail.filter(state=Delivery.QUEUED, next_try_at__lte=now).order_by("id")
    sent = 0
    for mail in due:
        sent += await deliver(mailer, mail, now)
    return sent
