"""The ticket counters per day in the database: per combination of attributes
(``ticket_days``, for filtered views) and per single attribute (``ticket_day_slices``, for the
rest); adding the deltas of a fold, and the sums a view reads, grouped by the database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from ehd.db.bulk_insert import add_to_counters
from ehd.stats.ticket_figures import COLUMNS, DayKey, Dimension, Period, TicketCounts

KEY_COLUMNS = ("day", "channel", "site_id", "group_id", "agent_id", "template_id")
DIMENSION_COLUMNS = {
    Dimension.CHANNEL: "channel", Dimension.SITE: "site_id", Dimension.GROUP: "group_id",
    Dimension.AGENT: "agent_id", Dimension.TEMPLATE: "template_id",
}  # fmt: skip


SLICE_COLUMNS = ("dimension", "day", "value")


def _slices(deltas: Mapping[DayKey, TicketCounts]) -> dict[tuple[str, date, str], TicketCounts]:
    """The deltas summed per day over every attribute but one, and over all of them."""
    sliced: dict[tuple[str, date, str], TicketCounts] = {}
    for key, counts in deltas.items():
        a = key.attributes
        values = {
            Dimension.TOTAL: "", Dimension.CHANNEL: a.channel, Dimension.SITE: str(a.site_id),
            Dimension.GROUP: str(a.group_id), Dimension.AGENT: str(a.agent_id),
            Dimension.TEMPLATE: str(a.template_id),
        }  # fmt: skip
        for dimension, value in values.items():
            sliced.setdefault((dimension.value, key.day, value), TicketCounts()).add(counts)
    return sliced


async def add(deltas: Mapping[DayKey, TicketCounts], connection: BaseDBAsyncClient) -> None:
    """Adds the deltas to their days and slices (in the caller's transaction, with the feed's
    cursors)."""
    combos = [
        (key.day, key.attributes.channel, key.attributes.site_id, key.attributes.group_id,
         key.attributes.agent_id, key.attributes.template_id, *counts.values())
        for key, counts in sorted(deltas.items())
    ]  # fmt: skip
    await add_to_counters(connection, "ticket_days", KEY_COLUMNS, COLUMNS, combos)
    sliced = [(*key, *counts.values()) for key, counts in sorted(_slices(deltas).items())]
    await add_to_counters(connection, "ticket_day_slices", SLICE_COLUMNS, COLUMNS, sliced)


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
    bucket = BUCKETS["postgres" if postgres else "sqlite"][period]
    filters = dict(only or {})
    values: list[Any] = [first, last]
    conditions = ["day >= {}", "day <= {}"]
    # each named: PostgreSQL calls every SUM(x) "sum"
    summed = ", ".join(f"SUM({c}) AS {c}" for c in COLUMNS)
    if not filters or (dimension is Dimension.TOTAL and len(filters) == 1):
        # One slice answers: a grouping without filters, or one filter in total.
        sliced, wanted = next(iter(filters.items()), (dimension, None))
        conditions.append("dimension = {}")
        values.append(sliced.value)
        if wanted is not None:
            conditions.append("value = {}")
            values.append(str(wanted))
        table, by = "ticket_day_slices", "value" if dimension is not Dimension.TOTAL else None
    else:
        for filtered, value in filters.items():
            conditions.append(f"{DIMENSION_COLUMNS[filtered]} = {{}}")
            values.append(value)
        table, by = "ticket_days", DIMENSION_COLUMNS.get(dimension)
    marks = [f"${n}" if postgres else "?" for n in range(1, len(values) + 1)]
    grouped = ("bucket", by) if by else ("bucket",)
    sql = (
        f"SELECT {bucket} AS bucket{f', {by}' if by else ''}, {summed} FROM {table} "
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
        f"FROM ticket_day_slices WHERE dimension = 'total' AND day > {mark}"
    )
    (row,) = await connection.execute_query_dict(sql, [last])
    return int(row["created"] or 0) - int(row["solved"] or 0) + int(row["reopened"] or 0)
