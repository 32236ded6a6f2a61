"""The lease that lets one of several ehd processes on a database act, on PostgreSQL and on
SQLite's data folder, and the standby that takes over when it comes free."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

from ehd.active_role import active_ctx
from ehd.config import Config
from ehd.db.lease import FileLease, Lease, PostgresLease, lease_for
from ehd.platform import Telephony
from ehd.web.keys import CONFIG, HEALTH
from tests.harness.polling import eventually
from tests.harness.postgres import admin_url, end_lease_sessions, throwaway_database


@pytest.fixture(params=["file", "postgres"])
async def two_leases(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Lease, Lease]]:
    """Two processes' leases on one database (or data folder)."""
    if request.param == "file":
        yield FileLease(tmp_path / "active.lock"), FileLease(tmp_path / "active.lock")
        return
    async with throwaway_database(admin_url(), migrated=False) as url:
        first, second = PostgresLease(url), PostgresLease(url)
        yield first, second
        await first.release()
        await second.release()


async def test_one_holder_at_a_time_and_the_next_takes_it_when_released(
    two_leases: tuple[Lease, Lease],
) -> None:
    first, second = two_leases
    assert await first.try_take()
    assert await first.try_take(), "taking it again while holding it keeps it"
    assert not await second.try_take()
    assert await first.still_held()
    await first.release()
    assert not await first.still_held()
    assert await second.try_take()
    assert not await first.try_take()


async def test_a_killed_session_loses_the_postgres_lease_to_the_standby() -> None:
    """The server ends the holder's session (as when its process dies or the network fails):
    the holder finds it has lost the lease, and the other process can take it."""
    admin = admin_url()
    async with throwaway_database(admin, migrated=False) as url:
        holder, standby = PostgresLease(url), PostgresLease(url)
        try:
            assert await holder.try_take()
            assert await end_lease_sessions(admin, url) == 1
            assert await standby.try_take()
            assert not await holder.still_held()
        finally:
            await holder.release()
            await standby.release()


def test_the_lease_follows_the_database() -> None:
    lock = Path("/nonexistent/active.lock")
    assert isinstance(lease_for("postgres://u:p@h:5432/ehd?minsize=2", lock), PostgresLease)
    assert isinstance(lease_for("sqlite:///tmp/ehd.sqlite3", lock), FileLease)


def _process(data_dir: Path, started: list[str], name: str) -> web.Application:
    """An ehd's lease holding part only, on ``data_dir``: its one part notes when it runs."""

    @asynccontextmanager
    async def part(app: web.Application) -> AsyncIterator[None]:
        started.append(f"{name} started")
        yield
        started.append(f"{name} stopped")

    app = web.Application()
    app[CONFIG] = Config(data_dir=data_dir)
    app[HEALTH] = Telephony()
    app.cleanup_ctx.append(active_ctx([part]))
    return app


async def test_the_standby_starts_the_parts_once_the_active_process_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ehd.active_role.LEASE_POLL_SECONDS", 0.05)
    started: list[str] = []
    active = web.AppRunner(_process(tmp_path, started, "active"))
    standby_app = _process(tmp_path, started, "standby")
    standby = web.AppRunner(standby_app)
    await active.setup()
    await standby.setup()
    try:
        assert started == ["active started"]
        assert standby_app[HEALTH].role == "standby"
        await asyncio.sleep(0.2)
        assert started == ["active started"], "the standby acted while the lease was held"
        await active.cleanup()

        async def took_over() -> bool:
            return standby_app[HEALTH].role == "active"

        await eventually(took_over, timeout=5, what="the standby took over")
        assert started == ["active started", "active stopped", "standby started"]
    finally:
        await standby.cleanup()
    assert started[-1] == "standby stopped"
