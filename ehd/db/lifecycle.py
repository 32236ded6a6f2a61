"""Open, migrate, check and close the database (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import logging
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.exceptions import BaseORMException
from tortoise.migrations.api import migrate

from ehd.db.config import tortoise_config

log = logging.getLogger(__name__)


async def open_database(database_url: str, *, apply_migrations: bool = True) -> None:
    """Apply pending migrations, then initialise Tortoise for queries."""
    config = tortoise_config(database_url)
    try:
        if apply_migrations:
            await migrate(config=config)
            await Tortoise.close_connections()
        await Tortoise.init(config=config)
        _owner_only(database_url)
    except BaseException:
        # A half-open connection keeps aiosqlite's thread alive: the process would never exit.
        await close_database()
        raise


def _owner_only(database_url: str) -> None:
    """A SQLite file holds SIP and IMAP passwords: readable by its owner alone (0600)."""
    if not database_url.startswith("sqlite://"):
        return
    path = Path(database_url.removeprefix("sqlite://").split("?", 1)[0])
    if path.name != ":memory:" and path.exists():
        path.chmod(0o600)


async def close_database() -> None:
    await Tortoise.close_connections()
    # Tortoise keeps the model registry and a SQL cache keyed by connection name ("default")
    # after closing; both hold the old backend's dialect. Clear them so a later open (another
    # backend, as in the tests) starts clean.
    await Tortoise._reset_apps()
    EXECUTOR_CACHE.clear()


async def database_healthy() -> bool:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except (BaseORMException, OSError, KeyError) as err:
        log.warning("database check failed: %r", err)
        return False
    except Exception as err:  # drivers raise their own families (sqlite3, asyncpg)
        log.warning("database check failed: %r", err)
        return False
    return True
