"""Opening-hours arithmetic, against hand-counted hours in a Stockholm office calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from ehd.calendars.business_time import (
    after_business_seconds,
    business_seconds,
    day_periods,
)
from ehd.calendars.model import ALL_DAY, CalendarRules, TimeRange, Variation, parse_weekly

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HOUR = 3600.0

OFFICE = CalendarRules(
    weekly=parse_weekly(
        {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    ),  # fmt: skip
)
ALWAYS = CalendarRules(
    timezone="Europe/Stockholm", weekly={d: (ALL_DAY,) for d in range(7)}, holidays_closed=False
)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def test_a_working_day_has_eight_open_hours_in_two_periods() -> None:
    periods = day_periods(OFFICE, date(2026, 12, 8))  # a Tuesday
    assert [(a.astimezone(STOCKHOLM).hour, b.astimezone(STOCKHOLM).hour) for a, b in periods] == [
        (8, 12), (13, 17)
    ]  # fmt: skip
    assert business_seconds(OFFICE, local(2026, 12, 8), local(2026, 12, 9)) == 8 * HOUR


def test_a_span_over_a_weekend_counts_only_the_working_hours() -> None:
    # Friday 16:00 to Monday 09:30: one hour on Friday, an hour and a half on Monday.
    assert business_seconds(OFFICE, local(2026, 12, 4, 16), local(2026, 12, 7, 9, 30)) == 2.5 * HOUR


def test_holidays_and_the_closed_lunch_hour_are_skipped() -> None:
    # Christmas Eve (de-facto holiday), Christmas Day and Boxing Day are closed in Sweden;
    # Wednesday 23 Dec 16:00 plus two open hours is Monday 28 Dec 09:00.
    due = after_business_seconds(OFFICE, local(2026, 12, 23, 16), 2 * HOUR)
    assert due == local(2026, 12, 28, 9)
    # 11:30 plus one open hour skips lunch: 13:30.
    assert after_business_seconds(OFFICE, local(2026, 12, 8, 11, 30), HOUR) == local(
        2026, 12, 8, 13, 30
    )


def test_a_closing_variation_counts_as_closed() -> None:
    staff_day = Variation(id=1, open=False, date_from=date(2026, 12, 9), date_to=date(2026, 12, 9))
    rules = CalendarRules(weekly=OFFICE.weekly, variations=(staff_day,))
    assert business_seconds(rules, local(2026, 12, 8), local(2026, 12, 11)) == 16 * HOUR


def test_an_opening_variation_adds_hours() -> None:
    late = Variation(id=2, open=True, date_from=date(2026, 12, 10), date_to=date(2026, 12, 10),
                     hours=TimeRange(17 * 60, 20 * 60))  # fmt: skip
    rules = CalendarRules(weekly=OFFICE.weekly, variations=(late,))
    assert business_seconds(rules, local(2026, 12, 10), local(2026, 12, 11)) == 11 * HOUR


def test_dst_days_have_23_and_25_hours() -> None:
    assert business_seconds(ALWAYS, local(2026, 3, 29), local(2026, 3, 30)) == 23 * HOUR
    assert business_seconds(ALWAYS, local(2026, 10, 25), local(2026, 10, 26)) == 25 * HOUR


def test_a_calendar_that_never_opens_gives_no_deadline() -> None:
    closed = CalendarRules(weekly={})
    assert after_business_seconds(closed, local(2026, 12, 8), HOUR) is None
    assert business_seconds(closed, local(2026, 12, 8), local(2026, 12, 20)) == 0


# hypothesis takes naive bounds and adds the zone itself
moments = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(start=moments, minutes=st.integers(min_value=1, max_value=60 * 60))
def test_the_deadline_is_exactly_that_many_open_seconds_away(start: datetime, minutes: int) -> None:
    due = after_business_seconds(OFFICE, start, minutes * 60)
    assert due is not None
    assert business_seconds(OFFICE, start, due) == minutes * 60
    # and no earlier instant would do: the deadline falls inside (or at the end of) open time
    assert business_seconds(OFFICE, start, due - timedelta(seconds=1)) < minutes * 60
