"""REST API query parameters: what is accepted, and the parameter named when it is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ehd.errors import ValidationError
from ehd.web.restapi.query import MAX_LIMIT, Condition, Kind, Op, parse, parse_time

FIELDS = {"id": Kind.INT, "name": Kind.TEXT, "at": Kind.TIME, "active": Kind.BOOL}


def test_defaults_and_every_parameter() -> None:
    assert parse([], FIELDS).limit == MAX_LIMIT
    selection = parse([("name", "Anna"), ("at:ge", "20261101"), ("at:lt", "20261201"),
                       ("sort", "desc"), ("limit", "5"), ("id_in", "3,1"),
                       ("info_type", "stat"), ("active", "true")], FIELDS, ("stat",))  # fmt: skip
    assert selection.conditions == (
        Condition("name", Op.EQ, "Anna"),
        Condition("at", Op.GE, datetime(2026, 11, 1, tzinfo=UTC)),
        Condition("at", Op.LT, datetime(2026, 12, 1, tzinfo=UTC)),
        Condition("active", Op.EQ, True),
    )
    assert (selection.descending, selection.limit, selection.id_in, selection.info_type) == (
        True, 5, (3, 1), "stat")  # fmt: skip


def test_dates_are_yyyymmdd_or_iso_8601() -> None:
    assert parse_time("20260630") == datetime(2026, 6, 30, tzinfo=UTC)
    two_hours_east = parse_time("2026-06-30T12:00:00+02:00")
    assert two_hours_east == datetime(2026, 6, 30, 12, tzinfo=timezone(timedelta(hours=2)))
    # in UTC: SQLite compares the stored UTC text, so a filter's offset must be UTC's
    assert two_hours_east.utcoffset() == timedelta(0)
    assert parse_time("2026-06-30T12:00") == datetime(2026, 6, 30, 12, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_time("20261340")


@pytest.mark.parametrize(
    ("params", "field"),
    [([("limit", "0")], "limit"), ([("limit", "1001")], "limit"), ([("limit", "-1")], "limit"),
     ([("sort", "random")], "sort"), ([("id_in", "1,,2")], "id_in"),
     ([("id_in", "99999999999")], "id_in"), ([("password_hash", "x")], "password_hash"),
     ([("name:gt", "a")], "name:gt"), ([("id:ne", "1")], "id:ne"), ([("id", "1.5")], "id"),
     ([("id", "3000000000")], "id"), ([("at", "tomorrow")], "at"),
     ([("active", "maybe")], "active"), ([("info_type", "stat")], "info_type"),
     ([("id:lt", "1"), ("id:lt", "2")], "id:lt"), ([("sort", "asc"), ("sort", "desc")], "sort"),
     ([("name", "a\x00b")], "name")],
)  # fmt: skip
def test_bad_parameters_are_named(params: list[tuple[str, str]], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(params, FIELDS)
    assert caught.value.details["field"] == field


def test_a_range_uses_two_operators_and_equal_values_repeat() -> None:
    selection = parse([("id:gt", "1"), ("id:le", "9"), ("name", "a"), ("name", "b")], FIELDS)
    assert [c.op for c in selection.conditions] == [Op.GT, Op.LE, Op.EQ, Op.EQ]


def test_choices_limit_text_fields() -> None:
    assert parse([("name", "open")], FIELDS, choices={"name": ("open", "new")}).conditions
    with pytest.raises(ValidationError, match="one of open, new"):
        parse([("name", "lost")], FIELDS, choices={"name": ("open", "new")})
