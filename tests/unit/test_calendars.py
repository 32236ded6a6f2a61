"""Opening hours: weekly ranges, Swedish holidays, variations in order, DST days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehd.calendars.evaluate import check, overlapping
from ehd.calendars.model import (
    OFFICE_HOURS,
    CalendarRules,
    TimeRange,
    Variation,
    parse_own_holidays,
    parse_weekly,
)
from ehd.errors import ValidationError

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def rules(**kwargs: object) -> CalendarRules:
    return CalendarRules(weekly=parse_weekly(OFFICE_HOURS), **kwargs)  # type: ignore[arg-type]


def test_weekly_hours_with_several_ranges_a_day() -> None:
    lunch = CalendarRules(weekly=parse_weekly({"mon": [["08:00", "12:00"], ["13:00", "17:00"]]}))
    monday = (2026, 11, 23)
    assert check(lunch, local(*monday, 8, 0)).open
    assert not check(lunch, local(*monday, 12, 30)).open
    assert check(lunch, local(*monday, 16, 59)).open
    assert not check(lunch, local(*monday, 17, 0)).open  # the end is exclusive
    assert not check(lunch, local(2026, 11, 24, 10, 0)).open  # Tuesday has no hours
    assert check(lunch, local(*monday, 10, 0)).reason == "standard"


def test_swedish_de_facto_holidays_are_closed_and_can_be_switched_off() -> None:
    for day in (date(2026, 6, 19), date(2026, 12, 24), date(2026, 12, 31)):  # all weekdays
        status = check(rules(), local(day.year, day.month, day.day, 10, 0))
        assert not status.open and status.reason.startswith("holiday:")
    assert check(rules(), local(2026, 6, 19, 10, 0)).reason == "holiday:Midsummer Eve"
    switched = rules(holidays_off=frozenset({"Midsummer Eve"}))
    assert check(switched, local(2026, 6, 19, 10, 0)) == check(rules(), local(2026, 6, 18, 10, 0))
    assert check(rules(holidays_closed=False), local(2026, 12, 24, 10, 0)).open


def test_the_first_matching_variation_wins_and_carries_its_audio() -> None:
    closing = Variation(
        1,
        open=False,
        date_from=date(2026, 11, 23),
        date_to=date(2026, 11, 27),
        hours=TimeRange(15 * 60, 17 * 60),
        audio="staff-meeting",
    )
    opening = Variation(2, open=True, date_from=date(2026, 11, 23), date_to=date(2026, 11, 23))
    both = rules(variations=(closing, opening))
    assert check(both, local(2026, 11, 23, 16, 0)).as_json() == {
        "open": False,
        "reason": "variation:1",
        "audio": "staff-meeting",
    }
    assert check(both, local(2026, 11, 23, 20, 0)).as_json() == {
        "open": True,
        "reason": "variation:2",
        "audio": None,
    }
    assert overlapping(both.variations) == [(closing, opening)]
    # A Christmas Eve opening beats the holiday.
    christmas = rules(
        variations=(
            Variation(
                3,
                open=True,
                date_from=date(2026, 12, 24),
                date_to=date(2026, 12, 24),
                hours=TimeRange(9 * 60, 12 * 60),
            ),
        )
    )
    assert check(christmas, local(2026, 12, 24, 10, 0)).reason == "variation:3"
    assert check(christmas, local(2026, 12, 24, 13, 0)).reason == "holiday:Christmas Eve"


def test_weekday_condition_and_disjoint_variations() -> None:
    saturdays = Variation(4, open=True, weekdays=frozenset({5}), hours=TimeRange(600, 840))
    sundays = Variation(5, open=True, weekdays=frozenset({6}))
    assert overlapping((saturdays, sundays)) == []
    calendar = rules(variations=(saturdays, sundays))
    assert check(calendar, local(2026, 11, 28, 11, 0)).open
    assert not check(calendar, local(2026, 11, 28, 15, 0)).open


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Spring forward 2026-03-29 (a Sunday): open Sundays 08-17 local.
        (datetime(2026, 3, 29, 6, 59, tzinfo=UTC), True),  # 08:59 CEST
        (datetime(2026, 3, 29, 5, 59, tzinfo=UTC), False),  # 07:59 CEST
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), False),  # 01:59 CET, before the jump
        # Fall back 2026-10-25: 08:00 local is 07:00 UTC after the change.
        (datetime(2026, 10, 25, 7, 0, tzinfo=UTC), True),
        (datetime(2026, 10, 25, 6, 59, tzinfo=UTC), False),
        (datetime(2026, 10, 25, 15, 59, tzinfo=UTC), True),  # 16:59 CET
        (datetime(2026, 10, 25, 16, 0, tzinfo=UTC), False),  # 17:00 CET
    ],
)
def test_dst_days_use_local_wall_time(utc: datetime, expected: bool) -> None:
    calendar = CalendarRules(weekly=parse_weekly({"sun": [["08:00", "17:00"]]}))
    assert check(calendar, utc).open is expected


def test_bad_rules_are_refused_with_reasons() -> None:
    with pytest.raises(ValidationError, match="HH:MM"):
        parse_weekly({"mon": [["8", "17:00"]]})
    with pytest.raises(ValidationError, match="crosses midnight"):
        parse_weekly({"mon": [["22:00", "02:00"]]})
    with pytest.raises(ValidationError, match="unknown weekday"):
        parse_weekly({"monday": []})
    with pytest.raises(ValidationError, match="timezone"):
        CalendarRules(timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="reversed"):
        Variation(1, open=True, date_from=date(2026, 2, 1), date_to=date(2026, 1, 1))


minutes = st.integers(0, 24 * 60 - 1)
ranges = (
    st.tuples(minutes, minutes)
    .filter(lambda p: p[0] != p[1])
    .map(lambda p: TimeRange(min(p), max(p)))
)
days = st.dates(date(2025, 1, 1), date(2027, 12, 31))
variations = st.builds(
    Variation,
    id=st.integers(1, 1000),
    open=st.booleans(),
    date_from=st.none() | days,
    date_to=st.none(),
    weekdays=st.frozensets(st.integers(0, 6), max_size=3),
    hours=st.none() | ranges,
)
NAIVE_FROM = datetime(2025, 1, 1)  # noqa: DTZ001 (hypothesis takes naive bounds)
NAIVE_TO = datetime(2027, 12, 31)  # noqa: DTZ001
moments = st.datetimes(NAIVE_FROM, NAIVE_TO, timezones=st.just(UTC))


@given(st.lists(variations, max_size=4), variations, moments)
def test_a_variation_never_changes_times_it_does_not_match(
    existing: list[Variation], added: Variation, at: datetime
) -> None:
    before = rules(variations=tuple(existing))
    after = rules(variations=(*existing, added))
    if not added.matches(at.astimezone(STOCKHOLM)):
        assert check(after, at) == check(before, at)


@given(variations, moments)
def test_a_variation_on_top_decides_every_time_it_matches(
    variation: Variation, at: datetime
) -> None:
    status = check(rules(variations=(variation,)), at)
    if variation.matches(at.astimezone(STOCKHOLM)):
        assert status.open is variation.open and status.reason == f"variation:{variation.id}"


@given(moments)
def test_without_variations_or_holidays_open_exactly_in_the_weekly_hours(at: datetime) -> None:
    status = check(rules(holidays_closed=False), at)
    wall = at.astimezone(STOCKHOLM)
    assert status.open == (wall.weekday() < 5 and 8 <= wall.hour < 17)


def test_own_closing_days_count_as_holidays() -> None:
    staff_day = rules(
        own_holidays=parse_own_holidays([{"date": "2026-11-24", "name": "Staff day"}])
    )
    assert check(staff_day, local(2026, 11, 24, 10, 0)).as_json() == {
        "open": False,
        "reason": "holiday:Staff day",
        "audio": None,
    }
    assert check(staff_day, local(2026, 11, 25, 10, 0)).open
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        parse_own_holidays([{"date": "24/11/2026"}])
