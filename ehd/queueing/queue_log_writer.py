"""Writes the engine's queue events to the ``queue_log`` file and table, as app_queue does,
and adds them to the per-slot statistics (ehd.stats.intervals) together with the table rows.

The file uses app_queue's exact line format (``epoch|callid|queue|agent|EVENT|data…``), so
reporting tools written for Asterisk's queue_log read it unchanged.

The file line goes out with each write, as app_queue writes it. With ``flush_after`` the rows
for the table and the statistics are gathered and written together that many seconds after
the first of them: one busy second then costs a few statements instead of several per event
(a call has four to six), off the engine's hot path. ``flush`` stores what is gathered (at
shutdown, and before the agents' time is counted, so the fold sees every row in order).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ehd.acd.actions import LogQueueEvent
from ehd.db.models import QueueLogEntry
from ehd.stats import agent_time_store, queue_log_table
from ehd.stats.agent_time import AgentTimeFold
from ehd.stats.intervals import IntervalFold

log = logging.getLogger(__name__)

RESUME_SECONDS = 86_400  # how far back a start looks for the agents' state

Written = Callable[[list[LogQueueEvent]], Awaitable[None]]


class QueueLogWriter:
    def __init__(self, path: Path, epoch_offset: float = 0.0, flush_after: float = 0.0) -> None:
        self.path = path
        # Engine time -> Unix time (the engine's clock may start anywhere).
        self.epoch_offset = epoch_offset
        self.flush_after = flush_after  # 0: every write is stored before it returns
        # the queue service tells them each queue's service goal and wrap-up time
        self.intervals = IntervalFold()
        self.agent_time = AgentTimeFold()
        # told of each stored batch (with Unix times), e.g. to check the service goal
        self.written: Written | None = None
        self._resumed = False
        self._gathered: list[LogQueueEvent] = []
        self._flushing: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

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
        try:
            await asyncio.to_thread(self._append, "".join(e.line() + "\n" for e in stamped))
        except OSError:
            log.exception("queue_log could not be written")
        self._gathered += stamped
        if self.flush_after <= 0:
            await self.flush()
        elif self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush_soon(), name="queue-log-flush")

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self.flush_after)
        try:
            await self.flush()
        except Exception:  # the next batch tries again with its own rows; the calls go on
            log.exception("queue_log rows could not be stored")

    async def flush(self) -> None:
        """Stores every gathered row: the table and the statistics, in order."""
        async with self._lock:
            batch, self._gathered = self._gathered, []
            if not batch:
                return
            await queue_log_table.record(batch, self.intervals, self.agent_time)
        if self.written is not None:
            await self.written(batch)

    async def count_agent_time(self, now: float) -> None:
        """The agents' open stretches counted up to ``now`` (Unix time), so the current
        slot's figures grow while they work."""
        await self.flush()
        async with self._lock:
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
