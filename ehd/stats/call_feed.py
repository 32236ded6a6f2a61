"""Ended calls folded into the per-slot call-record counters (ehd.stats.call_slices): a
record is read once, after it ended, and marked counted in the same transaction as its
counters, so a crash neither loses nor doubles a call; ``rebuild`` folds them all again.

A run reads only calls that ended ``SETTLE`` ago: the last writes of a call (its result, the
agents' talk and hold totals) land just after the hangup.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from ehd.db.models import CallHandling, CallRecord, CallSlice, Queue
from ehd.stats import call_slice_store
from ehd.stats.call_slices import EndedCall, fold

BATCH = 5000  # calls per run
SETTLE = timedelta(seconds=5)
FIELDS = (
    "id", "call_id", "started_at", "direction", "route_type", "result", "answered_at", "did",
    "site_id", "queue_name", "agent", "queue_seconds", "talk_seconds", "hold_seconds",
)  # fmt: skip


async def fold_ended(now: datetime | None = None) -> int:
    """Folds up to BATCH ended, uncounted calls; returns how many."""
    before = (now or datetime.now(UTC)) - SETTLE
    rows = (
        await CallRecord.filter(counted=False, ended_at__not_isnull=True, ended_at__lt=before)
        .order_by("id").limit(BATCH).values(*FIELDS)
    )  # fmt: skip
    if not rows:
        return 0
    call_ids = [row["call_id"] for row in rows]
    handlings = dict(
        await CallHandling.filter(call_id__in=call_ids)
        .group_by("call_id").annotate(parts=Count("id")).values_list("call_id", "parts")
    )  # fmt: skip
    goals = dict(await Queue.all().values_list("name", "sl_goal_seconds"))
    calls = [
        EndedCall(
            started_at=row["started_at"],
            direction=str(row["direction"]),
            route_type=row["route_type"],
            result=row["result"],
            answered=row["answered_at"] is not None,
            did=row["did"],
            site_id=row["site_id"],
            queue=row["queue_name"],
            agent=row["agent"],
            queue_seconds=row["queue_seconds"],
            talk_seconds=row["talk_seconds"],
            hold_seconds=row["hold_seconds"],
            handlings=int(handlings.get(row["call_id"], 0)),
        )
        for row in rows
    ]
    async with in_transaction() as connection:
        await call_slice_store.add(fold(calls, goals.get), connection)
        await (
            CallRecord.filter(id__in=[row["id"] for row in rows])
            .using_db(connection).update(counted=True)
        )  # fmt: skip
    return len(rows)


async def rebuild(now: datetime | None = None) -> int:
    """Forget the counters and fold every ended call again; returns the calls read."""
    async with in_transaction():
        await CallSlice.all().delete()
        await CallRecord.filter(counted=True).update(counted=False)
    total = 0
    while read := await fold_ended(now):
        total += read
    return total
