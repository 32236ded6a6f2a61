"""What the statistics benchmarks share: timing a page, and running a small and a large size
in one go into one table of ratios (optionally appended to docs/performance.md), on SQLite or
(``--postgres ADMIN_URL``, e.g. what tests/postgres.sh prints) on a fresh PostgreSQL
database per size."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from aiohttp.test_utils import TestClient

HERE = Path(__file__).resolve().parent
REPEATS = 10
# (folder, size, database URL) -> (each view's median ms, a rate)
Measure = Callable[[Path, int, str], Awaitable[tuple[dict[str, float], float]]]


@asynccontextmanager
async def bench_database(folder: Path, postgres: str | None) -> AsyncIterator[str]:
    """A SQLite file in ``folder``, or a PostgreSQL database made for the run and dropped
    after it."""
    if not postgres:
        yield f"sqlite://{folder / 'ehd.sqlite3'}"
        return
    name = f"ehd_bench_{folder.name}"
    admin = await asyncpg.connect(postgres)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield urlunsplit(urlsplit(postgres)._replace(path=f"/{name}"))
    finally:
        admin = await asyncpg.connect(postgres)
        try:
            for attempt in range(10):  # an autovacuum worker may hold the database a moment
                try:
                    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    break
                except asyncpg.InsufficientPrivilegeError:
                    if attempt == 9:
                        raise
                    await asyncio.sleep(1)
        finally:
            await admin.close()


async def timed(client: TestClient, path: str) -> float:  # type: ignore[type-arg]
    began = time.perf_counter()
    async with client.get(path) as response:
        await response.read()
        assert response.status == 200, response.status
    return (time.perf_counter() - began) * 1000


async def median_ms(client: TestClient, path: str) -> float:  # type: ignore[type-arg]
    """The median of REPEATS requests, after one to warm up."""
    await timed(client, path)
    return statistics.median([await timed(client, path) for _ in range(REPEATS)])


async def small_and_large(measure: Measure, unit: str, rate: str) -> None:
    """Runs ``measure`` (views' medians, a rate) for ``--small`` and ``--large`` and prints the
    table of both with their ratio (``--write``: appended to docs/performance.md)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--postgres", help="admin URL: run on PostgreSQL instead of SQLite")
    args = parser.parse_args()
    figures, rates = {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for size in (args.small, args.large):
            print(f"{size:,} {unit}", flush=True)
            place = Path(folder) / str(size)
            place.mkdir()
            async with bench_database(place, args.postgres) as url:
                figures[size], rates[size] = await measure(place, size, url)
    print("PostgreSQL" if args.postgres else "SQLite")
    lines = [f"| view | {args.small:,} {unit} p50 (ms) | {args.large:,} {unit} p50 (ms) | "
             "large / small |", "| --- | --- | --- | --- |"]  # fmt: skip
    for name in figures[args.small]:
        small, large = figures[args.small][name], figures[args.large][name]
        lines.append(f"| {name} | {small:.1f} | {large:.1f} | {large / small:.2f} |")
    lines.append(f"| {rate} (rows/s) | {rates[args.small]:,.0f} | {rates[args.large]:,.0f} | "
                 f"{rates[args.large] / rates[args.small]:.2f} |")  # fmt: skip
    print("\n".join(lines))
    if args.write:
        with (HERE.parent / "docs" / "performance.md").open("a") as out:
            out.write("\n" + "\n".join(lines) + "\n")
