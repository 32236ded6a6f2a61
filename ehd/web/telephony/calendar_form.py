"""The calendar editor's form fields to the calendar's JSON form, and back. Pure.

Field names: ``{day}_from_{i}``/``{day}_to_{i}`` for weekly ranges, ``holiday_open`` (names
kept as ordinary days), ``own_date_{i}``/``own_name_{i}``, and ``var_{i}_{column}`` for
variations with ``var_{i}_position`` as their order. Empty rows are left out, so the page can
always offer blank rows for new entries.
"""

from __future__ import annotations

import re
from typing import Any

from multidict import MultiMapping

from ehd.calendars.model import WEEKDAYS

_VARIATION_ROW = re.compile(r"^var_([0-9]+)_name\Z")
_INDEXED = re.compile(r"_([0-9]+)\Z")
VARIATION_COLUMNS = ("date_from", "date_to", "time_from", "time_to")


def _text(form: MultiMapping[Any], key: str) -> str:
    return str(form.get(key, "")).strip()


def _indices(form: MultiMapping[Any], prefix: str) -> list[int]:
    found = {int(m.group(1)) for key in form if key.startswith(prefix)
             if (m := _INDEXED.search(key))}  # fmt: skip
    return sorted(found)


def weekly_from_form(form: MultiMapping[Any], problems: list[str]) -> dict[str, list[list[str]]]:
    weekly: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        ranges = []
        for i in _indices(form, f"{day}_from_"):
            start, end = _text(form, f"{day}_from_{i}"), _text(form, f"{day}_to_{i}")
            if not start and not end:
                continue
            if not start or not end:
                problems.append(f"{day}: give both times of a range ({start or end} alone)")
            ranges.append([start, end])
        if ranges:
            weekly[day] = ranges
    return weekly


def own_holidays_from_form(form: MultiMapping[Any], problems: list[str]) -> list[dict[str, str]]:
    days = []
    for i in _indices(form, "own_date_"):
        day, name = _text(form, f"own_date_{i}"), _text(form, f"own_name_{i}")
        if name and not day:
            problems.append(f"closed day {name!r} needs a date")
        if day or name:
            days.append({"date": day, "name": name})
    return days


def variations_from_form(form: MultiMapping[Any], problems: list[str]) -> list[dict[str, Any]]:
    rows: list[tuple[float, int, dict[str, Any]]] = []
    for key in form:
        match = _VARIATION_ROW.match(key)
        if not match:
            continue
        i = int(match.group(1))
        prefix = f"var_{i}_"
        variation: dict[str, Any] = {
            "name": _text(form, prefix + "name"),
            "open": _text(form, prefix + "status") == "open",
            "weekdays": [day for day in form.getall(prefix + "weekdays", []) if day],
            "audio": _text(form, prefix + "audio") or None,
        }
        for column in VARIATION_COLUMNS:
            variation[column] = _text(form, prefix + column) or None
        conditions = [variation["weekdays"], *(variation[c] for c in VARIATION_COLUMNS)]
        if form.get(prefix + "delete") or not (variation["name"] or any(conditions)):
            continue  # removed, or the blank row for a new one left empty
        position = _text(form, prefix + "position")
        try:
            order = float(position) if position else float("inf")
        except ValueError:
            problems.append(f"variation {variation['name'] or i + 1}: the order is a number")
            order = float("inf")
        rows.append((order, i, variation))
    return [variation for _, _, variation in sorted(rows, key=lambda row: row[:2])]


def calendar_from_form(form: MultiMapping[Any]) -> tuple[dict[str, Any], list[str]]:
    """The body ``save_calendar`` takes, from the editor's fields, and what is incomplete in
    it. The body keeps incomplete rows as typed, so a refused form can be shown again."""
    problems: list[str] = []
    body = {
        "timezone": _text(form, "timezone"),
        "country": _text(form, "country").upper(),
        "holidays_closed": bool(form.get("holidays_closed")),
        "holidays_off": sorted({str(name) for name in form.getall("holiday_open", []) if name}),
        "weekly": weekly_from_form(form, problems),
        "own_holidays": own_holidays_from_form(form, problems),
        "variations": variations_from_form(form, problems),
    }
    return body, problems
