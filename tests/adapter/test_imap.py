"""IMAP into tickets against a real Dovecot and a real database: new mail, charsets, HTML,
attachments, the message kept when the database fails, bounces over 25 MB, IDLE."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aioimaplib
import pytest

from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import Mailbox, QuarantinedMail, Ticket, TicketAttachment, TicketEntry
from ehd.mailboxes.imap_poller import connect, poll_once, run_mailbox
from ehd.mailboxes.quarantine import Quarantined, raw_of, retry
from ehd.tickets.service import Ingested
from tests.harness.dovecot import Dovecot, deliver, dovecot, remaining
from tests.harness.poison_mail import POISON, fail_on_poison
from tests.harness.polling import eventually

SECRET = b"k" * 32


@pytest.fixture
def server() -> AsyncIterator[Dovecot]:  # type: ignore[misc]
    with dovecot() as running:
        yield running


@pytest.fixture
async def mailbox(database_url: str, server: Dovecot) -> AsyncIterator[Mailbox]:
    await open_database(database_url)
    box = await Mailbox.create(
        name="support",
        host="127.0.0.1",
        port=server.port,
        security="none",
        username=server.user,
        password=server.password,
    )
    yield box
    await close_database()


LATIN = (
    b"From: =?iso-8859-1?q?G=F6ran?= <goran@example.se>\r\n"
    b"Subject: =?iso-8859-1?q?F=F6rsenad?=\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\nVar \xe4r mitt paket?\r\n"
)
HTML = (
    b"From: web@example.com\r\nSubject: html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>Hi<script>alert('x')</script><img src=x onerror=alert(1)></p>\r\n"
)
WITH_FILE = (
    b"From: a@example.com\r\nSubject: file\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
    b"see file\r\n--B\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; "
    b"filename=list.csv\r\n\r\na,b\r\n--B--\r\n"
)


async def test_new_mail_becomes_tickets_and_leaves_the_server(
    mailbox: Mailbox, server: Dovecot, tmp_path: Path
) -> None:
    await deliver(server, LATIN, HTML, WITH_FILE)
    imap = await connect(mailbox)
    expunges = 0
    real_expunge = imap.expunge

    async def counted_expunge() -> aioimaplib.Response:
        nonlocal expunges
        expunges += 1
        return await real_expunge()

    imap.expunge = counted_expunge
    try:
        assert await poll_once(mailbox, imap, SECRET, tmp_path, _no_bounce) == 3
    finally:
        await imap.logout()
    assert await remaining(mailbox) == 0
    assert expunges == 1  # once a round: each one makes the server rewrite its index
    assert (await Mailbox.get(id=mailbox.id)).last_uid == 3
    latin = await Ticket.get(subject="Försenad")
    entry = await TicketEntry.get(ticket=latin)
    assert entry.text.strip() == "Var är mitt paket?"
    html = await TicketEntry.get(ticket__subject="html")
    assert html.html is not None and "script" not in html.html and "onerror" not in html.html
    files = await TicketAttachment.filter(ticket__subject="file").values_list("filename", "size")
    assert files == [("list.csv", 3)]  # "a,b": the CRLF before the boundary belongs to it


BAD_FROM = b'From: <<<@@@>>>,,,"\r\nSubject: broken sender\r\n\r\nplease help\r\n'


def nested_parts(depth: int) -> bytes:
    inner = b"Content-Type: text/plain\r\n\r\ndeep down\r\n"
    for level in range(depth):
        edge = f"b{level}".encode()
        inner = (b"Content-Type: multipart/mixed; boundary=" + edge + b"\r\n\r\n--" + edge
                 + b"\r\n" + inner + b"\r\n--" + edge + b"--\r\n")  # fmt: skip
    return b"From: Anna <anna@example.com>\r\nSubject: nested\r\nMIME-Version: 1.0\r\n" + inner


async def test_mail_the_mime_parser_chokes_on_still_becomes_tickets_and_blocks_nothing(
    mailbox: Mailbox, server: Dovecot, tmp_path: Path
) -> None:
    """Such a message once stopped its mailbox for good (retried every 30 s, the mail behind
    it never read). It is read as plain lines instead; the mail after it comes in too."""
    await deliver(server, BAD_FROM, nested_parts(1000), LATIN)
    imap = await connect(mailbox)
    try:
        assert await poll_once(mailbox, imap, SECRET, tmp_path, _no_bounce) == 3
    finally:
        await imap.logout()
    assert await remaining(mailbox) == 0
    broken = await TicketEntry.get(ticket__subject="broken sender")
    assert broken.text == "please help"
    nested = await Ticket.get(subject="nested").prefetch_related("contact")
    assert nested.contact is not None and nested.contact.emails == ["anna@example.com"]
    assert await Ticket.exists(subject="Försenad")


async def test_a_message_that_fails_for_its_own_reason_is_quarantined_and_blocks_nothing(
    mailbox: Mailbox, server: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any failure but the database's stopped the mailbox for good. Now the message is kept
    aside with its error, leaves the server, and the mail behind it comes in."""
    fail_on_poison(monkeypatch)
    await deliver(server, LATIN, POISON, HTML)
    imap = await connect(mailbox)
    try:
        assert await poll_once(mailbox, imap, SECRET, tmp_path, _no_bounce) == 3
    finally:
        await imap.logout()
    assert await remaining(mailbox) == 0
    assert sorted(t.subject for t in await Ticket.all()) == ["Försenad", "html"]
    kept = await QuarantinedMail.get()
    assert (kept.source, kept.sender, kept.subject) == ("imap:support", "pia@example.com", "poison")
    assert "IndexError: a check choked on this message" in kept.error
    assert await raw_of(kept, tmp_path) == POISON  # byte for byte, for download or retry

    assert isinstance(await retry(kept, SECRET, tmp_path), Quarantined)  # not fixed yet
    monkeypatch.undo()  # the fault is fixed
    released = await retry(kept, SECRET, tmp_path)
    assert isinstance(released, Ingested)
    ticket = await Ticket.get(number=released.ticket_number)
    assert ticket.subject == "poison"
    kept = await QuarantinedMail.get()
    assert kept.ticket_number == ticket.number and kept.released_at is not None


