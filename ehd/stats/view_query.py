"""What every statistics view's query says, read the same way for each (the page, the
downloads, mailed reports and the REST API): a choice from a list, and a span of days. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar

from ehd.errors import ValidationError

Choice = TypeVar("Choice", bound=StrEnum)


def chosen(kind: type[Choice], query: Mapping[str, str], key: str, default: Choice) -> Choice:
    """The query's value for ``key`` as one of ``kind``; absent or empty: ``default``."""
    try:
        return kind(query.get(key) or default)
    except ValueError as err:
        allowed = ", ".join(item.value for item in kind)
        raise ValidationError(f"{key}: one of {allowed}", field=key) from err


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise ValidationError(f"{name}: a date such as 2026-12-01", field=name) from err


def days(
    query: Mapping[str, str], today: date, default_days: int, most: int, per: str
) -> tuple[date, date]:
    """``from`` and ``to`` (both included); by default the ``default_days`` up to today; at
    most ``most`` days (``per`` names the granularity that limits them)."""
    last = _day(query["to"], "to") if query.get("to") else today
    first = _day(query["from"], "from") if query.get("from") else last - timedelta(
        days=default_days - 1)  # fmt: skip
    if first > last:
        raise ValidationError("from: a day before to", field="from")
    if (last - first).days + 1 > most:
        raise ValidationError(f"{per}: choose at most {most} days", field="from")
    return first, last
