"""Call statistics at scale: a year of calls imported from an app_queue queue_log, then the
statistics page asked for the usual views, for a small and a large year in one run, so the
growth is the ratio between them.

For each size a database is migrated as ehd migrates it; a queue_log file is written as
app_queue writes it (4 queues, 20 agents, calls spread over 365 days in office hours, nine
in ten answered after 0-60 s and talked 30-600 s, the rest abandoned), and imported with
`ehd stats import-queue-log`'s code (the rows go into the queue_log table and the per-slot
counters). The same year's call records (12 numbers dialled on 3 sites; answered, abandoned,
closed, voicemail; hold on one answered call in five; every tenth call one an agent placed)
are inserted and folded by the call-record job's code (`ehd/stats/call_feed.py`). ehd's web
app then serves, one request at a time (10 of each, after a warm-up):

  year by month     the whole year, a row per month
  year by day       the whole year, a row per day (365 rows, a chart of 365 bars)
  quarter by week   91 days, per week and queue
  month by hour     31 days, a row per hour
  week by 15 min    7 days, a row per quarter hour
  year per agent    the whole year by month and agent, with their chats, tickets and CFI
  year per site     the whole year by month and site (the call records' figures)
  year per number   the whole year by month and number dialled
  year as XLSX      the year by day as a spreadsheet

Run: .venv/bin/python benchmarks/call_statistics_at_scale.py [--small 10000]
     [--large 1000000] [--write] [--postgres ADMIN_URL]
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aiohttp  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from benchmarks.statistics_pages import median_ms, small_and_large  # noqa: E402
from ehd.accounts.service import create_user  # noqa: E402
from ehd.config import Config  # noqa: E402
from ehd.db.bulk_insert import insert_rows  # noqa: E402
from ehd.db.lifecycle import close_database, open_database  # noqa: E402
from ehd.db.models import Queue, Role, Site  # noqa: E402
from ehd.platform import create_platform_app  # noqa: E402
from ehd.stats import call_feed  # noqa: E402
from ehd.stats.queue_log_import import import_queue_log  # noqa: E402
from tests.harness.web_client import log_in  # noqa: E402

REPEATS = 10
QUEUES = ("support", "sales", "billing", "returns")
AGENTS = [f"agent{n}" for n in range(20)]
YEAR_START = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
REQUESTS = {
    "year by month": "from=2025-01-01&to=2025-12-31&granularity=month",
    "year by day": "from=2025-01-01&to=2025-12-31&granularity=day",
    "quarter by week": "from=2025-04-01&to=2025-06-30&granularity=week&group=queue",
    "month by hour": "from=2025-05-01&to=2025-05-31&granularity=hour",
    "week by 15 min": "from=2025-05-05&to=2025-05-11&granularity=15min",
    "year per agent": "from=2025-01-01&to=2025-12-31&granularity=month&group=agent",
    "year per site": "from=2025-01-01&to=2025-12-31&granularity=month&group=site",
    "year per number": "from=2025-01-01&to=2025-12-31&granularity=month&group=did",
    "year as XLSX": "from=2025-01-01&to=2025-12-31&granularity=day&format=xlsx",
}


def write_queue_log(path: Path, calls: int) -> int:
    """app_queue's rows for ``calls`` calls; returns the number of rows."""
    chance = random.Random(7)
    rows = 0
    per_day = calls / 365
    with path.open("w") as out:
        for number in range(calls):
            day = int(number / per_day)
            at = YEAR_START + day * 86_400 + 7 * 3600 + chance.randrange(10 * 3600)
            call, queue = f"{at}.{number}", QUEUES[number % len(QUEUES)]
            out.write(f"{at}|{call}|{queue}|NONE|ENTERQUEUE||+4670{number:07d}|1\n")
            wait = chance.randrange(61)
            if chance.random() < 0.9:
                agent, talk = chance.choice(AGENTS), chance.randrange(30, 601)
                out.write(f"{at + wait}|{call}|{queue}|{agent}|CONNECT|{wait}|PJSIP/x|2\n")
                out.write(f"{at + wait + talk}|{call}|{queue}|{agent}|COMPLETECALLER|"
                          f"{wait}|{talk}|1\n")  # fmt: skip
                rows += 3
            else:
                out.write(f"{at + wait}|{call}|{queue}|NONE|ABANDON|1|1|{wait}\n")
                rows += 2
    return rows


