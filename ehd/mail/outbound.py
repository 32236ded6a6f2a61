"""Send one message through the configured SMTP server, built with the stdlib ``email`` API."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from pathlib import Path

import aiosmtplib

from ehd.config import Config
from ehd.mail.header_text import one_line

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    path: Path
    filename: str
    maintype: str = "audio"
    subtype: str = "wav"


class MailError(Exception):
    pass


class Mailer:
    def __init__(self, config: Config) -> None:
        self.config = config

    @property
    def enabled(self) -> bool:
        return bool(self.config.smtp_host)

    def build(
        self, to: str, subject: str, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> EmailMessage:
        message = EmailMessage(policy=default_policy)
        message["From"] = self.config.mail_from
        message["To"] = one_line(to)
        message["Subject"] = one_line(subject)
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = make_msgid(domain=self.config.mail_from.rpartition("@")[2])
        message.set_content(text)
        for item in attachments:
            message.add_attachment(
                item.path.read_bytes(),
                maintype=item.maintype,
                subtype=item.subtype,
                filename=item.filename,
            )
        return message

    def bounce_message(self, to: str, reason: str) -> EmailMessage:
        """The answer to a sender whose mail was not taken, and why."""
        message = self.build(to, "Your message was not delivered", reason)
        message["Auto-Submitted"] = "auto-replied"  # RFC 3834: never answer this one
        return message

    async def send(self, message: EmailMessage) -> None:
        config = self.config
        try:
            await aiosmtplib.send(
                message,
                hostname=config.smtp_host,
                port=config.smtp_port,
                username=config.smtp_user or None,
                password=config.smtp_password or None,
                use_tls=config.smtp_security == "tls",
                start_tls=config.smtp_security == "starttls",
                timeout=30,
            )
        except (aiosmtplib.SMTPException, OSError) as err:
            raise MailError(f"mail to {message['To']} could not be sent: {err}") from err
