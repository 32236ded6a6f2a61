"""A fresh SQLite database for each test without migrating each one from scratch.

Running all migrations takes a test's setup 15-20 s (Tortoise replays every migration's state);
opening an up-to-date database takes a twentieth of a second. So the first fresh database a
test process opens is migrated for real into a template, and every later fresh database starts
as a copy of it; ``open_database`` then runs the real migrator, which finds nothing pending.
Databases that already exist (the migration tests' half-migrated ones), PostgreSQL and explicit
targets go straight to the real migrator.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate as _real_migrate

from ehd.db import lifecycle
from ehd.db.config import tortoise_config

_template: Path | None = None


def _sqlite_file(config: dict[str, Any]) -> Path | None:
    url = config["connections"]["default"]
    if not isinstance(url, str) or not url.startswith("sqlite://"):
        return None
    path = Path(url.removeprefix("sqlite://").split("?", 1)[0])
    return None if path.name == ":memory:" else path


async def template_database() -> Path:
    """The migrated template of this test process (made on first use)."""
    global _template
    if _template is None:
        path = Path(tempfile.mkdtemp(prefix="ehd-db-template-")) / "template.sqlite3"
        await _real_migrate(config=tortoise_config(f"sqlite://{path}"))
        await Tortoise.close_connections()
        _template = path
    return _template


async def migrate_from_template(*, config: dict[str, Any], **options: Any) -> None:
    path = _sqlite_file(config)
    if path is not None and not options and not path.exists():
        shutil.copyfile(await template_database(), path)
    await _real_migrate(config=config, **options)


def install() -> None:
    lifecycle.migrate = migrate_from_template  # type: ignore[attr-defined,assignment]