DIDS = [f"+46101000{n:02d}" for n in range(12)]
RECORD_COLUMNS = (
    "call_id", "direction", "did", "caller_number", "caller_name", "route_type", "route_target",
    "started_at", "answered_at", "ended_at", "result", "queue_name", "agent", "queue_seconds",
    "talk_seconds", "hold_seconds", "language", "customer_number", "recording",
    "classification", "site_id", "counted",
)  # fmt: skip
RESULTS = ("answered",) * 85 + ("abandoned",) * 8 + ("closed",) * 4 + ("voicemail",) * 3


async def insert_call_records(calls: int, sites: list[int]) -> None:
    """A year of call records, a chunk at a time (a million rows do not fit in memory)."""
    chance = random.Random(11)
    per_day = calls / 365
    chunk: list[tuple[object, ...]] = []
    for number in range(calls):
        day = int(number / per_day)
        at = YEAR_START + day * 86_400 + 7 * 3600 + chance.randrange(10 * 3600)
        started = datetime.fromtimestamp(at, UTC)
        agent, queue = chance.choice(AGENTS), QUEUES[number % len(QUEUES)]
        if number % 10 == 9:  # placed by an agent
            placed_talk = float(chance.randrange(30, 300))
            chunk.append((f"r{number}", "out", "0701234567", "+46701234567", "", "outbound",
                          "national", started, started, started, "answered", "", agent, None,
                          placed_talk, 0.0, "", "", "", "", sites[number % 3], False))  # fmt: skip
        else:
            did = DIDS[number % len(DIDS)]
            result, wait = chance.choice(RESULTS), float(chance.randrange(61))
            answered = result == "answered"
            talk = float(chance.randrange(30, 601)) if answered else None
            hold = float(chance.randrange(10, 121)) if answered and chance.random() < 0.2 else 0.0
            chunk.append((f"r{number}", "in", did, f"+4670{number:07d}", "", "queue", queue,
                          started, started if answered else None, started, result, queue,
                          agent if answered else "", None if result == "closed" else wait,
                          talk, hold, "en", "", "", "", sites[DIDS.index(did) % 3],
                          False))  # fmt: skip
        if len(chunk) == 20_000:
            await insert_rows("call_records", RECORD_COLUMNS, chunk)
            chunk = []
    await insert_rows("call_records", RECORD_COLUMNS, chunk)


async def measure(folder: Path, calls: int, url: str) -> tuple[dict[str, float], float]:
    config = Config(data_dir=folder, database_url=url)
    await open_database(config.database_url)
    await create_user("boss", "boss-pass", role=Role.SUPERVISOR)
    for name in QUEUES:
        await Queue.create(name=name, sl_goal_seconds=20)
    log = folder / "queue_log"
    rows = await asyncio.to_thread(write_queue_log, log, calls)
    began = time.perf_counter()
    result = await import_queue_log(log, {name: 20.0 for name in QUEUES}.get)
    imported = time.perf_counter() - began
    assert result.rows == rows
    print(f"  imported {rows:,} rows in {imported:.1f} s ({rows / imported:,.0f} rows/s)")
    sites = [(await Site.create(code=f"site{n}")).id for n in range(3)]
    await insert_call_records(calls, sites)
    began = time.perf_counter()
    folded = 0
    while read := await call_feed.fold_ended(datetime(2026, 1, 1, tzinfo=UTC)):
        folded += read
    spent = time.perf_counter() - began
    assert folded == calls
    print(f"  folded {calls:,} call records in {spent:.1f} s ({calls / spent:,.0f} calls/s)")
    await close_database()
    results: dict[str, float] = {}
    app = create_platform_app(config, telephony=False)
    jar = aiohttp.CookieJar(unsafe=True)
    async with TestClient(TestServer(app), cookie_jar=jar) as client:
        await log_in(client, "boss", "boss-pass")
        page = await (await client.get(f"/statistics/calls?{REQUESTS['year by month']}")).text()
        offered = page.split('data-measure="offered">', 1)[1].split("<", 1)[0]
        assert int(offered) == calls, offered  # the work is real: every call is counted
        page = await (await client.get(f"/statistics/calls?{REQUESTS['year per site']}")).text()
        offered = page.split('data-measure="offered">', 1)[1].split("<", 1)[0]
        placed = page.split('data-measure="outbound">', 1)[1].split("<", 1)[0]
        assert int(offered) + int(placed) == calls, (offered, placed)
        for name, query in REQUESTS.items():
            results[name] = await median_ms(client, f"/statistics/calls?{query}")
            print(f"  {name:16} p50 {results[name]:7.1f} ms", flush=True)
    await close_database()
    return results, rows / imported


async def main() -> None:
    await small_and_large(measure, "calls", "import")


if __name__ == "__main__":
    asyncio.run(main())
