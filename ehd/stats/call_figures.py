"""Key figures of a set of calls. Pure.

Lost calls count only while open: a call that met a closed calendar ("closed") is in the
total but is neither answered nor lost. The service level is the share of calls offered
while open (answered + lost) that were answered within the queue's goal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LOST = frozenset({"abandoned", "lost"})
CLOSED = "closed"


@dataclass(frozen=True)
class CallRow:
    result: str
    queue_seconds: float | None = None
    talk_seconds: float | None = None


@dataclass(frozen=True)
class CallFigures:
    total: int
    answered: int
    lost: int
    closed: int
    answered_within_goal: int
    avg_queue_seconds: float | None
    avg_talk_seconds: float | None

    @property
    def service_level(self) -> float | None:
        offered = self.answered + self.lost
        return round(100 * self.answered_within_goal / offered, 1) if offered else None

    @property
    def answered_percent(self) -> float | None:
        open_calls = self.total - self.closed
        return round(100 * self.answered / open_calls, 1) if open_calls else None

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "answered": self.answered,
            "lost": self.lost,
            "closed": self.closed,
            "answered_within_goal": self.answered_within_goal,
            "avg_queue_seconds": self.avg_queue_seconds,
            "avg_talk_seconds": self.avg_talk_seconds,
            "service_level": self.service_level,
            "answered_percent": self.answered_percent,
        }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def figures(rows: Iterable[CallRow], sl_goal_seconds: float) -> CallFigures:
    rows = list(rows)
    answered = [r for r in rows if r.result == "answered"]
    waits = [r.queue_seconds for r in rows if r.queue_seconds is not None and r.result != CLOSED]
    talks = [r.talk_seconds for r in answered if r.talk_seconds is not None]
    within = sum(1 for r in answered if (r.queue_seconds or 0.0) <= sl_goal_seconds)
    return CallFigures(
        total=len(rows),
        answered=len(answered),
        lost=sum(1 for r in rows if r.result in LOST),
        closed=sum(1 for r in rows if r.result == CLOSED),
        answered_within_goal=within,
        avg_queue_seconds=_mean(waits),
        avg_talk_seconds=_mean(talks),
    )
