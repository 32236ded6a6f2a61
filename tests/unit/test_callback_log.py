"""queue_log rows of a callback: connected when the customer answers, and an attempt that never
reached the customer is not a completed call."""

from __future__ import annotations

from typing import Any, cast

from ehd.acd.actions import LogQueueEvent
from ehd.queueing.callbacks import Callback, Callbacks


def _row(event: str, item: str = "cb-1") -> LogQueueEvent:
    return LogQueueEvent(100.0, item, "sales", "alice", event, ("5", "chan", "2"))


def _desk() -> Callbacks:
    desk = Callbacks(cast(Any, None), None, attempts=3, retry_seconds=60)
    desk.pending["cb-1"] = Callback("cb-1", "sales", "+46701234567", 0, 0.0)
    return desk


def test_connect_waits_for_the_customer() -> None:
    desk = _desk()
    assert desk.hold_back([_row("CONNECT")]) == []
    assert desk.pending["cb-1"].connect_row == _row("CONNECT")


def test_an_unreached_attempt_writes_no_completion() -> None:
    desk = _desk()
    kept = desk.hold_back([_row("CONNECT"), _row("COMPLETEAGENT"), _row("CALLBACKNOANSWER")])
    assert [row.event for row in kept] == ["CALLBACKNOANSWER"]


def test_once_the_customer_answered_everything_is_written() -> None:
    desk = _desk()
    desk.pending["cb-1"].answered = True
    assert [r.event for r in desk.hold_back([_row("COMPLETECALLER")])] == ["COMPLETECALLER"]


def test_other_calls_pass_untouched() -> None:
    rows = [_row("CONNECT", "call-7"), _row("COMPLETEAGENT", "call-7")]
    assert _desk().hold_back(rows) == rows
