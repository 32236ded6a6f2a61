"""Calendars in the database: the default calendar, and rules for a queue or a calendar name."""

from __future__ import annotations

from ehd.calendars.model import (
    OFFICE_HOURS,
    CalendarRules,
    TimeRange,
    Variation,
    parse_clock,
    parse_own_holidays,
    parse_weekly,
)
from ehd.db.models import Calendar, CalendarVariation, Queue
from ehd.errors import NotFoundError

DEFAULT_CALENDAR = "default"


async def ensure_default_calendar() -> Calendar:
    """There is always a default calendar: office hours in Stockholm, Swedish holidays."""
    calendar, _ = await Calendar.get_or_create(
        name=DEFAULT_CALENDAR, defaults={"weekly": OFFICE_HOURS}
    )
    return calendar


async def rules_for(calendar: Calendar) -> CalendarRules:
    rows = await CalendarVariation.filter(calendar_id=calendar.id).order_by("position", "id")
    return CalendarRules(
        timezone=calendar.timezone,
        weekly=parse_weekly(calendar.weekly),
        country=calendar.country,
        holidays_closed=calendar.holidays_closed,
        holidays_off=frozenset(calendar.holidays_off),
        own_holidays=parse_own_holidays(calendar.own_holidays),
        variations=tuple(variation_of(row) for row in rows),
    )


def variation_of(row: CalendarVariation) -> Variation:
    hours = None
    if row.time_from or row.time_to:
        hours = TimeRange(
            parse_clock(row.time_from or "00:00"), parse_clock(row.time_to or "24:00")
        )
    return Variation(
        id=row.id,
        open=row.open,
        date_from=row.date_from,
        date_to=row.date_to,
        weekdays=frozenset(row.weekdays),
        hours=hours,
        audio=row.audio,
        name=row.name,
    )


async def calendar_for_queue(queue_name: str | None) -> Calendar:
    """The queue's own calendar, else the default one."""
    if queue_name is None:
        return await ensure_default_calendar()
    queue = await Queue.get_or_none(name=queue_name).prefetch_related("calendar")
    if queue is None:
        raise NotFoundError(f"no queue named {queue_name!r}")
    return queue.calendar or await ensure_default_calendar()
