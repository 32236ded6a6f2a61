"""The per-slot counters in the database: deltas added as queue_log rows arrive (live, or from
an imported queue_log), read back for any period."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from tortoise.transactions import in_transaction

from ehd.db.models import QueueInterval
from ehd.stats.intervals import COUNTER_NAMES, SlotCounts, SlotKey


def _counts(row: QueueInterval) -> SlotCounts:
    counts = SlotCounts(**{name: getattr(row, name) for name in COUNTER_NAMES})
    for bands in ("answered_waits", "abandoned_waits"):  # a row stored before any band
        if not getattr(counts, bands):
            setattr(counts, bands, getattr(SlotCounts(), bands))
    return counts


def _store(row: QueueInterval, counts: SlotCounts) -> None:
    for name in COUNTER_NAMES:
        setattr(row, name, getattr(counts, name))


async def add(deltas: Mapping[SlotKey, SlotCounts]) -> None:
    """Adds the deltas to their slots, making the slots that are new; one transaction."""
    if not deltas:
        return
    keys = sorted(deltas)
    async with in_transaction():
        existing = {
            SlotKey(row.slot, row.queue_name, row.agent): row
            for row in await QueueInterval.filter(
                slot__gte=keys[0].slot,
                slot__lte=keys[-1].slot,
                queue_name__in=sorted({key.queue for key in keys}),
            )
        }
        new = []
        for key in keys:
            row = existing.get(key)
            if row is None:
                row = QueueInterval(slot=key.slot, queue_name=key.queue, agent=key.agent)
                _store(row, deltas[key])
                new.append(row)
                continue
            counts = _counts(row)
            counts.add(deltas[key])
            _store(row, counts)
            await row.save()
        await QueueInterval.bulk_create(new, batch_size=500)


async def load(
    first_slot: int,
    end_slot: int,
    queues: Collection[str] = (),
    agents: bool = False,
) -> list[tuple[SlotKey, SlotCounts]]:
    """The slots from ``first_slot`` up to (not including) ``end_slot``: the queues' own
    rows, or with ``agents`` the rows per agent; ``queues`` empty means every queue."""
    query = QueueInterval.filter(slot__gte=first_slot, slot__lt=end_slot)
    query = query.exclude(agent="") if agents else query.filter(agent="")
    if queues:
        query = query.filter(queue_name__in=list(queues))
    columns = ("slot", "queue_name", "agent", *COUNTER_NAMES)
    rows = await query.values_list(*columns)
    loaded = []
    for row in rows:
        slot, queue, agent, *values = row
        counts = SlotCounts(**dict(zip(COUNTER_NAMES, values, strict=True)))
        for bands in ("answered_waits", "abandoned_waits"):
            if not getattr(counts, bands):
                setattr(counts, bands, getattr(SlotCounts(), bands))
        loaded.append((SlotKey(slot, queue, agent), counts))
    return loaded
