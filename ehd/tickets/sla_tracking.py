"""Ticket SLA in the database: the policies, each ticket's clocks as of now (the one door for
the ticket page, the list, the JSON and REST APIs and the wallboard), and the job that runs
escalation steps when they fall due.

The job does not scan every open ticket: any change to a ticket or an answer on it marks the
ticket *stale* (model signals, so every writer is covered), and each look stores when its next
step falls due, so a run reads only the stale tickets and those due by now.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.signals import post_save

from ehd.accounts.notifications import notify
from ehd.accounts.permissions import Permission, effective
from ehd.calendars.model import CalendarRules
from ehd.calendars.store import ensure_default_calendar, rules_for
from ehd.db.models import (
    Calendar,
    NotificationKind,
    SlaPolicy,
    Ticket,
    TicketChange,
    TicketEntry,
    TicketSlaEscalation,
    TicketTemplate,
    User,
)
from ehd.mail import outbox
from ehd.mail.outbound import Mailer
from ehd.tickets import service
from ehd.tickets.sla import (
    DEFAULT_PAUSE,
    Escalation,
    EscalationAction,
    History,
    Metric,
    Policy,
    Sla,
    choose,
    evaluate,
    raised,
)
from ehd.tickets.status import DONE

log = logging.getLogger(__name__)

# An answer the customer sees: what stops the first-response clock.
ANSWER_KINDS = ("mail_out", "sms_out", "chat_out")
PUBLIC_ANSWER_KINDS = ("solution", "action")
METRIC_NAMES = {Metric.FIRST_RESPONSE: "first response", Metric.RESOLUTION: "resolution"}
BATCH = 500  # tickets per job run; the rest wait for the next one
CHUNK = 2000  # ticket ids per query
WHO = "SLA"  # the changer named in a ticket's history


def policy_of(row: SlaPolicy) -> Policy:
    return Policy(
        id=row.id,
        name=row.name,
        first_response_minutes=row.first_response_minutes,
        resolution_minutes=row.resolution_minutes,
        template_id=row.template_id,
        ticket_type=row.ticket_type,
        priority=row.priority,
        calendar_id=row.calendar_id,
        pause_statuses=frozenset(row.pause_statuses) if row.pause_statuses else DEFAULT_PAUSE,
        escalations=tuple(Escalation.parse(raw) for raw in row.escalations),
    )


async def active_policies() -> list[Policy]:
    rows = await SlaPolicy.filter(active=True).order_by("position", "id")
    return [policy_of(row) for row in rows]


class TicketLike(Protocol):
    """What the clocks read of a ticket (a model row, or a statistics fold's plain row)."""

    @property
    def id(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def ticket_type(self) -> str: ...
    @property
    def template_id(self) -> int | None: ...


@dataclass
class Context:
    """What one look at many tickets shares: the policies, templates and calendars."""

    chain: list[Policy]
    templates: dict[int, TicketTemplate]
    calendars: dict[int | None, CalendarRules]

    def policy(self, ticket: TicketLike) -> Policy | None:
        found = choose(self.chain, ticket.template_id, ticket.ticket_type, ticket.priority)
        template = self.templates.get(ticket.template_id or 0)
        if found is None and template is not None and template.sla_goal_minutes:
            # A template's own goal: resolution within it, in the template's calendar.
            found = Policy(id=0, name=template.name, first_response_minutes=None,
                           resolution_minutes=template.sla_goal_minutes,
                           calendar_id=template.calendar_id)  # fmt: skip
        return found

    async def rules(self, policy: Policy | None, ticket: TicketLike) -> CalendarRules:
        """The policy's calendar, else the template's, else the default one."""
        template = self.templates.get(ticket.template_id or 0)
        own = policy.calendar_id if policy else None
        calendar_id = own or (template.calendar_id if template else None)
        if calendar_id not in self.calendars:
            row = await Calendar.get_or_none(id=calendar_id) if calendar_id else None
            self.calendars[calendar_id] = await rules_for(row or await ensure_default_calendar())
        return self.calendars[calendar_id]


async def context_for(tickets: Sequence[TicketLike]) -> Context:
    ids = {t.template_id for t in tickets if t.template_id}
    templates = {t.id: t for t in await TicketTemplate.filter(id__in=ids)} if ids else {}
    return Context(await active_policies(), templates, {})


async def histories(tickets: Sequence[TicketLike]) -> dict[int, History]:
    """Each ticket's statuses over time and its first answer, in two queries (plain SQL: a
    statistics fold reads the history of thousands of tickets at a time)."""
    ids = [t.id for t in tickets]
    changes: dict[int, list[tuple[datetime, str, str]]] = {i: [] for i in ids}
    first: dict[int, datetime] = {}
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    for chunk in (ids[n : n + CHUNK] for n in range(0, len(ids), CHUNK)):
        marks = ", ".join(f"${n}" if postgres else "?" for n in range(1, len(chunk) + 1))
        rows = await connection.execute_query_dict(
            "SELECT ticket_id, at, old, new FROM ticket_changes WHERE field = 'status' "
            f"AND ticket_id IN ({marks}) ORDER BY at, id", chunk,
        )  # fmt: skip
        for row in rows:
            changes[int(row["ticket_id"])].append((aware(row["at"]), row["old"], row["new"]))
        answers = ", ".join(f"'{kind}'" for kind in ANSWER_KINDS)
        shown = ", ".join(f"'{kind}'" for kind in PUBLIC_ANSWER_KINDS)
        rows = await connection.execute_query_dict(
            "SELECT ticket_id, MIN(created_at) AS first FROM ticket_entries "
            f"WHERE ticket_id IN ({marks}) AND (kind IN ({answers}) "
            f"OR (kind IN ({shown}) AND public)) GROUP BY ticket_id", chunk,
        )  # fmt: skip
        first.update((int(row["ticket_id"]), aware(row["first"])) for row in rows)
    made: dict[int, History] = {}
    for ticket in tickets:
        steps = changes[ticket.id]
        opening = steps[0][1] if steps and steps[0][1] else ticket.status
        statuses = ((ticket.created_at, str(opening)), *((at, new) for at, _, new in steps))
        made[ticket.id] = History(ticket.created_at, statuses, first.get(ticket.id))
    return made


def aware(at: datetime | str) -> datetime:
    if isinstance(at, str):  # SQLite gives the stored text
        at = datetime.fromisoformat(at)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


async def sla_of(tickets: Sequence[Ticket], now: datetime | None = None) -> dict[int, Sla]:
    """The SLA clocks of each ticket that has goals, as of ``now``."""
    if not tickets:
        return {}
    now = now or datetime.now(UTC)
    context = await context_for(tickets)
    chosen = {t.id: p for t in tickets if (p := context.policy(t)) is not None}
    if not chosen:
        return {}
    found = await histories([t for t in tickets if t.id in chosen])
    return {
        t.id: evaluate(chosen[t.id], await context.rules(chosen[t.id], t), found[t.id], now)
        for t in tickets
        if t.id in chosen
    }


async def escalate_due(mailer: Mailer | None, now: datetime | None = None) -> int:
    """Run the escalation steps that are due; returns how many ran."""
    now = now or datetime.now(UTC)
    # A solved or closed ticket's clocks have stopped: nothing of it can fall due.
    await Ticket.filter(sla_stale=True, status__in=[s.value for s in DONE]).update(
        sla_stale=False, sla_next_check_at=None, sla_due_at=None
    )
    tickets = await Ticket.filter(Q(sla_stale=True) | Q(sla_next_check_at__lte=now)).order_by(
        "id").limit(BATCH)  # fmt: skip
    if not tickets:
        return 0
    ids = [t.id for t in tickets]
    # Cleared before the look: a change made during it marks the ticket stale again.
    await Ticket.filter(id__in=ids).update(sla_stale=False)
    slas = await sla_of(tickets, now)
    fired: dict[int, set[str]] = {i: set() for i in ids}
    for ticket_id, step in await TicketSlaEscalation.filter(ticket_id__in=ids).values_list(
        "ticket_id", "step"
    ):
        fired[int(ticket_id)].add(str(step))
    ran = 0
    for ticket in tickets:
        sla = slas.get(ticket.id)
        done = frozenset(fired[ticket.id])
        if sla is not None:
            for step in sla.due(done, now):
                try:
                    await TicketSlaEscalation.create(ticket_id=ticket.id, step=step.key)
                except IntegrityError:  # another process ran it
                    continue
                await _carry_out(ticket, step, mailer)
                fired[ticket.id].add(step.key)
                ran += 1
        upcoming = sla.next_check(frozenset(fired[ticket.id]), now) if sla else None
        due = sla.due_at() if sla else None
        # The breach is itself a moment to look again: the wallboard's counts change then.
        await Ticket.filter(id=ticket.id).update(sla_next_check_at=upcoming, sla_due_at=due)
    return ran


async def _carry_out(ticket: Ticket, step: Escalation, mailer: Mailer | None) -> None:
    goal = METRIC_NAMES[step.metric]
    log.info("ticket %s: SLA step %s", ticket.number, step.key)
    match step.action:
        case EscalationAction.NOTIFY:
            kind = NotificationKind.SLA_AT_RISK if step.minutes_before else (
                NotificationKind.SLA_BREACHED)  # fmt: skip
            details = {"number": str(ticket.number), "subject": ticket.subject, "goal": goal}
            await notify(await _responsible(ticket), kind, details, f"/tickets/{ticket.number}",
                         WHO)  # fmt: skip
        case EscalationAction.MAIL:
            if mailer is None or not mailer.enabled:
                log.warning("ticket %s: no mail server for SLA step %s", ticket.number, step.key)
                return
            when = "will soon miss" if step.minutes_before else "missed"
            subject = f"[SLA] Ticket {ticket.number} {when} its {goal} goal"
            link = f"{mailer.config.web_url.rstrip('/')}/tickets/{ticket.number}"
            text = f"{subject}: {ticket.subject}\n\n{link}\n"
            await outbox.send(mailer, mailer.build(", ".join(step.recipients), subject, text))
        case EscalationAction.RAISE_PRIORITY:
            higher = raised(ticket.priority)
            if higher is not None:
                await service.change(ticket, WHO, "priority", higher)


async def _responsible(ticket: Ticket) -> list[int]:
    """Who hears of it: the ticket's agent; else its group's members; else the supervisors."""
    if ticket.agent_id is not None:
        return [ticket.agent_id]
    if ticket.group_id is not None:
        members = await User.filter(memberships__queue_id=ticket.group_id, active=True)
        if members:
            return [u.id for u in members]
    users = await User.filter(active=True)
    return [u.id for u in users if Permission.STATISTICS in effective(u.role, u.granted, u.revoked)]


async def _mark_stale(ticket_id: int, using_db: BaseDBAsyncClient | None) -> None:
    await Ticket.filter(id=ticket_id).using_db(using_db).update(sla_stale=True)


@post_save(TicketChange)
async def _changed(
    sender: type[TicketChange],
    instance: TicketChange,
    created: bool,
    using_db: BaseDBAsyncClient | None,
    update_fields: list[str],
) -> None:
    if created:
        await _mark_stale(instance.ticket_id, using_db)


@post_save(TicketEntry)
async def _answered(
    sender: type[TicketEntry],
    instance: TicketEntry,
    created: bool,
    using_db: BaseDBAsyncClient | None,
    update_fields: list[str],
) -> None:
    if created and (instance.kind in ANSWER_KINDS or instance.kind in PUBLIC_ANSWER_KINDS):
        await _mark_stale(instance.ticket_id, using_db)
