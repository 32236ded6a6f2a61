"""Many rows into one table in one statement, without a model object per row: imports of
years of history spend their time in the database, not in building ORM objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient


async def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    connection: BaseDBAsyncClient | None = None,
) -> None:
    """Values as the driver takes them (datetimes, numbers, text); ``connection`` is the
    transaction to use, if any."""
    if not rows:
        return
    client = connection or connections.get("default")
    postgres = client.capabilities.dialect == "postgres"
    marks = ", ".join(f"${n}" if postgres else "?" for n in range(1, len(columns) + 1))
    names = ", ".join(f'"{column}"' for column in columns)
    await client.execute_many(
        f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [list(row) for row in rows]
    )
