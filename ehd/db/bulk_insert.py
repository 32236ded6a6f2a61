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


async def add_to_counters(
    connection: BaseDBAsyncClient,
    table: str,
    keys: Sequence[str],
    counters: Sequence[str],
    rows: Sequence[Sequence[Any]],
    maxima: Sequence[str] = (),
) -> None:
    """Adds each row's counters (after its key columns) to the stored row with that key,
    making the rows that are new: one statement for all (INSERT … ON CONFLICT, on SQLite and
    PostgreSQL alike). The ``maxima`` keep the larger value instead of the sum."""
    if not rows:
        return
    postgres = connection.capabilities.dialect == "postgres"
    names = (*keys, *counters)
    marks = ", ".join(f"${n}" if postgres else "?" for n in range(1, len(names) + 1))
    larger = "GREATEST" if postgres else "MAX"  # SQLite's two-argument MAX is a scalar
    added = ", ".join(
        f"{c} = {larger}({table}.{c}, excluded.{c})" if c in maxima
        else f"{c} = {table}.{c} + excluded.{c}"
        for c in counters
    )  # fmt: skip
    await connection.execute_many(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}",
        [list(row) for row in rows],
    )
