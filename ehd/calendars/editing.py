"""Changing a calendar from its JSON-friendly form, and that form read back. Shared by the
JSON API and the admin screen, so both check a calendar the same way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ehd.calendars.evaluate import holiday_names, overlapping
from ehd.calendars.model import (
    WEEKDAYS,
    CalendarRules,
    dump_own_holidays,
    dump_weekly,
    parse_clock,
    parse_own_holidays,
    parse_weekly,
)
from ehd.calendars.store import rules_for, variation_of
from ehd.db.models import Calendar, CalendarVariation
from ehd.errors import ValidationError


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as err:
        raise ValidationError(f"{field} must be YYYY-MM-DD", field=field) from err


def _clock(value: Any, field: str) -> str | None:
    if value in (None, ""):
        return None
    parse_clock(str(value))
    return str(value)


def variation_values(raw: Any, index: int) -> dict[str, Any]:
    """One variation's columns from its JSON form, checked."""
    if not isinstance(raw, dict):
        raise ValidationError(f"variations[{index}] must be an object", field="variations")
    weekdays = raw.get("weekdays", [])
    if not isinstance(weekdays, list) or any(day not in WEEKDAYS for day in weekdays):
        raise ValidationError(
            f"variations[{index}].weekdays: names from {', '.join(WEEKDAYS)}", field="variations"
        )
    return {
        "position": index,
        "name": str(raw.get("name", ""))[:128],
        "open": bool(raw.get("open", False)),
        "date_from": _date(raw.get("date_from"), f"variations[{index}].date_from"),
        "date_to": _date(raw.get("date_to"), f"variations[{index}].date_to"),
        "weekdays": [WEEKDAYS.index(day) for day in weekdays],
        "time_from": _clock(raw.get("time_from"), f"variations[{index}].time_from"),
        "time_to": _clock(raw.get("time_to"), f"variations[{index}].time_to"),
        "audio": str(raw["audio"])[:64] if raw.get("audio") else None,
    }


async def save_calendar(name: str, body: dict[str, Any]) -> Calendar:
    """Create or change a calendar; every value is checked before anything is written.
    ``variations`` (when given) replaces the list, in order."""
    if not name.strip():
        raise ValidationError("name the calendar", field="name")
    calendar = await Calendar.get_or_none(name=name) or Calendar(name=name[:64])
    for key in ("timezone", "country"):
        if key in body:
            setattr(calendar, key, str(body[key]))
    if "holidays_closed" in body:
        calendar.holidays_closed = bool(body["holidays_closed"])
    if "holidays_off" in body:
        off = body["holidays_off"]
        if not isinstance(off, list) or not all(isinstance(item, str) for item in off):
            raise ValidationError("holidays_off must be a list of names", field="holidays_off")
        calendar.holidays_off = off
    if "weekly" in body:
        calendar.weekly = dump_weekly(parse_weekly(body["weekly"]))
    if "own_holidays" in body:
        calendar.own_holidays = dump_own_holidays(parse_own_holidays(body["own_holidays"]))
    variations = None
    if "variations" in body:
        if not isinstance(body["variations"], list):
            raise ValidationError("variations must be a list", field="variations")
        variations = [variation_values(raw, i) for i, raw in enumerate(body["variations"])]
        for values in variations:  # reversed dates or times are refused now, not on a call
            variation_of(CalendarVariation(id=values["position"] + 1, **values))
    CalendarRules(timezone=calendar.timezone, country=calendar.country)  # validates both
    holiday_names(calendar.country, datetime.now(UTC).year)  # the country has holidays
    await calendar.save()
    if variations is not None:
        await CalendarVariation.filter(calendar=calendar).delete()
        for values in variations:
            await CalendarVariation.create(calendar=calendar, **values)
    return calendar


async def calendar_view(calendar: Calendar) -> dict[str, Any]:
    """The calendar in the form ``save_calendar`` takes, plus variation ids and warnings."""
    rules = await rules_for(calendar)
    rows = await CalendarVariation.filter(calendar=calendar).order_by("position", "id")
    names = {row.id: row.name or f"#{row.id}" for row in rows}
    return {
        "name": calendar.name,
        "timezone": calendar.timezone,
        "country": calendar.country,
        "holidays_closed": calendar.holidays_closed,
        "holidays_off": calendar.holidays_off,
        "own_holidays": calendar.own_holidays,
        "weekly": dump_weekly(rules.weekly),
        "variations": [
            {
                "id": row.id,
                "name": row.name,
                "open": row.open,
                "date_from": row.date_from.isoformat() if row.date_from else None,
                "date_to": row.date_to.isoformat() if row.date_to else None,
                "weekdays": [WEEKDAYS[day] for day in row.weekdays],
                "time_from": row.time_from,
                "time_to": row.time_to,
                "audio": row.audio,
            }
            for row in rows
        ],
        "warnings": [
            f"variation {names[upper.id]} hides {names[lower.id]} where they overlap"
            for upper, lower in overlapping(rules.variations)
        ],
    }
