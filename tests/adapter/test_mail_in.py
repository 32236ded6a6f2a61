"""The forwarding address over real SMTP (aiosmtplib to ehd's aiosmtpd server), real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import pytest

from ehd.asterisk.instance import free_ports
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import QuarantinedMail, Ticket
from ehd.mailboxes.smtp_server import TicketMailHandler, start_server
from tests.harness.poison_mail import POISON, fail_on_poison


@pytest.fixture
async def smtp_port(database_url: str, tmp_path: Path) -> AsyncIterator[int]:
    await open_database(database_url)
    (port,) = free_ports(1)
    server = await start_server(TicketMailHandler(b"k" * 32, tmp_path / "mail"), "127.0.0.1", port)
    yield port
    server.close()
    await server.wait_closed()
    await close_database()


MESSAGE = b"From: anna@example.com\r\nTo: support@ehd.example\r\nSubject: Help\r\n\r\nHi\r\n"


async def test_mail_to_the_forwarding_address_becomes_a_ticket(smtp_port: int) -> None:
    _, reply = await aiosmtplib.send(
        MESSAGE, sender="anna@example.com", recipients=["support@ehd.example"],
        hostname="127.0.0.1", port=smtp_port,
    )  # fmt: skip
    assert "OK ticket " in reply
    number = int(reply.rsplit(" ", 1)[1])
    assert (await Ticket.get(number=number)).subject == "Help"


async def test_a_message_that_fails_for_its_own_reason_is_accepted_into_quarantine(
    smtp_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It was answered 451 for ever (the sender retried it until it bounced, days later)."""
    fail_on_poison(monkeypatch)
    send = {"sender": "pia@example.com", "recipients": ["support@ehd.example"],
            "hostname": "127.0.0.1", "port": smtp_port}  # fmt: skip
    _, reply = await aiosmtplib.send(POISON, **send)  # type: ignore[arg-type]
    kept = await QuarantinedMail.get()
    assert reply.endswith(f"OK kept for review as {kept.id}") and kept.source == "smtp"
    _, again = await aiosmtplib.send(POISON, **send)  # type: ignore[arg-type]
    assert again == reply and await QuarantinedMail.all().count() == 1  # a retry: one entry
    _, reply = await aiosmtplib.send(MESSAGE, **send)  # type: ignore[arg-type]
    assert "OK ticket " in reply and await Ticket.all().count() == 1


async def test_mail_over_25_mb_is_refused_with_the_reason(smtp_port: int) -> None:
    huge = MESSAGE + b"x" * (25 * 1024 * 1024 + 10)
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await aiosmtplib.send(
            huge, sender="anna@example.com", recipients=["support@ehd.example"],
            hostname="127.0.0.1", port=smtp_port, timeout=120,
        )  # fmt: skip
    assert refused.value.code == 552
    assert await Ticket.all().count() == 0
