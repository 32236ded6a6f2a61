"""Read ehd's call records straight from its SQLite database, as a report tool would."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def call_records(database: Path, **where: str) -> list[dict[str, Any]]:
    clauses = " AND ".join(f"{column} = ?" for column in where) or "1 = 1"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute(
            f"SELECT * FROM call_records WHERE {clauses} ORDER BY id", tuple(where.values())
        )
        return [dict(row) for row in rows]


def call_handlings(database: Path, call_id: str) -> list[dict[str, Any]]:
    """Each agent's part of a call, in order."""
    return _rows_of_call(database, "call_handlings", call_id)


def call_monitorings(database: Path, call_id: str) -> list[dict[str, Any]]:
    """Each time a supervisor listened to or whispered into a call, in order."""
    return _rows_of_call(database, "call_monitorings", call_id)


def _rows_of_call(database: Path, table: str, call_id: str) -> list[dict[str, Any]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute(f"SELECT * FROM {table} WHERE call_id = ? ORDER BY id",
                                  (call_id,))  # fmt: skip
        return [dict(row) for row in rows]


async def closed_call_record(database: Path, caller: str, timeout: float = 10) -> dict[str, Any]:
    """Wait until the first call from ``caller`` has ended; return its record."""
    from tests.harness.polling import eventually

    async def closed() -> dict[str, Any] | None:
        rows = call_records(database, caller_number=caller)
        return rows[0] if rows and rows[0]["ended_at"] else None

    return await eventually(closed, timeout=timeout, what=f"a closed call record for {caller}")
