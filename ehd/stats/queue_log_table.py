"""The one way queue_log rows enter the database, live or imported: the queue_log table and
the per-slot statistics (calls and agents' time) in one step, so all hold the same calls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ehd.acd.actions import LogQueueEvent
from ehd.db.bulk_insert import insert_rows
from ehd.stats import agent_time_store, interval_store
from ehd.stats.agent_time import AgentTimeFold
from ehd.stats.intervals import IntervalFold

DATA_LENGTH = 128  # the table's data columns


COLUMNS = ("time", "call_id", "queue_name", "agent", "event", *(f"data{n}" for n in range(1, 6)))


def table_row(entry: LogQueueEvent) -> tuple[object, ...]:
    data = [value[:DATA_LENGTH] for value in entry.data[:5]]
    return (
        datetime.fromtimestamp(entry.at, UTC),
        entry.call_id,
        entry.queue,
        entry.agent,
        entry.event,
        *data,
        *[""] * (5 - len(data)),
    )


async def record(
    entries: Sequence[LogQueueEvent], calls: IntervalFold, agents: AgentTimeFold
) -> None:
    """Rows with Unix times: into the table, the calls' counters and the agents' time."""
    await insert_rows("queue_log", COLUMNS, [table_row(entry) for entry in entries])
    await interval_store.add(calls.fold(entries))
    await agent_time_store.add(agents.fold(entries))
