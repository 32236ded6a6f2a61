"""Service level from queue_log events, in the two usual ways.

- ``answered``: answered within the goal / answered.
- ``offered``: answered within the goal / (answered + abandoned): abandons count against it.
Waiting time is CONNECT's holdtime and ABANDON's waittime, as app_queue reports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ehd.acd.actions import LogQueueEvent


@dataclass(frozen=True)
class ServiceLevel:
    answered: int
    answered_within_goal: int
    abandoned: int

    @property
    def by_answered(self) -> float | None:
        return self.answered_within_goal / self.answered if self.answered else None

    @property
    def by_offered(self) -> float | None:
        total = self.answered + self.abandoned
        return self.answered_within_goal / total if total else None


def service_level(
    entries: Iterable[LogQueueEvent], queue: str, goal_seconds: float
) -> ServiceLevel:
    answered = within = abandoned = 0
    for entry in entries:
        if entry.queue != queue:
            continue
        if entry.event == "CONNECT":
            answered += 1
            if entry.data and int(entry.data[0]) <= goal_seconds:
                within += 1
        elif entry.event == "ABANDON":
            abandoned += 1
    return ServiceLevel(answered, within, abandoned)
