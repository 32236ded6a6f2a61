"""Writes the engine's queue events to the ``queue_log`` file and table, as app_queue does,
and adds them to the per-slot statistics (ehd.stats.intervals) in the same step.

The file uses app_queue's exact line format (``epoch|callid|queue|agent|EVENT|data…``), so
reporting tools written for Asterisk's queue_log read it unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from ehd.acd.actions import LogQueueEvent
from ehd.stats import queue_log_table
from ehd.stats.intervals import IntervalFold


class QueueLogWriter:
    def __init__(self, path: Path, epoch_offset: float = 0.0) -> None:
        self.path = path
        # Engine time -> Unix time (the engine's clock may start anywhere).
        self.epoch_offset = epoch_offset
        self.intervals = IntervalFold()  # the queue service tells it each queue's goal

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
        await queue_log_table.record(stamped, self.intervals)
