"""The ticket list and search at scale: the same requests against a small and a large SQLite
database, in one run, so the growth is the ratio between them.

For each size a database is migrated as ehd migrates it, then filled in bulk by SQL (tickets
spread over three years, nine in ten closed, two entries each of varied words, 1,000
contacts) and the full-text index is built as the migration builds it. ehd's web app then
serves, one request at a time (20 of each, after a warm-up):

  overview   the default list (open tickets, newest change first)
  filtered   the closed tickets of one channel
  search     a word found in many entries
  two words  a word of one ticket's subject and one of its first mail (found in two rows)
  sort       the open tickets by subject
  by contact the open tickets by the contact's name (a join: no index serves it)
  page 500   the 500th page of 50 of the default list (reached by its key, as "Next" does)
  in-tray    the personal in-tray's poll

and then the overview to 50 concurrent users (5 requests each). Client and server share the
process and the machine's cores.

Run: .venv/bin/python benchmarks/ticket_list_at_scale.py [--small 10000] [--large 1000000]
     [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aiohttp  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from ehd.accounts.service import create_user  # noqa: E402
from ehd.config import Config  # noqa: E402
from ehd.db.lifecycle import close_database, open_database  # noqa: E402
from ehd.db.models import Role  # noqa: E402
from ehd.platform import create_platform_app  # noqa: E402
from ehd.tickets.listing import Position  # noqa: E402
from tests.harness.web_client import log_in  # noqa: E402

VOCABULARY = 2000
REPEATS = 20
USERS, EACH = 50, 5
AGENTS = 21


def _words() -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "si", "pe", "da", "go", "fu"]
    words = []
    for i in range(VOCABULARY):
        a, b, c = i % 12, (i // 12) % 12, (i // 144) % 12
        words.append(syllables[a] + syllables[b] + syllables[c] + ("n" if i >= 1728 else ""))
    return words


def fill(path: Path, tickets: int) -> None:
    """Tickets, entries and contacts in bulk, then the search index as migration 0046 builds
    it."""
    db = sqlite3.connect(path)
    db.execute("CREATE TEMP TABLE vocab (i INTEGER PRIMARY KEY, w TEXT)")
    db.executemany("INSERT INTO vocab VALUES (?, ?)", enumerate(_words()))
    db.executescript("""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
        INSERT INTO contacts (name, emails, phones)
        SELECT 'Customer ' || i, '["c' || i || '@example.com"]', '[]' FROM n;
    """)
    first, last = db.execute("SELECT min(id), max(id) FROM users").fetchone()
    agent = f"CASE WHEN k % 20 = 1 THEN NULL ELSE {first} + k % {last - first + 1} END"
    start = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    span = 3 * 365 * 86400
    word = "(SELECT w FROM vocab WHERE i = (({}) % 1999))"  # prime: words and status unrelated
    subject = f"{word.format('k * 7')} || ' ' || {word.format('k * 13 + 5')}"
    text = " || ' ' || ".join(word.format(f"k * {m} + {m * 3}") for m in (3, 11, 17, 23, 29, 31))
    db.executescript(f"""
        WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {tickets})
        INSERT INTO tickets (number, subject, status, priority, ticket_type, itil_process,
            locked, held, contact_id, description, cc, bcc, custom_fields, agent_id, source,
            watchers, created_at, updated_at)
        SELECT 100000 + k, {subject},
            CASE WHEN k % 10 = 0 THEN 'open' WHEN k % 20 = 1 THEN 'new' ELSE 'closed' END,
            'medium', '', '', 0, 0, 1 + k % 1000, {text}, '[]', '[]', '{{}}', {agent},
            CASE k % 4 WHEN 0 THEN 'email' WHEN 1 THEN 'sms' WHEN 2 THEN 'phone' ELSE 'chat' END,
            '[]',
            strftime('%Y-%m-%d %H:%M:%f+00:00', {start} + k * {span} / {tickets}, 'unixepoch'),
            strftime('%Y-%m-%d %H:%M:%f+00:00', {start} + k * {span} / {tickets} + 3600,
                     'unixepoch')
        FROM n;
        INSERT INTO ticket_entries (ticket_id, kind, public, author, text, message_id, created_at)
        SELECT id, 'mail_in', 1, 'customer', {text.replace("k *", "(id + 1) *")}, '', created_at
        FROM tickets;
        INSERT INTO ticket_entries (ticket_id, kind, public, author, text, message_id, created_at)
        SELECT id, 'mail_out', 1, 'agent', {text.replace("k *", "(id + 7) *")}, '', updated_at
        FROM tickets;
        DELETE FROM ticket_search;
    """)
    migration = importlib.import_module("ehd.db.migrations.0046_ticket_search")
    for sql in migration.SQLITE[1:]:
        db.execute(sql)
    db.commit()
    db.execute("ANALYZE")
    db.close()


async def timed(client: TestClient, address: str) -> float:  # type: ignore[type-arg]
    began = time.perf_counter()
    response = await client.get(address)
    await response.read()
    assert response.status == 200, (address, response.status)
    return (time.perf_counter() - began) * 1000


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(path: Path, tickets: int) -> dict[str, tuple[float, float]]:
    config = Config(data_dir=path.parent, database_url=f"sqlite://{path}")
    await open_database(config.database_url)  # migrations: the schema and an empty index
    await create_user("boss", "boss-pass", role=Role.SUPERVISOR)
    for n in range(AGENTS - 1):  # the tickets are shared by the boss and these
        await create_user(f"agent{n}", "agent-pass", role=Role.AGENT)
    await close_database()
    filled = time.perf_counter()
    await asyncio.to_thread(fill, path, tickets)
    print(f"  filled {tickets} tickets in {time.perf_counter() - filled:.0f} s", flush=True)
    db = sqlite3.connect(path)
    (open_tickets,) = db.execute("SELECT count(*) FROM tickets WHERE status != 'closed'").fetchone()
    row = db.execute(  # the last row before page 500 (or the last page of a small list)
        "SELECT id, updated_at FROM tickets WHERE status IN ('new', 'open') AND held = 0 "
        "ORDER BY updated_at DESC, id DESC LIMIT 1 OFFSET ?",
        [min(499 * 50, open_tickets - 50) - 1],
    ).fetchone()
    db.close()
    page_500 = Position(datetime.fromisoformat(row[1]).isoformat(), row[0]).token()
    probe = _words()[(100 * 3 + 9) % VOCABULARY]
    # ticket 100's subject word and a word of its first mail (the fill's formulas)
    pair = f"{_words()[(100 * 7) % 1999]}+{_words()[(101 * 3 + 9) % 1999]}"
    requests = {
        "overview": "/tickets",
        "filtered": "/tickets?status=closed&source=sms",
        "search": f"/tickets?q={probe}",
        "two words": f"/tickets?q={pair}",
        "sort": "/tickets?sort=subject&dir=asc",
        "by contact": "/tickets?sort=contact&dir=asc",
        "page 500": f"/tickets?after={page_500}",
        "in-tray": "/api/tickets/inbox",
    }
    results: dict[str, tuple[float, float]] = {}
    app = create_platform_app(config, telephony=False)
    jar = aiohttp.CookieJar(unsafe=True)
    async with TestClient(TestServer(app), cookie_jar=jar) as client:
        await log_in(client, "boss", "boss-pass")
        for name in ("overview", "search", "two words"):  # what they find: the work is real
            page = await (await client.get(requests[name])).text()
            print(f"  {name}: {page.split('Tickets found: <strong>')[1].split('<')[0]} found, "
                  f"{page.count('<tr data-number=')} shown", flush=True)  # fmt: skip
        for name, address in requests.items():
            await timed(client, address)  # warm the caches
            times = [await timed(client, address) for _ in range(REPEATS)]
            results[name] = (statistics.median(times), quantile(times, 0.95))
            print(f"  {name:10} p50 {results[name][0]:7.1f} ms  p95 {results[name][1]:7.1f} ms",
                  flush=True)  # fmt: skip

        async def user() -> list[float]:
            return [await timed(client, "/tickets") for _ in range(EACH)]

        began = time.perf_counter()
        everyone = await asyncio.gather(*(user() for _ in range(USERS)), return_exceptions=True)
        elapsed = time.perf_counter() - began
        failed = sum(1 for r in everyone if isinstance(r, BaseException))
        times = [t for r in everyone if not isinstance(r, BaseException) for t in r]
        results["50 users"] = (quantile(times, 0.5), quantile(times, 0.95))
        print(f"  50 users   p50 {results['50 users'][0]:7.1f} ms  p95 "
              f"{results['50 users'][1]:7.1f} ms  {len(times) / elapsed:.1f} req/s  "
              f"{failed} failed", flush=True)  # fmt: skip
    await close_database()
    return results


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in (args.small, args.large):
            print(f"{size} tickets", flush=True)
            (Path(folder) / str(size)).mkdir()
            figures[size] = await measure(Path(folder) / str(size) / "ehd.sqlite3", size)
    lines = [f"| request | {args.small:,} p50 / p95 (ms) | {args.large:,} p50 / p95 (ms) | "
             "large / small (p50) |", "| --- | --- | --- | --- |"]  # fmt: skip
    for name in figures[args.small]:
        (s50, s95), (l50, l95) = figures[args.small][name], figures[args.large][name]
        lines.append(f"| {name} | {s50:.1f} / {s95:.1f} | {l50:.1f} / {l95:.1f} | "
                     f"{l50 / s50:.2f} |")  # fmt: skip
    print("\n".join(lines))
    if args.write:
        with (HERE.parent / "docs" / "performance.md").open("a") as out:
            out.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
