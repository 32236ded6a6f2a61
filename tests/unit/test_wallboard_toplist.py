"""The top list's week and values."""

from __future__ import annotations

from datetime import UTC, datetime

from ehd.wallboard.toplist import standings, week_start


def test_the_week_starts_on_tuesday_and_monday_shows_the_week_before() -> None:
    tuesday = datetime(2026, 11, 17, 0, 0, tzinfo=UTC)
    assert week_start(datetime(2026, 11, 17, 9, 30, tzinfo=UTC)) == tuesday
    assert week_start(datetime(2026, 11, 22, 23, 59, tzinfo=UTC)) == tuesday  # Sunday
    assert (
        week_start(datetime(2026, 11, 23, 8, 0, tzinfo=UTC)) == tuesday
    )  # Monday: still last week
    assert week_start(datetime(2026, 11, 24, 0, 1, tzinfo=UTC)) == datetime(
        2026, 11, 24, tzinfo=UTC
    )


def test_values_add_calls_and_solved_tickets_scaled_by_satisfaction() -> None:
    rows = standings({"ann": 10, "bo": 6}, {"bo": 4, "cy": 1}, {"ann": 2.5})
    assert [(r.agent, r.value) for r in rows] == [("bo", 10.0), ("ann", 5.0), ("cy", 1.0)]
    assert rows[1].cfi == 2.5 and rows[0].cfi is None
