"""The outbox waits longer after each failed try, then gives up."""

from __future__ import annotations

from datetime import timedelta

from ehd.mail.outbox import PAUSES, pause_after


def test_pauses_grow_and_end() -> None:
    waits = [pause_after(n) for n in range(1, len(PAUSES) + 1)]
    assert waits[0] == timedelta(minutes=1) and all(w is not None for w in waits)
    assert waits == sorted(waits)  # type: ignore[type-var]
    assert pause_after(len(PAUSES) + 1) is None and pause_after(0) is None
    assert sum(PAUSES, timedelta()) < timedelta(days=3)
