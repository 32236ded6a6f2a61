"""Is a calendar open at a moment, and why. Variations, then holidays, then the weekly hours.

Wall-clock rules are applied in the calendar's own timezone (``zoneinfo``), so "08:00" means
08:00 local time on both sides of a DST change. Times that do not exist locally (the skipped
hour in spring) never occur as instants; the repeated hour in autumn is judged by its wall time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

import holidays

from ehd.calendars.model import CalendarRules, Variation
from ehd.errors import ValidationError


@dataclass(frozen=True)
class CalendarStatus:
    open: bool
    reason: str  # "standard", "holiday:<name>" or "variation:<id>"
    audio: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"open": self.open, "reason": self.reason, "audio": self.audio}


@functools.lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> dict[date, str]:
    try:
        entity = holidays.country_holidays(country, years=year)
    except NotImplementedError as err:
        raise ValidationError(f"no holiday calendar for country {country!r}") from err
    # Public holidays, plus the de-facto ones (Sweden's Midsummer, Christmas and New Year's
    # Eve) where the country has them; names in English where the library has them.
    categories = tuple(
        c for c in (holidays.PUBLIC, holidays.DE_FACTO) if c in entity.supported_categories
    )
    language = "en_US" if "en_US" in entity.supported_languages else None
    table = holidays.country_holidays(country, years=year, categories=categories, language=language)
    return dict(table.items())


def holiday_names(country: str, year: int) -> dict[date, str]:
    """The holidays the calendar knows for a year (one name per day, several joined by '; ')."""
    return _holidays(country.upper(), year)


def check(rules: CalendarRules, at: datetime) -> CalendarStatus:
    if at.tzinfo is None:
        raise ValueError("check() needs an aware datetime")
    local = at.astimezone(rules.zone)
    for variation in rules.variations:
        if variation.matches(local):
            audio = None if variation.open else variation.audio
            return CalendarStatus(variation.open, f"variation:{variation.id}", audio)
    if rules.holidays_closed:
        day = local.date()
        name = rules.own_holidays.get(day) or holiday_names(rules.country, local.year).get(day)
        if name is not None and not _switched_off(name, rules.holidays_off):
            return CalendarStatus(False, f"holiday:{name}")
    minute = local.hour * 60 + local.minute
    is_open = any(r.contains(minute) for r in rules.weekly.get(local.weekday(), ()))
    return CalendarStatus(is_open, "standard")


def _switched_off(name: str, off: frozenset[str]) -> bool:
    # The library joins two holidays on one day with "; " (e.g. a Sunday feast).
    return all(part.strip() in off for part in name.split(";"))


def overlapping(variations: tuple[Variation, ...]) -> list[tuple[Variation, Variation]]:
    """Pairs where the upper variation hides the lower one for some moments: worth a warning."""
    return [
        (upper, lower)
        for i, upper in enumerate(variations)
        for lower in variations[i + 1 :]
        if upper.may_overlap(lower)
    ]
