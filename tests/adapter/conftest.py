"""Adapter-tier fixtures: a real database (SQLite, and PostgreSQL when configured), and an
admin logged in to a web app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role
from ehd.platform import create_platform_app
from tests.harness.postgres import admin_url, throwaway_database
from tests.harness.web_client import logged_in_session


async def _throwaway(kind: str, tmp_path: Path, migrated: bool) -> AsyncIterator[str]:
    if kind == "sqlite":  # a fresh file starts as a copy of a migrated one when opened
        yield f"sqlite://{tmp_path / 'test.sqlite3'}"
        return
    async with throwaway_database(admin_url(), migrated=migrated) as url:
        yield url


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
