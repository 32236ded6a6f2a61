"""Slots summed into the periods a supervisor reads: 15 minutes, hours, days, weeks (from
Monday) or months, on the site's wall clock, per queue, per agent or in total. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ehd.stats.intervals import SLOT_SECONDS, SlotCounts, SlotKey


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
    SITE = "site"  # from the call records only (queue_log knows no sites)
    DID = "did"  # the number dialled; from the call records only


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
            case Grouping.SITE | Grouping.DID:
                raise ValueError(f"queue_log slots have no {grouping}")
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


def offset_spans(first: int, end: int, zone: ZoneInfo) -> list[tuple[int, int, int]]:
    """(start, end, UTC offset in seconds) of the stretches of [first, end) in which the
    zone's offset stays the same: summer time starts and ends on slot boundaries."""

    def offset(at: int) -> int:
        delta = datetime.fromtimestamp(at, UTC).astimezone(zone).utcoffset() or timedelta()
        return int(delta.total_seconds())

    spans, start, current = [], first, offset(first)
    day = first
    while day < end:
        following = min(day + 86_400, end)
        if following < end and offset(following) != current or following == end:
            slot = day  # the change lies within this day: find its slot
            while slot < following and offset(slot) == current:
                slot += SLOT_SECONDS
            if slot < following:
                spans.append((start, slot, current))
                start, current = slot, offset(slot)
        day = following
    spans.append((start, end, current))
    return spans


def month_spans(first: int, end: int, zone: ZoneInfo) -> list[tuple[int, int]]:
    """[first, end) cut at the zone's month starts."""
    local = datetime.fromtimestamp(first, UTC).astimezone(zone)
    month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    spans, start = [], first
    while start < end:
        following = (month + timedelta(days=32)).replace(day=1)
        stop = min(int(following.timestamp()), end)
        spans.append((start, stop))
        start, month = stop, following
    return spans
