"""Adapter-tier fixtures: a real database (SQLite, and PostgreSQL when configured), and an
admin logged in to a web app."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role
from ehd.platform import create_platform_app
from tests.harness.web_client import logged_in_session

POSTGRES_ENV = "EHD_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of each kind; PostgreSQL gets a throw-away database per test."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'test.sqlite3'}"
        return
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must test PostgreSQL too")
        pytest.skip(f"{POSTGRES_ENV} not set (run tests/postgres.sh)")
    name = f"ehd_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    parts = urlsplit(admin_url)
    yield urlunsplit(parts._replace(path=f"/{name}"))
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
