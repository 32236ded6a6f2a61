"""The ticket counters per day in the database (``ticket_days``): adding the deltas of a fold,
and the sums a statistics view reads, grouped by the database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from ehd.db.bulk_insert import insert_rows
from ehd.db.models import TicketDay
from ehd.stats.ticket_figures import COLUMNS, Attributes, DayKey, Dimension, Period, TicketCounts

KEY_COLUMNS = ("day", "channel", "site_id", "group_id", "agent_id", "template_id")
DIMENSION_COLUMNS = {
    Dimension.CHANNEL: "channel", Dimension.SITE: "site_id", Dimension.GROUP: "group_id",
    Dimension.AGENT: "agent_id", Dimension.TEMPLATE: "template_id",
}  # fmt: skip


def _key(row: TicketDay) -> DayKey:
    return DayKey(row.day, Attributes(row.channel, row.site_id, row.group_id, row.agent_id,
                                      row.template_id))  # fmt: skip


async def add(deltas: Mapping[DayKey, TicketCounts], connection: BaseDBAsyncClient) -> None:
    """Adds the deltas to their days, making the rows that are new (in the caller's
    transaction, with the feed's cursors)."""
    if not deltas:
        return
    days = sorted({key.day for key in deltas})
    existing = {
        _key(row): row
        for row in await TicketDay.filter(day__in=days).using_db(connection)
    }  # fmt: skip
    new = []
    for key in sorted(deltas):
        row = existing.get(key)
        if row is None:
            a = key.attributes
            new.append((key.day, a.channel, a.site_id, a.group_id, a.agent_id, a.template_id,
                        *deltas[key].values()))  # fmt: skip
            continue
        for name, value in zip(COLUMNS, deltas[key].values(), strict=True):
            setattr(row, name, getattr(row, name) + value)
        await row.save(using_db=connection)
    await insert_rows("ticket_days", (*KEY_COLUMNS, *COLUMNS), new, connection)


def _counts(row: Mapping[str, Any]) -> TicketCounts:
    return TicketCounts(**{name: int(row[name] or 0) for name in COLUMNS})


# The period's first day, worked out by the database (weeks start on Monday).
BUCKETS = {
    "sqlite": {
        Period.DAY: "day",
        Period.WEEK: (
            "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')"
        ),
        Period.MONTH: "substr(day, 1, 7) || '-01'",
    },
    "postgres": {
        Period.DAY: "day",
        Period.WEEK: "CAST(date_trunc('week', day) AS DATE)",
        Period.MONTH: "CAST(date_trunc('month', day) AS DATE)",
    },
}  # fmt: skip


async def sums(
    first: date, last: date, period: Period, dimension: Dimension,
    only: Mapping[Dimension, Any] | None = None,
) -> list[tuple[date, str, TicketCounts]]:  # fmt: skip
    """The counters from ``first`` to ``last`` (inclusive) summed by the database per period
    (keyed by its first day) and value of the dimension ("" in total), filtered by ``only``
    (dimension: value); periods without any are left out."""
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    values: list[Any] = [first, last]
    conditions = ["day >= {}", "day <= {}"]
    for filtered, value in (only or {}).items():
        conditions.append(f"{DIMENSION_COLUMNS[filtered]} = {{}}")
        values.append(value)
    marks = [f"${n}" if postgres else "?" for n in range(1, len(values) + 1)]
    by = DIMENSION_COLUMNS.get(dimension)
    bucket = BUCKETS["postgres" if postgres else "sqlite"][period]
    grouped = ("bucket", by) if by else ("bucket",)
    # each named: PostgreSQL calls every SUM(x) "sum"
    summed = ", ".join(f"SUM({c}) AS {c}" for c in COLUMNS)
    sql = (
        f"SELECT {bucket} AS bucket{f', {by}' if by else ''}, {summed} FROM ticket_days "
        f"WHERE {' AND '.join(conditions).format(*marks)} GROUP BY {', '.join(grouped)}"
    )
    rows = await connection.execute_query_dict(sql, values)
    return [
        (_day(row["bucket"]), str(row[by]) if by else "", _counts(row)) for row in rows
    ]  # fmt: skip


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def net_change_after(last: date) -> int:
    """Created less solved plus reopened over the days after ``last``: how far today's open
    count has moved since."""
    connection = connections.get("default")
    mark = "$1" if connection.capabilities.dialect == "postgres" else "?"
    sql = (
        "SELECT SUM(created) AS created, SUM(solved) AS solved, SUM(reopened) AS reopened "
        f"FROM ticket_days WHERE day > {mark}"
    )
    (row,) = await connection.execute_query_dict(sql, [last])
    return int(row["created"] or 0) - int(row["solved"] or 0) + int(row["reopened"] or 0)
