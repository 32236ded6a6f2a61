"""Subscribed reports: which days each covers and when it is due (once per period, after
its hour, the latest period only after an outage)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ehd.db.models import ReportFrequency
from ehd.stats.report_schedule import due_period, last_period

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEDNESDAY = date(2027, 3, 3)


def test_each_frequency_covers_the_last_whole_period() -> None:
    assert last_period(ReportFrequency.DAILY, WEDNESDAY) == (date(2027, 3, 2), date(2027, 3, 2))
    assert last_period(ReportFrequency.WEEKLY, WEDNESDAY) == (date(2027, 2, 22), date(2027, 2, 28))
    assert last_period(ReportFrequency.MONTHLY, WEDNESDAY) == (date(2027, 2, 1), date(2027, 2, 28))
    assert last_period(ReportFrequency.MONTHLY, date(2027, 1, 1)) == (
        date(2026, 12, 1),
        date(2026, 12, 31),
    )


def test_a_report_is_due_once_after_its_hour() -> None:
    early = datetime(2027, 3, 3, 5, 59, tzinfo=STOCKHOLM)
    six = datetime(2027, 3, 3, 6, 0, tzinfo=STOCKHOLM)
    assert due_period(ReportFrequency.DAILY, 6, None, early) is None
    assert due_period(ReportFrequency.DAILY, 6, None, six) == (date(2027, 3, 2), date(2027, 3, 2))
    assert due_period(ReportFrequency.DAILY, 6, date(2027, 3, 2), six) is None  # sent
    # a week down: only yesterday's is sent
    assert due_period(ReportFrequency.DAILY, 6, date(2027, 2, 23), six) == (
        date(2027, 3, 2),
        date(2027, 3, 2),
    )
    assert due_period(ReportFrequency.WEEKLY, 6, date(2027, 2, 28), six) is None
    assert due_period(ReportFrequency.MONTHLY, 0, date(2027, 1, 31), six) == (
        date(2027, 2, 1),
        date(2027, 2, 28),
    )
