"""The calendar's rules as plain values, and their parsing from the stored (JSON-friendly) form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ehd.errors import ValidationError

MINUTES_PER_DAY = 24 * 60
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])\Z|^24:00\Z")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_clock(text: str) -> int:
    """'08:30' -> minutes after midnight; '24:00' is the end of the day."""
    if not _CLOCK.match(text):
        raise ValidationError(f"time {text!r} must be HH:MM (00:00-24:00)")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, order=True)
class TimeRange:
    """Minutes after local midnight, start inclusive, end exclusive."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise ValidationError(
                f"time range {format_clock(self.start)}-{format_clock(self.end)} is empty or "
                "crosses midnight (split it in two)"
            )

    def contains(self, minute: int) -> bool:
        return self.start <= minute < self.end

    def overlaps(self, other: TimeRange) -> bool:
        return self.start < other.end and other.start < self.end

    @classmethod
    def parse(cls, pair: Any) -> TimeRange:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValidationError(f"time range {pair!r} must be [start, end]")
        return cls(parse_clock(str(pair[0])), parse_clock(str(pair[1])))

    def dump(self) -> list[str]:
        return [format_clock(self.start), format_clock(self.end)]


ALL_DAY = TimeRange(0, MINUTES_PER_DAY)


@dataclass(frozen=True)
class Variation:
    """An exception to the standard hours. Every condition that is set must match."""

    id: int
    open: bool
    date_from: date | None = None
    date_to: date | None = None
    weekdays: frozenset[int] = frozenset()  # 0 = Monday; empty = every day
    hours: TimeRange | None = None
    audio: str | None = None  # a closing variation's own message
    name: str = ""

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValidationError(f"variation {self.name or self.id}: the dates are reversed")
        if any(day not in range(7) for day in self.weekdays):
            raise ValidationError(f"variation {self.name or self.id}: weekdays are 0-6")

    def matches(self, local: datetime) -> bool:
        day = local.date()
        if self.date_from is not None and day < self.date_from:
            return False
        if self.date_to is not None and day > self.date_to:
            return False
        if self.weekdays and local.weekday() not in self.weekdays:
            return False
        return self.hours is None or self.hours.contains(local.hour * 60 + local.minute)

    def may_overlap(self, other: Variation) -> bool:
        """True when some moment could match both (so only the upper one ever applies there)."""
        low = max(self.date_from or date.min, other.date_from or date.min)
        high = min(self.date_to or date.max, other.date_to or date.max)
        if low > high:
            return False
        if self.weekdays and other.weekdays and not self.weekdays & other.weekdays:
            return False
        return (self.hours or ALL_DAY).overlaps(other.hours or ALL_DAY)


@dataclass(frozen=True)
class CalendarRules:
    timezone: str = "Europe/Stockholm"
    weekly: dict[int, tuple[TimeRange, ...]] = field(default_factory=dict)
    country: str = "SE"
    holidays_closed: bool = True
    holidays_off: frozenset[str] = frozenset()  # holiday names treated as ordinary days
    # The organisation's own closing days (a staff day, a bridge day), treated as holidays.
    own_holidays: dict[date, str] = field(default_factory=dict)
    variations: tuple[Variation, ...] = ()
    # Each local day's open periods once worked out (ehd.calendars.business_time): the rules
    # never change, and an SLA clock or a statistics fold asks for the same days many times.
    day_cache: dict[date, list[tuple[datetime, datetime]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValidationError(f"unknown timezone {self.timezone!r}") from err

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_weekly(data: Any) -> dict[int, tuple[TimeRange, ...]]:
    """``{"mon": [["08:00", "12:00"], ["13:00", "17:00"]], ...}`` -> ranges per weekday."""
    if not isinstance(data, dict):
        raise ValidationError("weekly hours must map weekday names to lists of ranges")
    weekly: dict[int, tuple[TimeRange, ...]] = {}
    for name, ranges in data.items():
        if name not in WEEKDAYS:
            raise ValidationError(f"unknown weekday {name!r}; use {', '.join(WEEKDAYS)}")
        if not isinstance(ranges, list):
            raise ValidationError(f"{name}: a list of [start, end] ranges is expected")
        weekly[WEEKDAYS.index(name)] = tuple(sorted(TimeRange.parse(r) for r in ranges))
    return weekly


def dump_weekly(weekly: dict[int, tuple[TimeRange, ...]]) -> dict[str, list[list[str]]]:
    return {WEEKDAYS[day]: [r.dump() for r in ranges] for day, ranges in sorted(weekly.items())}


OFFICE_HOURS: dict[str, list[list[str]]] = {
    day: [["08:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}


def parse_own_holidays(data: Any) -> dict[date, str]:
    """``[{"date": "2026-11-23", "name": "Staff day"}]`` -> {date: name}."""
    if not isinstance(data, list):
        raise ValidationError("own_holidays must be a list of {date, name}")
    days: dict[date, str] = {}
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("date"), str):
            raise ValidationError("each own holiday needs a date (YYYY-MM-DD) and a name")
        try:
            day = date.fromisoformat(item["date"])
        except ValueError as err:
            raise ValidationError(f"own holiday date {item['date']!r} is not YYYY-MM-DD") from err
        days[day] = str(item.get("name") or "Closed day")[:64]
    return days


def dump_own_holidays(days: dict[date, str]) -> list[dict[str, str]]:
    return [{"date": day.isoformat(), "name": name} for day, name in sorted(days.items())]
