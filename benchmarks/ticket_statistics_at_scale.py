"""Ticket statistics at scale: a year of tickets with their history, folded into the daily
counters by ehd's own feed, then the statistics page asked for the usual views, for a small
and a large year in one run, so the growth is the ratio between them.

For each size a database is migrated as ehd migrates it, with 3 sites, 10 response groups,
50 agents and 8 templates. Each ticket's history is written into the tables ehd keeps it in
(tickets, ticket_changes, ticket_entries): made in office hours by one of seven channels, opened
by an agent an hour later, answered by mail within 10 min-5 h, nine in ten solved within three
days, one in ten of those reopened and solved again. ``ehd.stats.ticket_feed.fold_new`` (the
job's code) folds it all, timed; then ehd's web app serves, one request at a time (10 of each,
after a warm-up):

  year by month         the whole year, a row per month
  year by day           the whole year, a row per day, with its charts
  quarter per channel   91 days by week and channel
  year per agent        the whole year by month and agent
  year per template     the whole year by week and template
  year of one group     the whole year by day, filtered by a response group
  year as XLSX          the year by day as a spreadsheet

Run: .venv/bin/python benchmarks/ticket_statistics_at_scale.py [--small 10000]
     [--large 1000000] [--write] [--postgres ADMIN_URL]
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aiohttp  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from benchmarks.statistics_pages import median_ms, small_and_large  # noqa: E402
from ehd.accounts.service import create_user  # noqa: E402
from ehd.config import Config  # noqa: E402
from ehd.db.bulk_insert import insert_rows  # noqa: E402
from ehd.db.lifecycle import close_database, open_database  # noqa: E402
from ehd.db.models import Queue, Role, Site, SlaPolicy, TicketTemplate, User  # noqa: E402
from ehd.platform import create_platform_app  # noqa: E402
from ehd.stats.ticket_feed import fold_new  # noqa: E402
from tests.harness.web_client import log_in  # noqa: E402

REPEATS = 10
STOCKHOLM = ZoneInfo("Europe/Stockholm")
YEAR_START = datetime(2025, 1, 1, tzinfo=STOCKHOLM)
LATER = datetime(2030, 1, 1, tzinfo=UTC)  # every row has settled
CHANNELS = (("email", 50), ("phone", 20), ("form", 10), ("chat", 10), ("sms", 5),
            ("manual", 4), ("social", 1))  # fmt: skip
REQUESTS = {
    "year by month": "from=2025-01-01&to=2025-12-31&granularity=month",
    "year by day": "from=2025-01-01&to=2025-12-31&granularity=day",
    "quarter per channel": "from=2025-04-01&to=2025-06-30&granularity=week&group=channel",
    "year per agent": "from=2025-01-01&to=2025-12-31&granularity=month&group=agent",
    "year per template": "from=2025-01-01&to=2025-12-31&granularity=week&group=template",
    "year of one group": "from=2025-01-01&to=2025-12-31&granularity=day&group_name=group3",
    "year as XLSX": "from=2025-01-01&to=2025-12-31&granularity=day&format=xlsx",
}
BATCH = 20_000
TICKET_COLUMNS = (
    "id", "number", "subject", "status", "priority", "ticket_type", "itil_process", "locked",
    "held", "description", "cc", "bcc", "custom_fields", "source", "watchers", "created_at",
    "updated_at", "sla_stale", "site_id", "group_id", "agent_id", "template_id",
)  # fmt: skip


async def write_history(tickets: int) -> int:
    """The tickets and their history; returns the rows written."""
    chance = random.Random(7)
    sites = [await Site.create(code=f"site{n}", description="") for n in range(3)]
    groups = [await Queue.create(name=f"group{n}") for n in range(10)]
    agents = [await create_user(f"agent{n}", "agent-pass-1", role=Role.AGENT) for n in range(50)]
    templates = [await TicketTemplate.create(name=f"template{n}") for n in range(8)]
    await SlaPolicy.create(name="default", first_response_minutes=120, resolution_minutes=960)
    names, weights = zip(*CHANNELS, strict=True)
    per_day = tickets / 365
    made: list[list[Any]] = []
    changes: list[list[Any]] = []
    entries: list[list[Any]] = []
    written = 0

    async def flush() -> None:
        nonlocal written
        await insert_rows("tickets", TICKET_COLUMNS, made)
        await insert_rows("ticket_changes", ("ticket_id", "who", "field", "old", "new", "at"),
                          changes)  # fmt: skip
        await insert_rows("ticket_entries", ("ticket_id", "kind", "public", "author", "text",
                                             "message_id", "created_at"), entries)  # fmt: skip
        written += len(made) + len(changes) + len(entries)
        for rows in (made, changes, entries):
            rows.clear()

    for number in range(tickets):
        day = YEAR_START + timedelta(days=int(number / per_day))
        created = (day + timedelta(hours=8, seconds=chance.randrange(9 * 3600))).astimezone(UTC)
        group = chance.randrange(10)
        agent = agents[group * 5 + chance.randrange(5)]
        template = templates[chance.randrange(8)].id if chance.random() < 0.7 else None
        ticket_id = number + 1
        opened = created + timedelta(hours=1)
        solved = created + timedelta(seconds=chance.randrange(2 * 3600, 3 * 86_400))
        done = chance.random() < 0.9
        made.append([ticket_id, 1000 + ticket_id, f"Ticket {ticket_id}",
                     "solved" if done else "open", "medium", "", "", False, False, "", "[]",
                     "[]", "{}", chance.choices(names, weights)[0], "[]", created,
                     solved if done else opened, False, sites[group % 3].id, groups[group].id,
                     agent.id, template])  # fmt: skip
        changes.append([ticket_id, agent.username, "status", "new", "open", opened])
        answered = created + timedelta(seconds=chance.randrange(600, 5 * 3600))
        entries.append([ticket_id, "mail_out", True, agent.username, "On it.", "", answered])
        if done:
            changes.append([ticket_id, agent.username, "status", "open", "solved", solved])
            if chance.random() < 0.1:
                back = solved + timedelta(days=1)
                changes.append([ticket_id, "customer", "status", "solved", "open", back])
                changes.append([ticket_id, agent.username, "status", "open", "solved",
                                back + timedelta(hours=2)])  # fmt: skip
        if len(made) >= BATCH:
            await flush()
    await flush()
    return written


async def measure(folder: Path, tickets: int, url: str) -> tuple[dict[str, float], float]:
    config = Config(data_dir=folder, database_url=url)
    await open_database(config.database_url)
    await create_user("boss", "boss-pass", role=Role.SUPERVISOR)
    rows = await write_history(tickets)
    began = time.perf_counter()
    read = 0
    while counted := await fold_new(STOCKHOLM, LATER):
        read += counted
    folded = time.perf_counter() - began
    assert read == rows, (read, rows)
    print(f"  folded {rows:,} rows of history in {folded:.1f} s ({rows / folded:,.0f} rows/s)")
    await User.filter(username__startswith="agent").count()
    await close_database()
    results: dict[str, float] = {}
    app = create_platform_app(config, telephony=False)
    jar = aiohttp.CookieJar(unsafe=True)
    async with TestClient(TestServer(app), cookie_jar=jar) as client:
        await log_in(client, "boss", "boss-pass")
        page = await (await client.get(f"/statistics/tickets?{REQUESTS['year by month']}")).text()
        created = page.split('data-measure="created">', 1)[1].split("<", 1)[0]
        assert int(created) == tickets, created  # the work is real: every ticket is counted
        for name, query in REQUESTS.items():
            results[name] = await median_ms(client, f"/statistics/tickets?{query}")
            print(f"  {name:20} p50 {results[name]:7.1f} ms", flush=True)
    await close_database()
    return results, rows / folded


async def main() -> None:
    await small_and_large(measure, "tickets", "fold")


if __name__ == "__main__":
    asyncio.run(main())
