"""Staffing against need: for each period, the agents Erlang C says the offered calls needed
to meet the queue's service goal, beside the agents who were there to take calls (logged in
and not paused, on average over the period). Pure.

The need assumes calls arrived evenly over the period and were handled in the period's
measured average handling time (talk and wrap-up per call); a period without a handled call
uses the queue's expected handling time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ehd.acd.erlang import service_level

MOST_AGENTS = 2000  # a bound for the search, far above any floor


def agents_needed(
    offered: int, period_seconds: float, handle_seconds: float, goal_seconds: float,
    target_percent: float,
) -> int:  # fmt: skip
    """The fewest agents for which Erlang C's service level reaches the target."""
    if offered <= 0 or handle_seconds <= 0:
        return 0
    rate = offered / period_seconds
    agents = max(1, math.floor(rate * handle_seconds) + 1)
    while agents < MOST_AGENTS and (
        100 * service_level(rate, handle_seconds, agents, goal_seconds) < target_percent
    ):
        agents += 1
    return agents


@dataclass(frozen=True)
class StaffingRow:
    label: str
    offered: int
    handle_seconds: float
    needed: int
    available: float  # agents logged in and not paused, on average

    @property
    def short(self) -> float:
        """Agents missing (negative: to spare)."""
        return round(self.needed - self.available, 1)
