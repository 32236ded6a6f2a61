"""Ticket counters per local day: events folded, periods, and the backlog walked back."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from ehd.stats.ticket_figures import (
    COLUMNS,
    Attributes,
    Created,
    DayKey,
    FirstAnswer,
    Period,
    Reopened,
    Solved,
    TicketCounts,
    backlog,
    fold,
    periods,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
EMAIL = Attributes("email", group_id=3)


def test_events_count_on_their_local_day_under_their_attributes() -> None:
    late = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # 00:30 on the 3rd in Stockholm
    events = [
        Created(late, EMAIL),
        FirstAnswer(late, EMAIL, 5400.4, met=False),
        Solved(late, EMAIL, 7200, met=True),
        Solved(late, EMAIL, 100, met=None),  # no goal: a time, but no compliance
        Reopened(late, Attributes("phone")),
    ]
    deltas = fold(events, STOCKHOLM)  # type: ignore[arg-type]
    email = deltas[DayKey(date(2026, 11, 3), EMAIL)]
    assert (email.created, email.solved, email.resolution_seconds) == (1, 2, 7300)
    assert (email.resolution_goals, email.resolution_met) == (1, 1)
    assert (email.first_responses, email.first_response_seconds) == (1, 5400)
    assert (email.first_response_goals, email.first_response_met) == (1, 0)
    assert email.resolution_compliance == 100.0 and email.first_response_compliance == 0.0
    assert email.average_resolution == 3650
    assert deltas[DayKey(date(2026, 11, 3), Attributes("phone"))].reopened == 1


def test_periods_start_on_mondays_and_the_first_of_the_month() -> None:
    assert periods(date(2026, 11, 4), date(2026, 11, 17), Period.WEEK) == [
        date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)
    ]  # fmt: skip
    assert periods(date(2026, 11, 30), date(2027, 2, 1), Period.MONTH) == [
        date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)
    ]  # fmt: skip
    assert len(periods(date(2026, 1, 1), date(2026, 12, 31), Period.DAY)) == 365


def test_the_backlog_walks_back_from_todays_open_count() -> None:
    days = [TicketCounts(created=5), TicketCounts(created=2, solved=4), TicketCounts(reopened=1)]
    # 10 open today, of which 3 more than at the end of the last period
    assert backlog(10, 3, days) == [8, 6, 7]
    assert backlog(0, 0, []) == []


def test_the_columns_name_every_counter() -> None:
    assert tuple(item.name for item in fields(TicketCounts)) == COLUMNS
