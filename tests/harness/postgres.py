"""Throw-away PostgreSQL databases for tests, on the server ``tests/postgres.sh`` prepares."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

import ehd.db.migrations
from ehd.db.lifecycle import close_database, open_database

POSTGRES_ENV = "EHD_TEST_POSTGRES_URL"


def admin_url() -> str:
    """The server's admin URL; skips the test without one (fails it in CI, which must test
    PostgreSQL too)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must test PostgreSQL too")
        pytest.skip(f"{POSTGRES_ENV} not set (run tests/postgres.sh)")
    return url


def database_at(admin: str, name: str) -> str:
    return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))


def _migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(ehd.db.migrations.__file__).parent.glob("0*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


async def migrated_template(admin: str) -> str:
    """A PostgreSQL database migrated for real, named after the migrations it holds, that
    each test's database is copied from (``CREATE DATABASE ... TEMPLATE``): migrating each one
    from scratch took 20-30 s. Made under a temporary name and renamed when complete, so a
    half-made one is never used; kept for later runs."""
    name = f"ehd_template_{_migrations_digest()}"
    connection = await asyncpg.connect(admin)
    try:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return name
        making = f"ehd_making_{uuid.uuid4().hex[:12]}"
        await connection.execute(f'CREATE DATABASE "{making}"')
        await open_database(database_at(admin, making))
        await close_database()
        try:
            await connection.execute(f'ALTER DATABASE "{making}" RENAME TO "{name}"')
        except asyncpg.DuplicateDatabaseError:  # another worker finished first
            await connection.execute(f'DROP DATABASE "{making}"')
    finally:
        await connection.close()
    return name


@asynccontextmanager
async def throwaway_database(admin: str, *, migrated: bool) -> AsyncIterator[str]:
    """A new database (a copy of the migrated template, or empty), dropped afterwards."""
    name = f"ehd_test_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{await migrated_template(admin)}"' if migrated else ""
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"{copied}')
    finally:
        await connection.close()
    try:
        yield database_at(admin, name)
    finally:
        connection = await asyncpg.connect(admin)
        try:
            for attempt in range(5):  # an autovacuum worker may hold the database briefly
                try:
                    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    break
                except asyncpg.InsufficientPrivilegeError:
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.5)
        finally:
            await connection.close()


async def end_lease_sessions(admin: str, database_url: str) -> int:
    """End the sessions holding advisory locks in ``database_url``'s database, as a failed
    network or a restarted server would; how many there were."""
    name = urlsplit(database_url).path.lstrip("/")
    connection = await asyncpg.connect(admin)
    try:
        return int(
            await connection.fetchval(
                "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l"
                " JOIN pg_database d ON d.oid = l.database"
                " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1",
                name,
            )
        )
    finally:
        await connection.close()
