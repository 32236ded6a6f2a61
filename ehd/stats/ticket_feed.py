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
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.expressions import Q
from tortoise.functions import Min
from tortoise.transactions import in_transaction

from ehd.calendars.store import ensure_default_calendar
from ehd.db.models import StatsCursor, TicketDay, TicketDaySlice, TicketEntry
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
from ehd.tickets.sla_tracking import (
    ANSWER_KINDS,
    CHUNK,
    PUBLIC_ANSWER_KINDS,
    aware,
    context_for,
    histories,
)
from ehd.tickets.status import DONE

log = logging.getLogger(__name__)

BATCH = 5000  # rows of each table per run
SETTLE = timedelta(seconds=10)
_DONE = frozenset(s.value for s in DONE)


class TicketRow(NamedTuple):
    id: int
    created_at: datetime
    status: str
    priority: str
    ticket_type: str
    source: str
    site_id: int | None
    group_id: int | None
    agent_id: int | None
    template_id: int | None


class ChangeRow(NamedTuple):
    id: int
    ticket_id: int
    field: str
    old: str
    new: str
    at: datetime


class EntryRow(NamedTuple):
    id: int
    ticket_id: int
    kind: str
    public: bool
    created_at: datetime


# Read as plain rows (a fold reads thousands; model objects cost most of its time).
TICKETS = ("tickets", TicketRow, "created_at")
CHANGES = ("ticket_changes", ChangeRow, "at")
ENTRIES = ("ticket_entries", EntryRow, "created_at")
Row = TypeVar("Row", TicketRow, ChangeRow, EntryRow)


def attributes(ticket: TicketRow) -> Attributes:
    return Attributes(ticket.source, ticket.site_id or 0, ticket.group_id or 0,
                      ticket.agent_id or 0, ticket.template_id or 0)  # fmt: skip


async def _cursor(name: str) -> int:
    row = await StatsCursor.get_or_none(name=name)
    return row.last_id if row else 0


async def _select(
    table: tuple[str, type[Row], str], where: str, values: Sequence[Any]
) -> list[Row]:
    name, kind, moment = table
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":  # $1, $2, … for "?"
        pieces = where.split("?")
        where = "".join(f"{piece}${n}" for n, piece in enumerate(pieces[:-1], 1)) + pieces[-1]
    columns = kind._fields
    rows = await connection.execute_query_dict(
        f"SELECT {', '.join(columns)} FROM {name} WHERE {where}", list(values)
    )
    made = []
    for row in rows:
        row[moment] = aware(row[moment])
        if "public" in row:
            row["public"] = bool(row["public"])
        made.append(kind(**row))
    return made


async def _after(table: tuple[str, type[Row], str], cursor: str) -> list[Row]:
    return await _select(table, f"id > ? ORDER BY id LIMIT {BATCH}", [await _cursor(cursor)])


async def _tickets(ids: set[int]) -> dict[int, TicketRow]:
    found: dict[int, TicketRow] = {}
    ordered = sorted(ids)
    for chunk in (ordered[n : n + CHUNK] for n in range(0, len(ordered), CHUNK)):
        marks = ", ".join("?" for _ in chunk)
        found.update((t.id, t) for t in await _select(TICKETS, f"id IN ({marks})", chunk))
    return found


async def _timed(
    tickets: dict[int, TicketRow], moments: Sequence[tuple[int, datetime, Metric]]
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


def _settled(rows: list[Row], settled: datetime) -> list[Row]:
    """The rows up to the first one too new to trust the order of ids around it."""
    kept: list[Row] = []
    for row in rows:
        if _moment(row) > settled:
            break
        kept.append(row)
    return kept


def _moment(row: TicketRow | ChangeRow | EntryRow) -> datetime:
    match row:
        case TicketRow():
            return row.created_at
        case ChangeRow():
            return row.at
        case EntryRow():
            return row.created_at


async def fold_new(zone: ZoneInfo | None = None, now: datetime | None = None) -> int:
    """Fold what was written since the last run; returns how many rows it read."""
    zone = zone or ZoneInfo((await ensure_default_calendar()).timezone)
    settled = (now or datetime.now(UTC)) - SETTLE
    made = _settled(await _after(TICKETS, "tickets"), settled)
    moves = _settled(await _after(CHANGES, "ticket_changes"), settled)
    answers = _settled(await _after(ENTRIES, "ticket_answers"), settled)
    status_moves = [m for m in moves if m.field == "status"]
    answering = [e for e in answers if e.kind in ANSWER_KINDS
                 or (e.kind in PUBLIC_ANSWER_KINDS and e.public)]  # fmt: skip
    firsts = await _first_answers(answering)
    tickets = await _tickets({m.ticket_id for m in status_moves} | {e.ticket_id for e in firsts})
    tickets.update((t.id, t) for t in made)

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


async def _first_answers(answering: list[EntryRow]) -> list[EntryRow]:
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
        await TicketDaySlice.all().delete()
        await StatsCursor.filter(name__in=["tickets", "ticket_changes", "ticket_answers"]).delete()
    total = 0
    while read := await fold_new(zone, now):
        total += read
    return total
