"""Agents' time per slot in the database: deltas added as they are counted, summed by the
database per agent for any period, in total or per 15 minutes, hour, day, week or month."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from ehd.db.bulk_insert import insert_rows
from ehd.db.models import AgentInterval, AgentPauseInterval
from ehd.stats.agent_time import AgentSlotTime
from ehd.stats.bucket_sums import bucket_sums
from ehd.stats.rollup import Granularity, period_start

TIMES = ("logged_in", "paused", "busy", "wrapup")


async def add(deltas: Mapping[tuple[int, str], AgentSlotTime]) -> None:
    if not deltas:
        return
    keys = sorted(deltas)
    agents = sorted({agent for _, agent in keys})
    slots = (keys[0][0], keys[-1][0])
    async with in_transaction() as connection:
        rows = await AgentInterval.filter(
            slot__gte=slots[0], slot__lte=slots[1], agent__in=agents
        ).using_db(connection)
        existing = {(row.slot, row.agent): row for row in rows}
        pause_rows = await AgentPauseInterval.filter(
            slot__gte=slots[0], slot__lte=slots[1], agent__in=agents
        ).using_db(connection)
        pauses = {(row.slot, row.agent, row.reason): row for row in pause_rows}
        new, new_pauses = [], []
        for key in keys:
            spent = deltas[key]
            row = existing.get(key)
            if row is None:
                new.append((*key, *(getattr(spent, name) for name in TIMES)))
            else:
                for name in TIMES:
                    setattr(row, name, getattr(row, name) + getattr(spent, name))
                await row.save(using_db=connection)
            for reason, seconds in spent.pauses.items():
                paused = pauses.get((*key, reason[:128]))
                if paused is None:
                    new_pauses.append((*key, reason[:128], seconds))
                else:
                    paused.seconds += seconds
                    await paused.save(using_db=connection)
        await insert_rows("agent_intervals", ("slot", "agent", *TIMES), new, connection)
        await insert_rows("agent_pause_intervals", ("slot", "agent", "reason", "seconds"),
                          new_pauses, connection)  # fmt: skip


async def agent_totals(
    first: int, end: int, agents: Collection[str] = ()
) -> dict[str, AgentSlotTime]:
    """Each agent's time over [first, end), with the pauses per reason."""
    query = AgentInterval.filter(slot__gte=first, slot__lt=end)
    pauses = AgentPauseInterval.filter(slot__gte=first, slot__lt=end)
    if agents:
        query, pauses = query.filter(agent__in=list(agents)), pauses.filter(agent__in=list(agents))
    totals: dict[str, AgentSlotTime] = defaultdict(AgentSlotTime)
    summed = {name: Sum(name) for name in TIMES}
    for row in (
        await query.annotate(**{f"{n}_sum": s for n, s in summed.items()})
        .group_by("agent")
        .values("agent", *(f"{name}_sum" for name in TIMES))
    ):
        spent = totals[str(row["agent"])]
        for name in TIMES:
            setattr(spent, name, float(row[f"{name}_sum"] or 0.0))
    for row in (
        await pauses.annotate(total=Sum("seconds"))
        .group_by("agent", "reason")
        .values("agent", "reason", "total")
    ):
        totals[str(row["agent"])].pauses[str(row["reason"])] = float(row["total"] or 0.0)
    return dict(sorted(totals.items()))


async def available_per_slot(first: int, end: int) -> dict[int, float]:
    """Seconds agents were logged in and not paused, all agents together, per slot."""
    rows = (
        await AgentInterval.filter(slot__gte=first, slot__lt=end)
        .annotate(logged_in_sum=Sum("logged_in"), paused_sum=Sum("paused"))
        .group_by("slot")
        .values("slot", "logged_in_sum", "paused_sum")
    )
    return {
        int(row["slot"]): float(row["logged_in_sum"] or 0.0) - float(row["paused_sum"] or 0.0)
        for row in rows
    }


async def agent_periods(
    first: int, end: int, granularity: Granularity, zone: ZoneInfo
) -> dict[tuple[datetime, str], AgentSlotTime]:
    """Each agent's time per period of ``granularity`` on the zone's clock over [first, end),
    with the pauses per reason, summed by the database."""
    periods: dict[tuple[datetime, str], AgentSlotTime] = {}

    def spent(moment: int, agent: object) -> AgentSlotTime:
        key = (period_start(moment, granularity, zone), str(agent))
        return periods.setdefault(key, AgentSlotTime())

    sums = {name: "SUM" for name in TIMES}
    for moment, row in await bucket_sums(
        "agent_intervals", sums, "", [], ("agent",), first, end, granularity, zone
    ):
        mine = spent(moment, row["agent"])
        for name in TIMES:
            setattr(mine, name, getattr(mine, name) + float(row[name] or 0.0))
    for moment, row in await bucket_sums(
        "agent_pause_intervals", {"seconds": "SUM"}, "", [], ("agent", "reason"), first, end,
        granularity, zone,
    ):  # fmt: skip
        pauses = spent(moment, row["agent"]).pauses
        reason = str(row["reason"])
        pauses[reason] = pauses.get(reason, 0.0) + float(row["seconds"] or 0.0)
    return dict(sorted(periods.items()))
