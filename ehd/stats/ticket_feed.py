"""Ticket history folded into the daily ticket counters, as it is written: new tickets, status
moves and first answers read from their own tables past a cursor each, so the counters can
always be rebuilt from the history (``rebuild``) and a run never reads a row twice.

A run reads only rows older than ``SETTLE``: on PostgreSQL a transaction that started first may
commit a lower id after a higher one, and a cursor past it would skip it for good.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Min
from tortoise.transactions import in_transaction

from ehd.calendars.store import ensure_default_calendar
from ehd.db.models import StatsCursor, Ticket, TicketChange, TicketDay, TicketEntry
from ehd.stats import ticket_store
from ehd.stats.ticket_figures import (
    Attributes,
    Created,
    FirstAnswer,
    Reopened,
    Solved,
    TicketEvent,
    fold,
)
from ehd.tickets.sla import DEFAULT_PAUSE, Metric, clock_seconds
from ehd.tickets.sla_tracking import ANSWER_KINDS, PUBLIC_ANSWER_KINDS, context_for, histories
from ehd.tickets.status import DONE

log = logging.getLogger(__name__)

BATCH = 5000  # rows of each table per run
SETTLE = timedelta(seconds=10)
_DONE = frozenset(s.value for s in DONE)
R = TypeVar("R", Ticket, TicketChange, TicketEntry)


def attributes(ticket: Ticket) -> Attributes:
    return Attributes(ticket.source, ticket.site_id or 0, ticket.group_id or 0,
                      ticket.agent_id or 0, ticket.template_id or 0)  # fmt: skip


async def _cursor(name: str) -> int:
    row = await StatsCursor.get_or_none(name=name)
    return row.last_id if row else 0


async def _timed(
    tickets: dict[int, Ticket], moments: Sequence[tuple[int, datetime, Metric]]
) -> list[tuple[float, bool | None]]:
    """For each (ticket id, moment, clock): the clock's time then, and whether that was within
    the ticket's SLA goal (None: no goal)."""
    involved = list({ticket_id: tickets[ticket_id] for ticket_id, _, _ in moments}.values())
    context = await context_for(involved)
    found = await histories(involved)
    timed = []
    for ticket_id, at, metric in moments:
        ticket = tickets[ticket_id]
        policy = context.policy(ticket)
        rules = await context.rules(policy, ticket)
        pause = policy.pause_statuses if policy else DEFAULT_PAUSE
        seconds = clock_seconds(metric, rules, found[ticket_id], at, pause)
        goal = policy.goal_minutes(metric) if policy else None
        timed.append((seconds, None if goal is None else seconds <= goal * 60))
    return timed


async def _after(model: type[R], cursor: str) -> list[R]:
    query = model.filter(id__gt=await _cursor(cursor)).order_by("id").limit(BATCH)
    if model is TicketEntry:  # not the texts
        query = query.only("id", "ticket_id", "kind", "public", "created_at")
    return list(await query)


def _settled(rows: list[R], settled: datetime) -> list[R]:
    """The rows up to the first one too new to trust the order of ids around it."""
    kept: list[R] = []
    for row in rows:
        if _moment(row) > settled:
            break
        kept.append(row)
    return kept


def _moment(row: Ticket | TicketChange | TicketEntry) -> datetime:
    match row:
        case Ticket():
            return row.created_at
        case TicketChange():
            return row.at
        case TicketEntry():
            return row.created_at


async def fold_new(zone: ZoneInfo | None = None, now: datetime | None = None) -> int:
    """Fold what was written since the last run; returns how many rows it read."""
    zone = zone or ZoneInfo((await ensure_default_calendar()).timezone)
    settled = (now or datetime.now(UTC)) - SETTLE
    made = _settled(list(await _after(Ticket, "tickets")), settled)
    moves = _settled(list(await _after(TicketChange, "ticket_changes")), settled)
    answers = _settled(list(await _after(TicketEntry, "ticket_answers")), settled)
    status_moves = [m for m in moves if m.field == "status"]
    answering = [e for e in answers if e.kind in ANSWER_KINDS
                 or (e.kind in PUBLIC_ANSWER_KINDS and e.public)]  # fmt: skip
    firsts = await _first_answers(answering)
    ids = {t.id for t in made} | {m.ticket_id for m in status_moves} | {e.ticket_id for e in firsts}
    tickets = {t.id: t for t in await Ticket.filter(id__in=ids)} if ids else {}

    events: list[TicketEvent] = [Created(t.created_at, attributes(t)) for t in made]
    known = [m for m in status_moves if m.ticket_id in tickets]  # the rest were deleted
    reopens = [m for m in known if m.old in _DONE and m.new not in _DONE]
    events += [Reopened(m.at, attributes(tickets[m.ticket_id])) for m in reopens]
    moments = [(m.ticket_id, m.at, Metric.RESOLUTION) for m in known
               if m.old not in _DONE and m.new in _DONE]  # fmt: skip
    moments += [(e.ticket_id, e.created_at, Metric.FIRST_RESPONSE) for e in firsts
                if e.ticket_id in tickets]  # fmt: skip
    timed = await _timed(tickets, moments) if moments else []
    for (ticket_id, at, metric), (seconds, met) in zip(moments, timed, strict=True):
        facts = attributes(tickets[ticket_id])
        match metric:
            case Metric.RESOLUTION:
                events.append(Solved(at, facts, seconds, met))
            case Metric.FIRST_RESPONSE:
                events.append(FirstAnswer(at, facts, seconds, met))

    async with in_transaction() as connection:
        await ticket_store.add(fold(events, zone), connection)
        read = (("tickets", made), ("ticket_changes", moves), ("ticket_answers", answers))
        for name, rows in read:
            if rows:
                await StatsCursor.update_or_create(
                    defaults={"last_id": max(r.id for r in rows)}, name=name, using_db=connection
                )
    return len(made) + len(moves) + len(answers)


async def _first_answers(answering: list[TicketEntry]) -> list[TicketEntry]:
    """Those of the answers that are their ticket's first."""
    if not answering:
        return []
    ids = list({e.ticket_id for e in answering})
    first = dict(
        await TicketEntry.filter(ticket_id__in=ids, id__lte=max(e.id for e in answering))
        .filter(Q(kind__in=ANSWER_KINDS) | Q(kind__in=PUBLIC_ANSWER_KINDS, public=True))
        .group_by("ticket_id").annotate(first=Min("id")).values_list("ticket_id", "first")
    )  # fmt: skip
    return [e for e in answering if first.get(e.ticket_id) == e.id]


async def rebuild(zone: ZoneInfo | None = None, now: datetime | None = None) -> int:
    """Forget the counters and fold the whole history again; returns the rows read."""
    async with in_transaction():
        await TicketDay.all().delete()
        await StatsCursor.filter(name__in=["tickets", "ticket_changes", "ticket_answers"]).delete()
    total = 0
    while read := await fold_new(zone, now):
        total += read
    return total
