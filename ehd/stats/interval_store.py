"""The per-slot counters in the database: deltas added as queue_log rows arrive (live, or from
an imported queue_log), and summed by the database into periods for any view."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from ehd.db.bulk_insert import insert_rows
from ehd.db.models import QueueInterval
from ehd.stats.bucket_sums import bucket_sums
from ehd.stats.intervals import (
    ALL_QUEUES,
    BAND_COUNTERS,
    COUNTER_NAMES,
    MAX_COUNTERS,
    WAIT_BANDS,
    SlotCounts,
    SlotKey,
)
from ehd.stats.rollup import Granularity, Grouping

BAND_COLUMNS = {
    bands: tuple(f"{bands[:-1]}_{n}" for n in range(len(WAIT_BANDS) + 1)) for bands in BAND_COUNTERS
}  # answered_waits -> answered_wait_0 … answered_wait_10
SCALAR_COLUMNS = tuple(name for name in COUNTER_NAMES if name not in BAND_COUNTERS)
COLUMNS = (*SCALAR_COLUMNS, *(column for columns in BAND_COLUMNS.values() for column in columns))


def _counts(values: Mapping[str, Any]) -> SlotCounts:
    counts = SlotCounts(**{name: values[name] for name in SCALAR_COLUMNS})
    for bands, columns in BAND_COLUMNS.items():
        setattr(counts, bands, [values[column] for column in columns])
    return counts


def _values(counts: SlotCounts) -> list[int]:
    """In the order of COLUMNS."""
    return [
        *(getattr(counts, name) for name in SCALAR_COLUMNS),
        *(value for bands in BAND_COLUMNS for value in getattr(counts, bands)),
    ]


def _store(row: QueueInterval, counts: SlotCounts) -> None:
    for name in SCALAR_COLUMNS:
        setattr(row, name, getattr(counts, name))
    for bands, columns in BAND_COLUMNS.items():
        for column, value in zip(columns, getattr(counts, bands), strict=True):
            setattr(row, column, value)


async def add(deltas: Mapping[SlotKey, SlotCounts]) -> None:
    """Adds the deltas to their slots, making the slots that are new; one transaction."""
    if not deltas:
        return
    keys = sorted(deltas)
    async with in_transaction() as connection:
        existing = {
            SlotKey(row.slot, row.queue_name, row.agent): row
            for row in await QueueInterval.filter(
                slot__gte=keys[0].slot,
                slot__lte=keys[-1].slot,
                queue_name__in=sorted({key.queue for key in keys}),
            ).using_db(connection)
        }
        new = []
        for key in keys:
            row = existing.get(key)
            if row is None:
                new.append((key.slot, key.queue, key.agent, *_values(deltas[key])))
                continue
            counts = _counts({name: getattr(row, name) for name in COLUMNS})
            counts.add(deltas[key])
            _store(row, counts)
            await row.save(using_db=connection)
        await insert_rows("queue_intervals", ("slot", "queue_name", "agent", *COLUMNS), new,
                          connection)  # fmt: skip


async def load(
    first_slot: int, end_slot: int, queues: Collection[str] = (), agents: bool = False
) -> list[tuple[SlotKey, SlotCounts]]:
    """The slots from ``first_slot`` up to (not including) ``end_slot``, as stored: the
    queues' own rows, or with ``agents`` the rows per agent (in ALL_QUEUES: each agent's
    over every queue); no ``queues``: every queue."""
    query = QueueInterval.filter(slot__gte=first_slot, slot__lt=end_slot)
    if agents:  # per agent and queue (the sums over all queues, unless asked for)
        query = query.exclude(agent="")
        if ALL_QUEUES not in queues:
            query = query.exclude(queue_name=ALL_QUEUES)
    else:
        query = query.filter(agent="")
    if queues:
        query = query.filter(queue_name__in=list(queues))
    rows = await query.values("slot", "queue_name", "agent", *COLUMNS)
    return [(SlotKey(row["slot"], row["queue_name"], row["agent"]), _counts(row)) for row in rows]


# What an agent view sums (the rest of an agent's row is 0, or only the queue's charts use
# it): fewer columns to sum is most of the speed of a year's view per agent.
AGENT_COLUMNS = (
    "answered", "answered_in_goal", "transferred", "completed", "not_answered_rings",
    "wait_answered_seconds", "wait_answered_max", "talk_seconds",
)  # fmt: skip


async def sums(
    first: int,
    end: int,
    granularity: Granularity,
    zone: ZoneInfo,
    queues: Collection[str] = (),
    grouping: Grouping = Grouping.TOTAL,
) -> list[tuple[SlotKey, SlotCounts]]:
    """The counters of [first, end) summed by the database per period of ``granularity`` on
    the zone's clock, per queue or agent as ``grouping`` says: a year is a few hundred rows
    whatever the number of slots. Each key's slot is its period's start (a period cut by a
    change of summer time comes as two keys with the same start)."""
    if grouping in (Grouping.SITE, Grouping.DID):
        raise ValueError(f"queue_log slots have no {grouping}")
    by = {Grouping.TOTAL: (), Grouping.QUEUE: ("queue_name",), Grouping.AGENT: ("agent",)}[grouping]
    columns = AGENT_COLUMNS if grouping is Grouping.AGENT else COLUMNS
    aggregates = {c: "MAX" if c in MAX_COUNTERS else "SUM" for c in columns}
    values: list[object] = []
    if queues:
        where = "agent != ''" if grouping is Grouping.AGENT else "agent = ''"
        where += " AND queue_name IN (" + ", ".join("{}" for _ in queues) + ")"
        values.extend(sorted(queues))
    elif grouping is Grouping.AGENT:  # each agent over all queues: their own rows
        where = "queue_name = {}"
        values.append(ALL_QUEUES)
    else:
        where = "agent = ''"
    result = []
    rows = await bucket_sums(
        "queue_intervals", aggregates, where, values, by, first, end, granularity, zone
    )
    for moment, row in rows:
        group = str(row[by[0]]) if by else ""
        numbers = dict.fromkeys(COLUMNS, 0)
        numbers.update((name, int(row[name] or 0)) for name in columns)
        match grouping:
            case Grouping.TOTAL:
                key = SlotKey(moment, "")
            case Grouping.QUEUE:
                key = SlotKey(moment, group)
            case Grouping.AGENT:
                key = SlotKey(moment, "", group)
            case Grouping.SITE | Grouping.DID:
                raise AssertionError(grouping)
        result.append((key, _counts(numbers)))
    return result
