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
