"""The calendar editor's fields become the calendar's JSON form: blank rows are left out,
variations follow their order numbers, incomplete rows are named and kept as typed."""

from __future__ import annotations

from datetime import date

from multidict import MultiDict

from ehd.web.telephony.calendar_form import calendar_from_form
from ehd.web.telephony.calendars_admin import holiday_rows


def form(*pairs: tuple[str, str]) -> MultiDict[str]:
    base = [("timezone", "Europe/Stockholm"), ("country", "se"), ("holidays_closed", "1")]
    return MultiDict([*base, *pairs])


def test_ranges_per_weekday_skip_blank_slots() -> None:
    body, problems = calendar_from_form(form(
        ("mon_from_0", "08:00"), ("mon_to_0", "12:00"), ("mon_from_1", ""), ("mon_to_1", ""),
        ("mon_from_2", "13:00"), ("mon_to_2", "17:00"), ("sat_from_0", ""), ("sat_to_0", ""),
    ))  # fmt: skip
    assert problems == []
    assert body["weekly"] == {"mon": [["08:00", "12:00"], ["13:00", "17:00"]]}
    assert body["country"] == "SE" and body["holidays_closed"] is True


def test_a_half_range_is_named_and_kept() -> None:
    body, problems = calendar_from_form(form(("tue_from_0", "08:00"), ("tue_to_0", "")))
    assert problems == ["tue: give both times of a range (08:00 alone)"]
    assert body["weekly"] == {"tue": [["08:00", ""]]}


def test_variations_follow_their_order_and_blank_or_removed_rows_go() -> None:
    body, problems = calendar_from_form(form(
        ("var_0_position", "2"), ("var_0_name", "Lunch"), ("var_0_status", "closed"),
        ("var_0_weekdays", "mon"), ("var_0_weekdays", "fri"), ("var_0_time_from", "12:00"),
        ("var_0_time_to", "13:00"),
        ("var_1_position", "1"), ("var_1_name", "Evening"), ("var_1_status", "open"),
        ("var_1_date_from", "2026-12-01"),
        ("var_2_position", "3"), ("var_2_name", "Old"), ("var_2_delete", "1"),
        ("var_3_position", "4"), ("var_3_name", ""), ("var_3_status", "closed"),
    ))  # fmt: skip
    assert problems == []
    assert [v["name"] for v in body["variations"]] == ["Evening", "Lunch"]
    lunch = body["variations"][1]
    assert lunch["weekdays"] == ["mon", "fri"] and not lunch["open"]
    assert (lunch["time_from"], lunch["time_to"], lunch["date_from"]) == ("12:00", "13:00", None)
    assert body["variations"][0]["open"] is True


def test_a_bad_order_and_a_nameless_date_are_named() -> None:
    body, problems = calendar_from_form(form(
        ("var_0_position", "first"), ("var_0_name", "X"),
        ("own_date_0", ""), ("own_name_0", "Staff day"),
    ))  # fmt: skip
    assert problems == ["closed day 'Staff day' needs a date",
                        "variation X: the order is a number"]  # fmt: skip
    assert body["own_holidays"] == [{"date": "", "name": "Staff day"}]


def test_holiday_rows_cover_two_years_and_keep_unknown_switched_off_names() -> None:
    rows = holiday_rows("SE", ["Midsummer Eve", "Some old name"], date(2026, 11, 23))
    by_name = {row["name"]: row for row in rows}
    assert by_name["Midsummer Eve"]["open"] and by_name["Midsummer Eve"]["dates"] == [
        date(2026, 6, 19), date(2027, 6, 25)]  # fmt: skip
    assert not by_name["Christmas Day"]["open"]
    assert by_name["Some old name"] == {"name": "Some old name", "dates": [], "open": True}
    assert rows[0]["name"] == "New Year's Day"
    assert holiday_rows("XX", [], date(2026, 1, 1)) == []
