"""Mail in survives kill -9: 600 mails over IMAP (Dovecot) and 600 over the forwarding SMTP
address while the whole ehd process is killed twice mid-ingest end as exactly 1,200 tickets,
one per message. Before, such a run made 602-603 tickets out of 600 mails.

The SMTP senders behave as mail servers do: a message is sent again until it is answered 250,
so a kill between the commit and the answer delivers that message twice; IMAP mail committed
but not yet deleted is read again after the restart. Both must be recognised."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import pytest

from ehd.asterisk.instance import free_ports
from ehd.asterisk.runtime import AsteriskRuntime
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import Mailbox
from tests.harness.dovecot import Dovecot, deliver, dovecot, remaining
from tests.harness.ehd_process import EhdProcess, prepare_ehd
from tests.harness.polling import eventually

PER_DOOR = 600
SENDERS = 20
KILL_AT = (150, 650)  # tickets made when ehd is killed: early, then past the middle


def message(door: str, n: int) -> bytes:
    """Every tenth without a Message-ID: known again by its content only."""
    message_id = f"Message-ID: <{door}-{n}@crash.example>\r\n" if n % 10 else ""
    return (
        f"From: Customer {n} <customer{n}@example.com>\r\nTo: support@ehd.example\r\n"
        f"Subject: {door} {n}\r\n{message_id}\r\nMessage {n} by {door}.\r\n"
    ).encode()


@pytest.fixture
async def crash_site(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> AsyncIterator[tuple[EhdProcess, Dovecot, int]]:
    with dovecot() as imap_server:
        server = prepare_ehd(tmp_path / "ehd")
        (mail_port,) = free_ports(1)
        server.env["EHD_MAIL_IN_PORT"] = str(mail_port)
        await open_database(f"sqlite://{server.database}")
        try:  # the mailbox, set up before ehd starts
            await Mailbox.create(name="support", host="127.0.0.1", port=imap_server.port,
                                 security="none", username=imap_server.user,
                                 password=imap_server.password)  # fmt: skip
            await deliver(imap_server, *(message("imap", n) for n in range(PER_DOOR)))
        finally:
            await close_database()
        yield server, imap_server, mail_port
        await asyncio.to_thread(server.stop, signal.SIGTERM)


def tickets(server: EhdProcess) -> list[str]:
    with sqlite3.connect(f"file:{server.database}?mode=ro", uri=True, timeout=30) as db:
        return [row[0] for row in db.execute("SELECT subject FROM tickets")]


async def send_until_taken(port: int, numbers: range) -> int:
    """Each message until it is answered 250, as a mail server would; the tries it took."""
    tries = 0
    for n in numbers:
        while True:
            tries += 1
            try:
                _, reply = await aiosmtplib.send(
                    message("smtp", n), sender=f"customer{n}@example.com",
                    recipients=["support@ehd.example"], hostname="127.0.0.1", port=port,
                    timeout=20,
                )  # fmt: skip
            except (aiosmtplib.SMTPException, OSError):
                await asyncio.sleep(0.5)  # down or 451: later
                continue
            assert "OK ticket" in reply, reply
            break
    return tries


async def test_ingest_killed_twice_makes_exactly_one_ticket_per_mail(
    crash_site: tuple[EhdProcess, Dovecot, int],
) -> None:
    server, imap_server, mail_port = crash_site
    demo = await asyncio.to_thread(tickets, server)  # the demo site's own tickets
    await asyncio.to_thread(server.start)
    share = PER_DOOR // SENDERS
    senders = asyncio.gather(
        *(send_until_taken(mail_port, range(k * share, (k + 1) * share)) for k in range(SENDERS))
    )
    for threshold in KILL_AT:

        async def reached(threshold: int = threshold) -> bool:
            return len(await asyncio.to_thread(tickets, server)) - len(demo) >= threshold

        await eventually(reached, timeout=120, interval=0.02, what=f"{threshold} tickets")
        await asyncio.to_thread(server.stop, signal.SIGKILL)
        await asyncio.to_thread(server.start)
    tries = await asyncio.wait_for(senders, timeout=300)

    async def all_in() -> bool:
        return len(await asyncio.to_thread(tickets, server)) - len(demo) >= 2 * PER_DOOR

    await eventually(all_in, timeout=120, what="every mail a ticket")
    await asyncio.sleep(2)  # a duplicate would come now, if at all
    made = Counter(await asyncio.to_thread(tickets, server)) - Counter(demo)
    expected = {f"{door} {n}": 1 for door in ("imap", "smtp") for n in range(PER_DOOR)}
    assert made == Counter(expected)  # every mail once: none lost, none twice
    assert sum(tries) >= PER_DOOR  # (more when a kill caught a message in flight)
    box = Mailbox(name="support", host="127.0.0.1", port=imap_server.port, security="none",
                  username=imap_server.user, password=imap_server.password)  # fmt: skip
    assert await remaining(box) == 0
