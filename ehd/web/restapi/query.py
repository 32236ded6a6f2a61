"""Query parameters of the REST API, parsed and checked against a resource's fields. Pure.

``field=value`` searches, ``field:lt|le|ge|gt=value`` compares (two on one field make a range),
``sort=asc|desc``, ``limit`` (1-1000), ``id_in=1,2,3`` and ``info_type``. Anything else is
refused with the parameter's name, so no unknown name ever reaches a database query.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum

from ehd.errors import ValidationError
from ehd.plain_numbers import decimal, is_digits, whole_number

MAX_LIMIT = 1000
MAX_IDS = 1000
INT_RANGE = range(-(2**31), 2**31)  # the database's integer columns


class Kind(StrEnum):
    INT = "integer"
    FLOAT = "number"
    TEXT = "string"
    TIME = "date-time"
    BOOL = "boolean"


ORDERED = frozenset({Kind.INT, Kind.FLOAT, Kind.TIME})


class Op(StrEnum):
    EQ = "eq"
    LT = "lt"
    LE = "le"
    GE = "ge"
    GT = "gt"


@dataclass(frozen=True)
class Condition:
    field: str
    op: Op
    value: object


@dataclass(frozen=True)
class Selection:
    conditions: tuple[Condition, ...] = ()
    descending: bool = False
    limit: int = MAX_LIMIT
    id_in: tuple[int, ...] = ()
    info_type: str | None = None


def parse_time(text: str) -> datetime:
    """YYYYMMDD (midnight UTC) or ISO 8601 (UTC when no zone is given), as UTC: SQLite
    compares the stored UTC text, so a filter with another offset would miss rows."""
    try:
        if len(text) == 8 and is_digits(text):
            return datetime.combine(date(int(text[:4]), int(text[4:6]), int(text[6:])), time(),
                                    tzinfo=UTC)  # fmt: skip
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise ValueError("a date is YYYYMMDD or ISO 8601") from err
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def convert(kind: Kind, text: str) -> object:
    if kind is Kind.INT:
        whole = whole_number(text, low=INT_RANGE.start, high=INT_RANGE.stop - 1)
        if whole is None:
            raise ValueError(f"an integer from {INT_RANGE.start} to {INT_RANGE.stop - 1}")
        return whole
    if kind is Kind.FLOAT:
        number = decimal(text)
        if number is None:
            raise ValueError("a plain decimal number such as 12 or -1.5 is expected")
        return number
    if kind is Kind.BOOL:
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError("true or false is expected")
        return text.lower() in ("true", "1")
    if kind is Kind.TIME:
        return parse_time(text)
    if "\x00" in text:
        raise ValueError("text may not contain NUL")
    return text


def _int_param(name: str, text: str, low: int, high: int) -> int:
    number = whole_number(text, low=low, high=high)
    if number is None:
        raise ValidationError(f"{name} is a whole number from {low} to {high}", field=name)
    return number


def parse(
    params: Iterable[tuple[str, str]],
    fields: Mapping[str, Kind],
    info_types: Collection[str] = (),
    choices: Mapping[str, Collection[str]] | None = None,
) -> Selection:
    """The selection asked for; ``choices`` lists the only values some text fields take."""
    conditions: list[Condition] = []
    descending, limit, info_type = False, MAX_LIMIT, None
    id_in: tuple[int, ...] = ()
    seen: set[str] = set()
    for name, text in params:
        if name in seen and name in ("sort", "limit", "id_in", "info_type"):
            raise ValidationError(f"{name} is given twice", field=name)
        seen.add(name)
        if name == "sort":
            if text not in ("asc", "desc"):
                raise ValidationError("sort is asc or desc", field=name)
            descending = text == "desc"
        elif name == "limit":
            limit = _int_param(name, text, 1, MAX_LIMIT)
        elif name == "id_in":
            parts = text.split(",")
            ids = [whole_number(p.strip(), high=INT_RANGE.stop - 1) for p in parts[: MAX_IDS + 1]]
            if len(parts) > MAX_IDS or None in ids:
                raise ValidationError(f"id_in is up to {MAX_IDS} ids like 1,2,3", field=name)
            id_in = tuple(i for i in ids if i is not None)
        elif name == "info_type":
            if text not in info_types:
                allowed = ", ".join(info_types) or "none here"
                raise ValidationError(f"info_type is one of: {allowed}", field=name)
            info_type = text
        else:
            conditions.append(_condition(name, text, fields, choices or {}))
    _check_ranges(conditions)
    return Selection(tuple(conditions), descending, limit, id_in, info_type)


def _condition(
    name: str, text: str, fields: Mapping[str, Kind], choices: Mapping[str, Collection[str]]
) -> Condition:
    field, _, op_text = name.partition(":")
    if field not in fields:
        raise ValidationError(f"unknown field {field!r}; known: {', '.join(fields)}", field=name)
    op = Op.EQ
    if op_text:
        if op_text not in ("lt", "le", "ge", "gt"):
            raise ValidationError("operators are lt, le, ge and gt", field=name)
        op = Op(op_text)
        if fields[field] not in ORDERED:
            raise ValidationError(f"{field} is not compared, only matched", field=name)
    try:
        value = convert(fields[field], text)
    except ValueError as err:
        raise ValidationError(f"{name}: {err}", field=name) from err
    allowed = choices.get(field)
    if allowed and value not in allowed:
        raise ValidationError(f"{field} is one of {', '.join(allowed)}", field=name)
    return Condition(field, op, value)


def _check_ranges(conditions: list[Condition]) -> None:
    per_field: dict[tuple[str, Op], int] = {}
    for condition in conditions:
        key = (condition.field, condition.op)
        per_field[key] = per_field.get(key, 0) + 1
        if condition.op is not Op.EQ and per_field[key] > 1:
            name = f"{condition.field}:{condition.op.value}"
            raise ValidationError(f"{name} is given twice", field=name)
