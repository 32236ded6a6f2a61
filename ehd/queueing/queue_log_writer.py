"""Writes the engine's queue events to the ``queue_log`` file and table, as app_queue does,
and adds them to the per-slot statistics (ehd.stats.intervals) in the same step.

The file uses app_queue's exact line format (``epoch|callid|queue|agent|EVENT|data…``), so
reporting tools written for Asterisk's queue_log read it unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ehd.acd.actions import LogQueueEvent
from ehd.db.models import QueueLogEntry
from ehd.stats import agent_time_store, queue_log_table
from ehd.stats.agent_time import AgentTimeFold
from ehd.stats.intervals import IntervalFold

RESUME_SECONDS = 86_400  # how far back a start looks for the agents' state


class QueueLogWriter:
    def __init__(self, path: Path, epoch_offset: float = 0.0) -> None:
        self.path = path
        # Engine time -> Unix time (the engine's clock may start anywhere).
        self.epoch_offset = epoch_offset
        # the queue service tells them each queue's service goal and wrap-up time
        self.intervals = IntervalFold()
        self.agent_time = AgentTimeFold()
        self._resumed = False

    def _append(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(text)

    async def write(self, entries: Sequence[LogQueueEvent]) -> None:
        if not entries:
            return
        stamped = [
            LogQueueEvent(e.at + self.epoch_offset, e.call_id, e.queue, e.agent, e.event, e.data)
            for e in entries
        ]
        await asyncio.to_thread(self._append, "".join(e.line() + "\n" for e in stamped))
        await queue_log_table.record(stamped, self.intervals, self.agent_time)

    async def count_agent_time(self, now: float) -> None:
        """The agents' open stretches counted up to ``now`` (Unix time), so the current
        slot's figures grow while they work."""
        await agent_time_store.add(self.agent_time.tick(now))

    async def resume_agent_time(self, now: float) -> None:
        """After a start: who is logged in, paused or busy, from the last day's rows (the
        time while ehd was down is not counted). Once per process."""
        if self._resumed:
            return
        self._resumed = True
        since = datetime.fromtimestamp(now - RESUME_SECONDS, UTC)
        rows = await QueueLogEntry.filter(time__gte=since).exclude(agent__in=("", "NONE"))
        self.agent_time.fold(
            LogQueueEvent(row.time.timestamp(), row.call_id, row.queue_name, row.agent,
                          row.event, (row.data1, row.data2, row.data3, row.data4, row.data5))
            for row in sorted(rows, key=lambda row: (row.time, row.id))
        )  # fmt: skip
        self.agent_time.tick(now)
