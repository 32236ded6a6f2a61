"""Service level from queue_log events, both ways."""

from __future__ import annotations

from ehd.acd.actions import LogQueueEvent
from ehd.acd.service_level import service_level


def _log(event: str, queue: str, *data: str) -> LogQueueEvent:
    return LogQueueEvent(0.0, "c", queue, "NONE", event, data)


def test_answered_within_goal_over_answered_and_over_offered() -> None:
    entries = [
        _log("CONNECT", "q", "5", "chan", "2"),
        _log("CONNECT", "q", "20", "chan", "2"),  # exactly at the goal counts as within
        _log("CONNECT", "q", "21", "chan", "2"),
        _log("CONNECT", "q", "100", "chan", "2"),
        _log("ABANDON", "q", "1", "1", "30"),
        _log("CONNECT", "other", "1", "chan", "1"),
        _log("ENTERQUEUE", "q", "", "+4670", "1"),
    ]
    level = service_level(entries, "q", goal_seconds=20)
    assert (level.answered, level.answered_within_goal, level.abandoned) == (4, 2, 1)
    assert level.by_answered == 0.5
    assert level.by_offered == 0.4


def test_no_calls_means_no_service_level_rather_than_zero() -> None:
    level = service_level([], "q", goal_seconds=20)
    assert level.by_answered is None and level.by_offered is None


def test_the_engine_log_feeds_the_service_level() -> None:
    from ehd.acd.model import QueueConfig
    from tests.unit.acd_driver import Driver

    d = Driver(QueueConfig("q"))
    d.arrive("fast")
    d.arrive("slow")
    d.login("alice")
    d.advance(3)
    d.answer("fast", "alice")
    d.complete("fast")
    d.advance(40)
    d.answer("slow", "alice")
    level = service_level(d.logs(), "q", goal_seconds=20)
    assert (level.answered, level.answered_within_goal) == (2, 1)