async def test_a_message_stays_on_the_server_when_the_database_fails(
    mailbox: Mailbox, server: Dovecot, database_url: str, tmp_path: Path
) -> None:
    await deliver(server, WITH_FILE)
    imap = await connect(mailbox)
    try:
        await close_database()  # the database goes away mid-run
        with pytest.raises(Exception):  # noqa: B017 (the driver's own error type)
            await poll_once(mailbox, imap, SECRET, tmp_path, _no_bounce)
    finally:
        await imap.logout()
        await open_database(database_url)
    assert await remaining(mailbox) == 1
    box = await Mailbox.get(id=mailbox.id)
    imap = await connect(box)
    try:
        assert await poll_once(box, imap, SECRET, tmp_path, _no_bounce) == 1
    finally:
        await imap.logout()
    assert await remaining(box) == 0 and await Ticket.all().count() == 1


async def test_mail_over_25_mb_is_bounced_and_removed(
    mailbox: Mailbox, server: Dovecot, tmp_path: Path
) -> None:
    huge = b"From: Big Sender <big@example.com>\r\nSubject: huge\r\n\r\n" + b"x" * (
        26 * 1024 * 1024
    )
    await deliver(server, huge)
    bounced: list[tuple[str, str]] = []

    async def bounce(to: str, reason: str) -> None:
        bounced.append((to, reason))

    imap = await connect(mailbox)
    try:
        assert await poll_once(mailbox, imap, SECRET, tmp_path, bounce) == 1
    finally:
        await imap.logout()
    assert bounced and bounced[0][0] == "big@example.com" and "limit is 25 MB" in bounced[0][1]
    assert await Ticket.all().count() == 0 and await remaining(mailbox) == 0


async def test_idle_brings_new_mail_in_at_once(
    mailbox: Mailbox, server: Dovecot, tmp_path: Path
) -> None:
    task = asyncio.create_task(run_mailbox(mailbox, SECRET, tmp_path, _no_bounce, 30.0))
    try:
        await asyncio.sleep(1.0)  # connected and idling
        await deliver(server, HTML)

        async def arrived() -> bool:
            return await Ticket.filter(subject="html").exists()

        await eventually(arrived, timeout=10, what="the ticket from an IDLE push")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _no_bounce(to: str, reason: str) -> None:
    raise AssertionError(f"unexpected bounce to {to}: {reason}")


async def test_a_corrected_mailbox_is_polled_at_once(
    mailbox: Mailbox, server: Dovecot, tmp_path: Path
) -> None:
    from ehd.mailboxes.imap_poller import MailboxPollers

    mailbox.password = "wrong"
    await mailbox.save()

    async def after(_result: object) -> None:
        return None

    pollers = MailboxPollers(SECRET, tmp_path, _no_bounce, after)
    await pollers.start_all()
    try:

        async def failing() -> bool:
            return bool((await Mailbox.get(id=mailbox.id)).last_error)

        await eventually(failing, timeout=10, what="the login error recorded")
        await deliver(server, HTML)
        mailbox.password = server.password
        await mailbox.save()
        await pollers.restart(mailbox)

        async def arrived() -> bool:
            return await Ticket.filter(subject="html").exists()

        await eventually(arrived, timeout=10, what="mail from the corrected mailbox")
    finally:
        await pollers.stop()
