"""Watches each queue's service level over the last hour as its calls are counted, and tells
the supervisors (a notification: bell, page, desktop) when a queue falls below its target.
The decision is ehd.stats.service_alarm's; this reads the counters and sends the word."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from ehd.accounts.notifications import service_goal_missed
from ehd.stats import interval_store
from ehd.stats.intervals import SLOT_SECONDS, slot_of
from ehd.stats.rollup import total
from ehd.stats.service_alarm import WINDOW_SLOTS, BackOnTarget, Missed, ServiceAlarms

log = logging.getLogger(__name__)


class ServiceWatch:
    def __init__(self, targets: Callable[[str], tuple[float, float] | None]) -> None:
        self.targets = targets  # a queue's (goal seconds, target percent), None if unknown
        self.alarms = ServiceAlarms()

    async def check(self, queues: Iterable[str], now: float) -> None:
        end = slot_of(now) + SLOT_SECONDS
        first = end - WINDOW_SLOTS * SLOT_SECONDS
        for queue in sorted(set(queues)):
            wanted = self.targets(queue)
            if wanted is None:
                continue
            goal, target = wanted
            slots = await interval_store.load(first, end, [queue])
            window = total(counts for _, counts in slots)
            match self.alarms.check(queue, window, target, goal):
                case Missed() as missed:
                    log.warning("queue %s below its service goal: %.1f %% (target %.0f %%)",
                                queue, missed.level, target)  # fmt: skip
                    await service_goal_missed(queue, missed.level, target, goal)
                case BackOnTarget(level=level):
                    log.info("queue %s back on its service goal: %.1f %%", queue, level)
                case None:
                    pass
