"""Fetch mail from IMAP mailboxes into tickets, exactly once.

Per mailbox: SELECT, check UIDVALIDITY (a new value means the UIDs were renumbered: start over),
fetch every UID above the last one imported, make the ticket, and only **after** the ticket is
committed delete (or flag) the message and remember the UID. If the database or disk fails the
message stays on the server and is tried again on the next round; a message that fails for a
reason of its own is quarantined (``ehd.mailboxes.quarantine``) and the round goes on. Mail
over 25 MB is bounced to its sender.
Between rounds the poller waits with IDLE when the server offers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from email.utils import parseaddr
from pathlib import Path

import aioimaplib

from ehd.db.models import Mailbox
from ehd.mailboxes.quarantine import take_in
from ehd.mailboxes.smtp_server import AfterIngest
from ehd.tickets.service import MAX_MAIL_BYTES, Ingested

log = logging.getLogger(__name__)

Bounce = Callable[[str, str], Awaitable[None]]  # (to, reason)
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_FROM = re.compile(rb"^From:(.*)$", re.I | re.M)


class ImapTrouble(Exception):
    pass


def _ok(response: aioimaplib.Response, what: str) -> aioimaplib.Response:
    if response.result != "OK":
        raise ImapTrouble(f"{what}: {response.result} {response.lines[-1:]!r}")
    return response


async def connect(mailbox: Mailbox) -> aioimaplib.IMAP4:
    cls = aioimaplib.IMAP4_SSL if mailbox.security == "tls" else aioimaplib.IMAP4
    imap = cls(host=mailbox.host, port=mailbox.port, timeout=60)
    try:
        await imap.wait_hello_from_server()
        _ok(await imap.login(mailbox.username, mailbox.password), "login")
    except BaseException:
        await _close(imap)
        raise
    return imap


async def _close(imap: aioimaplib.IMAP4) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(imap.logout(), 5)
    transport = getattr(imap.protocol, "transport", None) if imap.protocol else None
    if transport is not None:
        transport.close()


async def poll_once(
    mailbox: Mailbox,
    imap: aioimaplib.IMAP4,
    secret: bytes,
    store: Path,
    bounce: Bounce,
    after: AfterIngest | None = None,
) -> int:
    """Import what is new; the number of messages imported (bounces included)."""
    selected = _ok(await imap.select(mailbox.folder), f"select {mailbox.folder}")
    validity = next(
        (int(m.group(1)) for line in selected.lines if (m := _UIDVALIDITY.search(bytes(line)))),
        0,
    )
    if validity != mailbox.uidvalidity:
        log.info("mailbox %s: UIDVALIDITY %s -> %s, reading from the start", mailbox.name,
                 mailbox.uidvalidity, validity)  # fmt: skip
        mailbox.uidvalidity, mailbox.last_uid = validity, 0
        await mailbox.save(update_fields=["uidvalidity", "last_uid"])
    found = _ok(await imap.uid_search(f"UID {mailbox.last_uid + 1}:*"), "search")
    uids = sorted(
        uid for uid in (int(x) for x in bytes(found.lines[0]).split() if x.isdigit())
        if uid > mailbox.last_uid
    )  # fmt: skip
    imported = 0
    for uid in uids:
        size_reply = _ok(await imap.uid("fetch", str(uid), "(RFC822.SIZE)"), "fetch size")
        size = next(
            (int(m.group(1)) for line in size_reply.lines if (m := _SIZE.search(bytes(line)))), 0
        )
        if size > MAX_MAIL_BYTES:
            await _bounce_large(imap, uid, size, bounce)
        else:
            raw = await _fetch(imap, uid)
            site = mailbox.site_id
            hold = mailbox.creation == "review"
            source = f"imap:{mailbox.name}"
            result = await take_in(raw, secret, store, source, site, hold)  # raises: stays
            if after is not None and isinstance(result, Ingested):
                with contextlib.suppress(Exception):  # the ticket exists; mail is best effort
                    await after(result)
        await _done(mailbox, imap, uid)
        imported += 1
    if imported and mailbox.after_import == "delete":
        # Once a round, not once a message: each EXPUNGE makes the server rewrite its index.
        # A message marked but not yet expunged (a crash in between) is below the remembered
        # UID, so it is never read again, and the next round's EXPUNGE removes it.
        _ok(await imap.expunge(), "expunge")
    return imported


async def _fetch(imap: aioimaplib.IMAP4, uid: int) -> bytes:
    reply = _ok(await imap.uid("fetch", str(uid), "BODY.PEEK[]"), "fetch")
    literals = [bytes(line) for line in reply.lines if isinstance(line, bytearray)]
    if not literals:
        raise ImapTrouble(f"fetch {uid}: no message body in the answer")
    return literals[0]


async def _bounce_large(imap: aioimaplib.IMAP4, uid: int, size: int, bounce: Bounce) -> None:
    reply = _ok(
        await imap.uid("fetch", str(uid), "BODY.PEEK[HEADER.FIELDS (FROM)]"), "fetch header"
    )
    header = b"".join(bytes(line) for line in reply.lines if isinstance(line, bytearray))
    match = _FROM.search(header)
    sender = parseaddr(match.group(1).decode(errors="replace"))[1] if match else ""
    reason = (
        f"Your message of {size // (1024 * 1024)} MB was not received: the limit is "
        f"{MAX_MAIL_BYTES // (1024 * 1024)} MB. Please send large files another way."
    )
    if sender:
        await bounce(sender, reason)
    log.info("mail uid %s (%d bytes) bounced to %s", uid, size, sender or "(no sender)")


async def _done(mailbox: Mailbox, imap: aioimaplib.IMAP4, uid: int) -> None:
    """The ticket is committed: now the message may go, and the UID is remembered."""
    if mailbox.after_import == "delete":
        _ok(await imap.uid("store", str(uid), "+FLAGS.SILENT", "(\\Deleted)"), "delete")
    else:
        _ok(await imap.uid("store", str(uid), "+FLAGS.SILENT", "(\\Seen)"), "flag")
    mailbox.last_uid = uid
    await mailbox.save(update_fields=["last_uid"])


async def run_mailbox(
    mailbox: Mailbox,
    secret: bytes,
    store: Path,
    bounce: Bounce,
    idle_seconds: float = 60.0,
    after: AfterIngest | None = None,
) -> None:
    """Poll one mailbox until cancelled; connection trouble is retried with a pause."""
    while True:
        try:
            imap = await connect(mailbox)
            try:
                while True:
                    await poll_once(mailbox, imap, secret, store, bounce, after)
                    if mailbox.last_error:
                        mailbox.last_error = ""
                        await mailbox.save(update_fields=["last_error"])
                    await _wait(imap, idle_seconds)
            finally:
                await _close(imap)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # the server, the network or the database: try again soon
            log.warning("mailbox %s: %r", mailbox.name, err)
            mailbox.last_error = repr(err)[:512]
            with contextlib.suppress(Exception):
                await mailbox.save(update_fields=["last_error"])
            await asyncio.sleep(min(idle_seconds, 30.0))


async def _wait(imap: aioimaplib.IMAP4, seconds: float) -> None:
    if not imap.has_capability("IDLE"):
        await asyncio.sleep(seconds)
        return
    idle = await imap.idle_start(timeout=seconds)
    try:
        await imap.wait_server_push(timeout=seconds)
    except TimeoutError:
        pass
    finally:
        imap.idle_done()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(idle, seconds)


class MailboxPollers:
    """One polling task per active mailbox; a changed mailbox is restarted at once."""

    def __init__(self, secret: bytes, store: Path, bounce: Bounce, after: AfterIngest) -> None:
        self.secret, self.store, self.bounce, self.after = secret, store, bounce, after
        self.tasks: dict[int, asyncio.Task[None]] = {}

    async def start_all(self) -> None:
        for box in await Mailbox.filter(active=True):
            self._start(box)

    def _start(self, box: Mailbox) -> None:
        self.tasks[box.id] = asyncio.create_task(
            run_mailbox(box, self.secret, self.store, self.bounce, after=self.after),
            name=f"mailbox-{box.name}",
        )

    async def restart(self, box: Mailbox) -> None:
        task = self.tasks.pop(box.id, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if box.active:
            self._start(box)

    async def stop(self) -> None:
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.tasks.clear()
