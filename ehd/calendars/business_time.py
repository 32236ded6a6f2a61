"""Time counted in a calendar's opening hours: how much of a span was open, and when a number
of open seconds will have passed.

A local day splits at every edge its rules name (the weekly ranges, the variations' hours,
midnight); between two edges every rule gives the same answer, so one ``check`` per piece says
whether the piece is open. Pieces become instants through the calendar's timezone, so a DST day
has 23 or 25 hours and the hour skipped in spring counts for nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from ehd.calendars.evaluate import check
from ehd.calendars.model import MINUTES_PER_DAY, CalendarRules

# A deadline that needs more than this many days of searching is no deadline: a calendar that
# is (almost) never open. Two years covers any real goal across holidays.
SEARCH_DAYS = 732


def _edges(rules: CalendarRules, day: date) -> list[int]:
    edges = {0, MINUTES_PER_DAY}
    for span in rules.weekly.get(day.weekday(), ()):
        edges.update((span.start, span.end))
    for variation in rules.variations:
        if variation.hours is not None:
            edges.update((variation.hours.start, variation.hours.end))
    return sorted(edges)


def _instant(rules: CalendarRules, day: date, minute: int) -> datetime:
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), 0
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=rules.zone)
    return local.astimezone(UTC)


def day_periods(rules: CalendarRules, day: date) -> list[tuple[datetime, datetime]]:
    """The open periods of one local day, as UTC instants, joined where they touch."""
    known = rules.day_cache.get(day)
    if known is None:
        known = rules.day_cache[day] = _worked_out(rules, day)
    return known


def _worked_out(rules: CalendarRules, day: date) -> list[tuple[datetime, datetime]]:
    periods: list[tuple[datetime, datetime]] = []
    edges = _edges(rules, day)
    for low, high in zip(edges, edges[1:], strict=False):
        start, end = _instant(rules, day, low), _instant(rules, day, high)
        if end <= start:  # the hour a spring DST change skips
            continue
        if not check(rules, start).open:
            continue
        if periods and periods[-1][1] == start:
            periods[-1] = (periods[-1][0], end)
        else:
            periods.append((start, end))
    return periods


def open_periods(
    rules: CalendarRules, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The open periods between two instants, clipped to them."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("open_periods() needs aware datetimes")
    day = start.astimezone(rules.zone).date()
    last = end.astimezone(rules.zone).date()
    while day <= last:
        for low, high in day_periods(rules, day):
            low, high = max(low, start), min(high, end)
            if low < high:
                yield low, high
        day += timedelta(days=1)


def business_seconds(rules: CalendarRules, start: datetime, end: datetime) -> float:
    """How long the calendar was open between two instants."""
    if end <= start:
        return 0.0
    spans = (high - low for low, high in open_periods(rules, start, end))
    return sum(spans, timedelta()).total_seconds()  # summed exactly, in microseconds


def after_business_seconds(
    rules: CalendarRules, start: datetime, seconds: float
) -> datetime | None:
    """The instant by which ``seconds`` of opening hours have passed since ``start``; None for
    a calendar that will not be open that long within ``SEARCH_DAYS``."""
    if start.tzinfo is None:
        raise ValueError("after_business_seconds() needs an aware datetime")
    if seconds <= 0:
        return start
    left = timedelta(seconds=seconds)
    day = start.astimezone(rules.zone).date()
    for _ in range(SEARCH_DAYS):
        for low, high in day_periods(rules, day):
            low = max(low, start)
            if low >= high:
                continue
            span = high - low
            if span >= left:
                return low + left
            left -= span
        day += timedelta(days=1)
    return None
