"""When a queue misses its service goal: the service level of the last hour against the
queue's target, with a floor of calls so one slow call at night is no alarm, raised once per
miss and re-armed when the queue is back on target. Pure.

The level is app_queue's servicelevelperf2 (ehd.stats.intervals.Measures.service_level_2):
callers who gave up after the goal count against it, so a queue nobody answers is not
"on target" for the few calls it did answer quickly.
"""

from __future__ import annotations

from dataclasses import dataclass

from ehd.stats.intervals import Measures, SlotCounts

# The only queue_log rows that move a level: checking after any other would read the same.
LEVEL_EVENTS = frozenset({"CONNECT", "ABANDON"})
WINDOW_SLOTS = 4  # the last hour: the current 15-minute slot and the three before it
MIN_CALLS = 5  # answered and abandoned in the window before a level means anything


@dataclass(frozen=True)
class Missed:
    queue: str
    level: float  # percent
    target: float  # percent
    goal_seconds: float
    calls: int  # answered + abandoned in the window


@dataclass(frozen=True)
class BackOnTarget:
    queue: str
    level: float


class ServiceAlarms:
    def __init__(self) -> None:
        self._missing: set[str] = set()

    def check(
        self, queue: str, window: SlotCounts, target_percent: float, goal_seconds: float
    ) -> Missed | BackOnTarget | None:
        """What changed for ``queue`` given its counters over the window: None while the
        queue stays on target, stays missing it, or has too few calls to tell."""
        level = Measures(window).service_level_2
        calls = window.answered + window.abandoned
        if level is None:
            return None
        if level >= target_percent:
            if queue in self._missing:
                self._missing.discard(queue)
                return BackOnTarget(queue, level)
            return None
        if calls < MIN_CALLS or queue in self._missing:
            return None
        self._missing.add(queue)
        return Missed(queue, level, target_percent, goal_seconds, calls)
