"""The one way queue_log rows enter the database, live or imported: the queue_log table and
the per-slot statistics in one step, so both always hold the same calls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ehd.acd.actions import LogQueueEvent
from ehd.db.models import QueueLogEntry
from ehd.stats import interval_store
from ehd.stats.intervals import IntervalFold

DATA_LENGTH = 128  # the table's data columns


def table_row(entry: LogQueueEvent) -> QueueLogEntry:
    return QueueLogEntry(
        time=datetime.fromtimestamp(entry.at, UTC),
        call_id=entry.call_id,
        queue_name=entry.queue,
        agent=entry.agent,
        event=entry.event,
        **{f"data{n + 1}": value[:DATA_LENGTH] for n, value in enumerate(entry.data[:5])},
    )


async def record(entries: Sequence[LogQueueEvent], fold: IntervalFold) -> None:
    """Rows with Unix times."""
    await QueueLogEntry.bulk_create([table_row(entry) for entry in entries], batch_size=1000)
    await interval_store.add(fold.fold(entries))
