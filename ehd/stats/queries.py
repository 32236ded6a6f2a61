"""Figures read from the database, shared by the REST API and the wallboard."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.queryset import QuerySet

from ehd.db.models import CallRecord, Ticket
from ehd.stats.call_figures import CallFigures, CallRow, figures
from ehd.tickets.status import Status


def midnight(now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)


async def call_figures_of(calls: QuerySet[CallRecord], goal: float) -> CallFigures:
    rows = await calls.values_list("result", "queue_seconds", "talk_seconds")
    return figures((CallRow(*row) for row in rows), goal)


async def call_figures(calls: QuerySet[CallRecord], goal: float) -> dict[str, Any]:
    return (await call_figures_of(calls, goal)).as_dict()


async def ticket_counts(tickets: QuerySet[Ticket]) -> dict[str, int]:
    counts = {status.value: 0 for status in Status}
    for status in await tickets.values_list("status", flat=True):
        counts[str(status)] = counts.get(str(status), 0) + 1
    return counts
