"""Imports a queue_log file written by Asterisk's app_queue (or by ehd): its rows go into the
queue_log table and into the per-slot statistics, so a site that switches to ehd keeps its
history and the figures come from the one source for both."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ehd.acd.actions import LogQueueEvent
from ehd.db.models import QueueLogEntry
from ehd.errors import ValidationError
from ehd.stats import queue_log_table
from ehd.stats.agent_time import AgentTimeFold
from ehd.stats.intervals import IntervalFold

CHUNK_LINES = 20_000
_NAME_LENGTH = 64


def parse_line(line: str) -> LogQueueEvent | None:
    """``epoch|callid|queue|agent|EVENT|data1|…|data5``; None for a line that is not one."""
    parts = line.rstrip("\r\n").split("|")
    if len(parts) < 5 or not parts[0].isascii() or not parts[0].isdigit():
        return None
    epoch, call_id, queue, agent, event, *data = parts
    if not event or not event.isascii() or not event.replace("_", "").isalnum():
        return None
    if max(len(call_id), len(queue), len(agent)) > _NAME_LENGTH:
        return None
    return LogQueueEvent(float(epoch), call_id, queue, agent, event.upper(), tuple(data[:5]))


@dataclass(frozen=True)
class ImportResult:
    rows: int
    skipped: int  # lines that were not queue_log rows
    first: datetime | None
    last: datetime | None


def _chunks(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        while chunk := list(itertools.islice(lines, CHUNK_LINES)):
            yield chunk


async def _period_of(path: Path) -> tuple[float, float] | None:
    def scan() -> tuple[float, float] | None:
        times = [row.at for chunk in _chunks(path) for line in chunk if (row := parse_line(line))]
        return (min(times), max(times)) if times else None

    return await asyncio.to_thread(scan)


async def import_queue_log(
    path: Path,
    goal_of: Callable[[str], float | None] | None = None,
    wrapup_of: Callable[[str], float | None] | None = None,
) -> ImportResult:
    """Reads the file in chunks (off the event loop); refuses a period that already holds
    queue_log rows, so importing the same file twice cannot count its calls twice."""
    period = await _period_of(path)
    if period is None:
        raise ValidationError(f"{path}: no queue_log rows in it", field="file")
    first, last = (datetime.fromtimestamp(at, UTC) for at in period)
    already = await QueueLogEntry.filter(time__gte=first, time__lte=last).count()
    if already:
        raise ValidationError(
            f"{path}: {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} already holds "
            f"{already} queue_log rows; nothing imported",
            field="file",
        )
    calls, agents = IntervalFold(goal_of), AgentTimeFold(wrapup_of)
    rows = skipped = 0
    chunks = _chunks(path)
    no_more: list[str] = []
    while chunk := await asyncio.to_thread(next, chunks, no_more):
        parsed = [parse_line(line) for line in chunk if line.strip()]
        entries = [row for row in parsed if row is not None]
        skipped += len(parsed) - len(entries)
        rows += len(entries)
        await queue_log_table.record(entries, calls, agents)
    return ImportResult(rows, skipped, first, last)
