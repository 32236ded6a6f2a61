"""Ticket status rules: replies reopen within N days, resting tickets wake up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ehd.errors import ValidationError
from ehd.tickets.status import (
    Status,
    after_customer_reply,
    after_opened_by_agent,
    check_change,
    wakes_up,
)

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_a_reply_reopens_a_solved_ticket_only_within_the_window() -> None:
    recent, old = NOW - timedelta(days=3), NOW - timedelta(days=30)
    assert after_customer_reply(Status.SOLVED, recent, NOW, reopen_days=14) == Status.OPEN
    assert after_customer_reply(Status.CLOSED, old, NOW, reopen_days=14) is None
    assert after_customer_reply(Status.WITH_CONTACT, old, NOW, reopen_days=14) == Status.OPEN
    assert after_customer_reply(Status.NEW, old, NOW, reopen_days=14) == Status.NEW


def test_resting_until_a_date() -> None:
    with pytest.raises(ValidationError, match="future"):
        check_change(Status.RESTING_UNTIL, NOW - timedelta(minutes=1), NOW)
    check_change(Status.RESTING_UNTIL, NOW + timedelta(days=1), NOW)
    assert wakes_up(Status.RESTING_UNTIL, NOW, NOW)
    assert not wakes_up(Status.RESTING_UNTIL, NOW + timedelta(seconds=1), NOW)
    assert not wakes_up(Status.RESTING, NOW - timedelta(days=1), NOW)


def test_auto_assigned_opening() -> None:
    assert after_opened_by_agent(Status.NEW, auto_assign=True) == Status.OPEN
    assert after_opened_by_agent(Status.NEW, auto_assign=False) == Status.NEW
    assert after_opened_by_agent(Status.WITH_CONTACT, auto_assign=True) == Status.WITH_CONTACT
