"""Estimated waiting time: app_queue's running average once there is history, Erlang C before.

app_queue keeps ``holdtime = (3 * holdtime + new) / 4`` over answered calls and announces what
is left of it for a waiting caller. With little history that average is noise, so until
``MIN_HISTORY`` calls were answered the estimate comes from Erlang C with the observed arrival
rate, the queue's expected handle time and the agents logged in, scaled by position.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ehd.acd.erlang import average_speed_of_answer

MIN_HISTORY = 10
_ARRIVAL_WINDOW = 50


@dataclass
class WaitHistory:
    holdtime: float = 0.0
    answered: int = 0
    handle_time: float = 0.0
    completed: int = 0
    arrivals: deque[float] = field(default_factory=lambda: deque(maxlen=_ARRIVAL_WINDOW))

    def record_arrival(self, at: float) -> None:
        self.arrivals.append(at)

    def record_answer(self, waited: float) -> None:
        self.holdtime = waited if self.answered == 0 else (3 * self.holdtime + waited) / 4
        self.answered += 1

    def record_completion(self, handled: float) -> None:
        self.handle_time = handled if self.completed == 0 else (3 * self.handle_time + handled) / 4
        self.completed += 1

    def arrival_rate(self) -> float:
        if len(self.arrivals) < 2:
            return 0.0
        span = self.arrivals[-1] - self.arrivals[0]
        return (len(self.arrivals) - 1) / span if span > 0 else 0.0

    def estimate(
        self, *, position: int, waited: float, agents: int, expected_handle: float
    ) -> float:
        """Seconds the caller at ``position`` (1-based) may still wait."""
        if self.answered >= MIN_HISTORY:
            return max(0.0, self.holdtime - waited)
        handle = self.handle_time if self.completed >= MIN_HISTORY else expected_handle
        if agents <= 0:
            return position * handle
        rate = self.arrival_rate()
        asa = average_speed_of_answer(rate, handle, agents) if rate > 0 else 0.0
        if asa == float("inf"):
            asa = handle
        # Erlang C gives the mean for a new arrival; a caller further back waits for the
        # callers ahead of it to be served, about one handle time per agent's worth of them.
        ahead = max(0, position - 1)
        return max(0.0, asa + ahead * handle / agents - waited)
