"""Per-slot counter tables summed by the database into the periods of a view (15 minutes,
hours, days, weeks from Monday, months) on the site's wall clock: a year is a few hundred
rows whatever the number of slots. Shared by the queue (queue_log) and call-record tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections

from ehd.stats.intervals import SLOT_SECONDS
from ehd.stats.rollup import Granularity, month_spans, offset_spans

EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - a wall clock's zero, given its zone later
WEEK_SECONDS = 7 * 86_400
MONDAY_SHIFT = 3 * 86_400  # 1970-01-01 was a Thursday
BUCKETS = {  # the bucket of a slot, in seconds on the local clock
    Granularity.QUARTER: (SLOT_SECONDS, 0),
    Granularity.HOUR: (3600, 0),
    Granularity.DAY: (86_400, 0),
    Granularity.WEEK: (WEEK_SECONDS, MONDAY_SHIFT),
}


async def bucket_sums(
    table: str,
    aggregates: Mapping[str, str],
    where: str,
    values: Sequence[object],
    by: Sequence[str],
    first: int,
    end: int,
    granularity: Granularity,
    zone: ZoneInfo,
) -> list[tuple[int, dict[str, Any]]]:
    """(period start as a moment, {column: aggregate, by-column: value}) for the rows of
    ``table`` with ``first <= slot < end`` matching ``where`` (its ``{}`` marks take
    ``values`` in order), grouped by period and ``by``. ``aggregates`` maps each column to
    SUM or MAX. A period cut by a change of summer time comes as two rows with one start."""
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    # each named: PostgreSQL calls every SUM(x) "sum", and a row's dict would keep one
    summed = [f"{function}({column}) AS {column}" for column, function in aggregates.items()]
    spans: list[tuple[int, int, int | None]] = []
    if granularity is Granularity.MONTH:
        spans.extend((start, stop, None) for start, stop in month_spans(first, end, zone))
    else:
        spans.extend(offset_spans(first, end, zone))
    result = []
    for start, stop, offset in spans:
        arguments = [start, stop, *values]
        marks = [f"${n}" if postgres else "?" for n in range(1, len(arguments) + 1)]
        condition = ("slot >= {} AND slot < {}" + (f" AND {where}" if where else "")).format(*marks)
        if offset is None:  # one month: one bucket
            bucket, size, shift = "0", 0, 0
        else:
            size, shift = BUCKETS[granularity]
            bucket = f"(slot + {int(offset + shift)}) / {size}"
        sql = (
            f"SELECT {bucket} AS bucket, {', '.join((*by, *summed))} FROM {table} "
            f"WHERE {condition} GROUP BY {', '.join(('bucket', *by))}"
        )
        for row in await connection.execute_query_dict(sql, arguments):
            if offset is None:
                moment = start
            else:  # the bucket's start on the local clock, as a moment
                wall = EPOCH + timedelta(seconds=int(row["bucket"]) * size - shift)
                moment = int(wall.replace(tzinfo=zone).timestamp())
            result.append((moment, row))
    return result
