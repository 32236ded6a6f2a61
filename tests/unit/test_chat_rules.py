"""When chat is offered, when a visitor has left, and what a message may be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ehd.chat.service import (
    MAX_MESSAGE,
    VISITOR_TIMEOUT,
    Availability,
    ChatFigures,
    availability_of,
    figures_of,
    message_text,
    visitor_gone,
)
from ehd.errors import ValidationError


def test_chat_needs_an_open_calendar_and_an_agent() -> None:
    assert availability_of(True, 2) == Availability(True)
    assert availability_of(True, 0) == Availability(False, "no agents")
    assert availability_of(False, 5) == Availability(False, "closed")


def test_a_visitor_is_gone_only_after_the_timeout() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert not visitor_gone(None, now)
    assert not visitor_gone(now - VISITOR_TIMEOUT, now)
    assert visitor_gone(now - VISITOR_TIMEOUT - timedelta(seconds=1), now)


def test_messages_are_trimmed_and_bounded() -> None:
    assert message_text("  hello\n") == "hello"
    assert message_text("x" * MAX_MESSAGE) == "x" * MAX_MESSAGE
    for bad in ("", " \n ", "x" * (MAX_MESSAGE + 1)):
        with pytest.raises(ValidationError):
            message_text(bad)


def test_chat_figures_count_answers_misses_and_the_average_wait() -> None:
    t0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
    figures = figures_of([
        (t0, t0 + timedelta(seconds=20), t0 + timedelta(minutes=5)),
        (t0, t0 + timedelta(seconds=40), None),  # still going
        (t0, None, t0 + timedelta(minutes=2)),  # the visitor gave up
        (t0, None, None),  # still waiting
    ])  # fmt: skip
    assert figures == ChatFigures(chats=4, answered=2, missed=1, avg_wait_seconds=30.0)
    assert figures_of([]) == ChatFigures(0, 0, 0, None)
