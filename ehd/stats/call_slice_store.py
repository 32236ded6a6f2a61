"""The call-record counters per slot in the database (``call_slices``): adding a fold's
deltas, and the sums a view reads, grouped by the database per period and slice value."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from ehd.db.bulk_insert import add_to_counters
from ehd.stats.bucket_sums import bucket_sums
from ehd.stats.call_slices import CALL_COUNTERS, MAXIMA, CallCounts, Dimension, SliceKey
from ehd.stats.rollup import Granularity

KEY_COLUMNS = ("dimension", "slot", "value")


async def add(deltas: Mapping[SliceKey, CallCounts], connection: BaseDBAsyncClient) -> None:
    """In the caller's transaction (with the records marked counted)."""
    rows = [
        (key.dimension.value, key.slot, key.value, *(getattr(counts, c) for c in CALL_COUNTERS))
        for key, counts in sorted(deltas.items())
    ]
    await add_to_counters(connection, "call_slices", KEY_COLUMNS, CALL_COUNTERS, rows, MAXIMA)


async def sums(
    first: int,
    end: int,
    granularity: Granularity,
    zone: ZoneInfo,
    dimension: Dimension,
    values: Collection[str] = (),
    counters: Collection[str] = CALL_COUNTERS,
) -> list[tuple[int, str, CallCounts]]:
    """(period start, slice value, summed counters) of [first, end) for ``dimension``; with
    ``values``, only those; only ``counters`` are summed (the rest are 0): fewer columns to
    sum is most of the speed of a year's view per agent."""
    summed = [c for c in CALL_COUNTERS if c in counters]
    aggregates = {c: "MAX" if c in MAXIMA else "SUM" for c in summed}
    where = "dimension = {}"
    arguments: list[object] = [dimension.value]
    if values:
        where += " AND value IN (" + ", ".join("{}" for _ in values) + ")"
        arguments.extend(sorted(values))
    rows = await bucket_sums(
        "call_slices", aggregates, where, arguments, ("value",), first, end, granularity, zone
    )
    return [
        (moment, str(row["value"]), CallCounts(**{c: int(row[c] or 0) for c in summed}))
        for moment, row in rows
    ]
