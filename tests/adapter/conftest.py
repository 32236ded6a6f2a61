"""Adapter-tier fixtures: a real database (SQLite, and PostgreSQL when configured), and an
admin logged in to a web app."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestServer

import ehd.db.migrations
from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import Role
from ehd.platform import create_platform_app
from tests.harness.web_client import logged_in_session

POSTGRES_ENV = "EHD_TEST_POSTGRES_URL"


def _database(admin_url: str, name: str) -> str:
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def _migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(ehd.db.migrations.__file__).parent.glob("0*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


async def migrated_template(admin_url: str) -> str:
    """A PostgreSQL database migrated for real, named after the migrations it holds, that
    each test's database is copied from (``CREATE DATABASE ... TEMPLATE``): migrating each one
    from scratch took 20-30 s. Made under a temporary name and renamed when complete, so a
    half-made one is never used; kept for later runs."""
    name = f"ehd_template_{_migrations_digest()}"
    admin = await asyncpg.connect(admin_url)
    try:
        if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return name
        making = f"ehd_making_{uuid.uuid4().hex[:12]}"
        await admin.execute(f'CREATE DATABASE "{making}"')
        await open_database(_database(admin_url, making))
        await close_database()
        try:
            await admin.execute(f'ALTER DATABASE "{making}" RENAME TO "{name}"')
        except asyncpg.DuplicateDatabaseError:  # another worker finished first
            await admin.execute(f'DROP DATABASE "{making}"')
    finally:
        await admin.close()
    return name


async def _throwaway(kind: str, tmp_path: Path, migrated: bool) -> AsyncIterator[str]:
    if kind == "sqlite":  # a fresh file starts as a copy of a migrated one when opened
        yield f"sqlite://{tmp_path / 'test.sqlite3'}"
        return
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must test PostgreSQL too")
        pytest.skip(f"{POSTGRES_ENV} not set (run tests/postgres.sh)")
    name = f"ehd_test_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{await migrated_template(admin_url)}"' if migrated else ""
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"{copied}')
    finally:
        await admin.close()
    yield _database(admin_url, name)
    admin = await asyncpg.connect(admin_url)
    try:
        for attempt in range(5):  # an autovacuum worker on the new database may hold it briefly
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except asyncpg.InsufficientPrivilegeError:
                if attempt == 4:
                    raise
                await asyncio.sleep(0.5)
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A throw-away database of each kind, ready for ``open_database``."""
    async for url in _throwaway(request.param, tmp_path, migrated=True):
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of each kind with no tables at all, for tests that migrate it step by step
    (SQLite's is a new file, which they migrate with Tortoise's own migrator)."""
    async for url in _throwaway(request.param, tmp_path, migrated=False):
        yield url


@pytest.fixture
async def admin_pages(tmp_path: Path) -> AsyncIterator[aiohttp.ClientSession]:
    """An admin's logged-in session on a web app over a fresh database (agent anna exists)."""
    server = TestServer(create_platform_app(Config(data_dir=tmp_path), telephony=False))
    async with server:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        await create_user("anna", "anna-pass", role=Role.AGENT)
        session = await logged_in_session(str(server.make_url("/")), "admin", "admin-pass")
        yield session
        await session.close()
