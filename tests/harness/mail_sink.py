"""A real SMTP server (aiosmtpd) in the test process that keeps every message it receives."""

from __future__ import annotations

import asyncio
import email
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller

from ehd.asterisk.instance import free_ports


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []  # each message's envelope (Bcc is only here)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(message)
        return "250 OK"


class MailSink:
    def __init__(self, port: int) -> None:
        self.port = port
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self._collector.messages

    def envelope_of(self, message: EmailMessage) -> list[str]:
        """The addresses the message was delivered to (its envelope, Bcc included)."""
        return self._collector.recipients[self.messages.index(message)]

    async def wait_for(self, to: str, timeout: float = 30) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if to in str(message["To"]):
                    return message
            await asyncio.sleep(0.2)
        raise AssertionError(f"no mail to {to} within {timeout} s ({len(self.messages)} others)")


@contextmanager
def mail_sink() -> Iterator[MailSink]:
    (port,) = free_ports(1)
    sink = MailSink(port)
    sink._controller.start()
    try:
        yield sink
    finally:
        sink._controller.stop()
