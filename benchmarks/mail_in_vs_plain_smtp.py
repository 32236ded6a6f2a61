"""Mail in: ehd's forwarding address against a plain SMTP server, in one run.

Both servers are aiosmtpd in a process of their own on loopback; the same 20 concurrent
senders (each one SMTP connection, messages one after another, as a mail server delivers a
queue) send each the same messages:

  (a) plain: every message written to a file (atomically, by its digest) and answered 250;
  (b) ehd:   ehd's own handler: the raw message kept, parsed, threaded, a ticket (or a reply)
             committed to SQLite with its contact, the site's ticket filters run.

It reports messages per second for each, ehd's share of the plain rate, and every refusal
(anything but 250). The goal: no refusal, and at least a third of the plain rate.

Run: .venv/bin/python benchmarks/mail_in_vs_plain_smtp.py [--messages 3000] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aiosmtplib  # noqa: E402
from aiosmtpd.smtp import SMTP, Envelope, Session  # noqa: E402

from ehd.asterisk.instance import free_ports  # noqa: E402

SENDERS = 20
FILTERS = 10  # a site's ticket filters, run on every mail


class PlainHandler:
    """The reference: keep the message in a file, answer 250."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        assert isinstance(raw, bytes)
        digest = hashlib.sha256(raw).hexdigest()
        path = self.folder / f"{digest}.eml"

        def write() -> None:
            partial = path.with_suffix(".part")
            partial.write_bytes(raw)
            partial.replace(path)

        await asyncio.to_thread(write)
        return "250 2.0.0 OK"


async def _serve(kind: str, port: int, folder: Path) -> None:
    loop = asyncio.get_running_loop()
    handler: object
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    if kind == "plain":
        handler = PlainHandler(folder)
    else:
        from ehd.db.lifecycle import open_database
        from ehd.mailboxes.smtp_server import TicketMailHandler
        from ehd.tickets.filter_store import save_filter

        await open_database(f"sqlite://{folder / 'ehd.sqlite3'}")
        for n in range(FILTERS):  # rules that look at every mail and match none
            await save_filter(f"rule {n}", {
                "rules": [{"field": "subject", "words": [f"never{n}*", f"nie{n}*"]}],
                "actions": [{"kind": "priority", "value": "high"}], "weight": n,
            })  # fmt: skip
        handler = TicketMailHandler(b"k" * 32, folder / "mail")

    def protocol() -> SMTP:
        return SMTP(handler, data_size_limit=25 * 1024 * 1024, hostname="bench")

    server = await loop.create_server(protocol, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def message(n: int) -> bytes:
    return (
        f"From: Customer {n % 500} <customer{n % 500}@example.com>\r\n"
        f"To: support@ehd.example\r\nSubject: Order {n} has not arrived\r\n"
        f"Message-ID: <bench-{n}@example.com>\r\nDate: Wed, 02 Dec 2026 10:00:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + f"Hello, my order {n} has not arrived yet. Could you look into it?\r\n"
        * 8
    ).encode()


@dataclass
class Result:
    kind: str
    messages: int
    seconds: float
    refused: int

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


async def _sender(port: int, numbers: list[int], refusals: list[str]) -> None:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=60)
    await client.connect()
    try:
        for n in numbers:
            try:
                errors, reply = await client.sendmail(
                    f"customer{n % 500}@example.com", ["support@ehd.example"], message(n)
                )
            except aiosmtplib.SMTPResponseException as err:
                refusals.append(f"{err.code} {err.message}")
                continue
            if errors:
                refusals.append(str(errors))
    finally:
        with contextlib.suppress(Exception):
            await client.quit()


async def measure(kind: str, messages: int, folder: Path) -> Result:
    (port,) = free_ports(1)
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", kind, "--port", str(port), "--dir", str(folder),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        ready = await server.stdout.readline()
        assert ready.strip() == b"ready", ready
        refusals: list[str] = []
        shares = [list(range(k, messages, SENDERS)) for k in range(SENDERS)]
        started = time.perf_counter()
        await asyncio.gather(*(_sender(port, share, refusals) for share in shares))
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 10)
    for refusal in refusals[:5]:
        print(f"  {kind} refused: {refusal}")
    return Result(kind, messages, seconds, len(refusals))


def report(plain: Result, ehd: Result, messages: int) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Mail in ({when}, {messages} messages, {SENDERS} concurrent senders, "
        f"{FILTERS} ticket filters, SQLite, {os.cpu_count()} CPUs)",
        "",
        "| server | messages/s | refused | share of plain |",
        "|---|---|---|---|",
        f"| plain aiosmtpd writing files | {plain.rate:.0f} | {plain.refused} | 1.00 |",
        f"| ehd forwarding address | {ehd.rate:.0f} | {ehd.refused} | "
        f"{ehd.rate / plain.rate:.2f} |",
        "",
    ]
    return "\n".join(lines)


async def _main(messages: int, write: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="ehd-bench-mail-") as tmp:
        plain = await measure("plain", messages, Path(tmp) / "plain")
        ehd = await measure("ehd", messages, Path(tmp) / "ehd")
    text = report(plain, ehd, messages)
    print(text)
    if write:
        performance = HERE.parent / "docs" / "performance.md"
        body = performance.read_text()
        marker = "## Reading"
        performance.write_text(body.replace(marker, f"{text}\n{marker}", 1))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--write", action="store_true", help="add the result to performance.md")
    parser.add_argument("--serve", choices=["plain", "ehd"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve, args.port, args.dir))
    else:
        asyncio.run(_main(args.messages, args.write))
