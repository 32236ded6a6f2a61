"""Slots summed into the periods a supervisor reads: 15 minutes, hours, days, weeks (from
Monday) or months, on the site's wall clock, per queue, per agent or in total. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ehd.stats.intervals import SlotCounts, SlotKey


class Granularity(StrEnum):
    QUARTER = "15min"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Grouping(StrEnum):
    TOTAL = "total"
    QUEUE = "queue"
    AGENT = "agent"


def period_start(slot: int, granularity: Granularity, zone: ZoneInfo) -> datetime:
    """The local start of the period holding the slot."""
    local = datetime.fromtimestamp(slot, UTC).astimezone(zone)
    match granularity:
        case Granularity.QUARTER:
            return local
        case Granularity.HOUR:
            return local.replace(minute=0)
        case Granularity.DAY:
            return local.replace(hour=0, minute=0)
        case Granularity.WEEK:
            day = local.replace(hour=0, minute=0) - timedelta(days=local.weekday())
            return day.replace(tzinfo=zone)  # the Monday's own offset (summer time)
        case Granularity.MONTH:
            return local.replace(day=1, hour=0, minute=0)


def roll_up(
    slots: Iterable[tuple[SlotKey, SlotCounts]],
    granularity: Granularity,
    zone: ZoneInfo,
    grouping: Grouping = Grouping.TOTAL,
) -> dict[tuple[datetime, str], SlotCounts]:
    """Summed counters per (period start, group); the group is "" in total. Sorted by
    period, then group."""
    summed: dict[tuple[datetime, str], SlotCounts] = {}
    starts: dict[int, datetime] = {}
    for key, counts in slots:
        start = starts.get(key.slot)
        if start is None:
            start = starts[key.slot] = period_start(key.slot, granularity, zone)
        match grouping:
            case Grouping.TOTAL:
                group = ""
            case Grouping.QUEUE:
                group = key.queue
            case Grouping.AGENT:
                group = key.agent
        target = summed.get((start, group))
        if target is None:
            summed[(start, group)] = target = SlotCounts()
        target.add(counts)
    return dict(sorted(summed.items()))


def total(slots: Iterable[SlotCounts]) -> SlotCounts:
    summed = SlotCounts()
    for counts in slots:
        summed.add(counts)
    return summed
