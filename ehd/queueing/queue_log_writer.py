"""Writes the engine's queue events to the ``queue_log`` file and table, as app_queue does.

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


class QueueLogWriter:
    def __init__(self, path: Path, epoch_offset: float = 0.0) -> None:
        self.path = path
        # Engine time -> Unix time (the engine's clock may start anywhere).
        self.epoch_offset = epoch_offset

    def _lines(self, entries: Sequence[LogQueueEvent]) -> str:
        return "".join(
            LogQueueEvent(
                e.at + self.epoch_offset, e.call_id, e.queue, e.agent, e.event, e.data
            ).line()
            + "\n"
            for e in entries
        )

    def _append(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(text)

    async def write(self, entries: Sequence[LogQueueEvent]) -> None:
        if not entries:
            return
        await asyncio.to_thread(self._append, self._lines(entries))
        await QueueLogEntry.bulk_create(
            [
                QueueLogEntry(
                    time=datetime.fromtimestamp(e.at + self.epoch_offset, UTC),
                    call_id=e.call_id,
                    queue_name=e.queue,
                    agent=e.agent,
                    event=e.event,
                    **{f"data{n + 1}": value[:128] for n, value in enumerate(e.data[:5])},
                )
                for e in entries
            ]
        )
