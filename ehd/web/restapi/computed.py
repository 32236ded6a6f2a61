"""The REST API's computed answers: caller lookup, contact search and status, per-user and
per-queue statistics, and the ``info_type`` figures of queues, sites and companies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from ehd.crm.directory import match_phone
from ehd.db.models import CallRecord, Company, Contact, Queue, Site, Ticket, TicketChange, User
from ehd.errors import NotFoundError, ValidationError
from ehd.phone_numbers import to_e164
from ehd.stats.queries import call_figures, ticket_counts
from ehd.tickets.sla_tracking import sla_of
from ehd.tickets.status import DONE
from ehd.web.restapi.query import Condition, Kind, Op, Selection

PERIOD_FIELDS = {"day": Kind.TIME, "username": Kind.TEXT, "queue": Kind.TEXT}
DEFAULT_GOAL_SECONDS = 20.0


def period(
    conditions: Iterable[Condition], now: datetime | None = None
) -> tuple[datetime, datetime]:
    """``day:ge`` / ``day:le`` / ``day=`` give the days counted; today when none is given."""
    now = now or datetime.now(UTC)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    for condition in conditions:
        if condition.field != "day" or not isinstance(condition.value, datetime):
            continue
        day = condition.value.replace(hour=0, minute=0, second=0, microsecond=0)
        if condition.op in (Op.EQ, Op.GE):
            start = day
        if condition.op is Op.GT:
            start = day + timedelta(days=1)
        if condition.op in (Op.EQ, Op.LE):
            end = day + timedelta(days=1)
        if condition.op is Op.LT:
            end = day
    if end <= start:
        raise ValidationError("the period ends before it starts", field="day")
    return start, end


def _equal(conditions: Iterable[Condition], name: str) -> list[str]:
    return [str(c.value) for c in conditions if c.field == name and c.op is Op.EQ]


async def userstats(selection: Selection) -> list[dict[str, Any]]:
    """Three grouped queries whatever the number of users (one query per user took over a
    second at a million tickets)."""
    start, end = period(selection.conditions)
    users = User.filter(active=True)
    if names := _equal(selection.conditions, "username"):
        users = users.filter(username__in=names)
    chosen = await users.order_by("username").limit(selection.limit)
    usernames = [user.username for user in chosen]
    calls = {
        str(row["agent"]): (int(row["answered"]), float(row["talk"] or 0.0))
        for row in await CallRecord.filter(
            agent__in=usernames, started_at__gte=start, started_at__lt=end, result="answered"
        )
        .annotate(answered=Count("id"), talk=Sum("talk_seconds"))
        .group_by("agent")
        .values("agent", "answered", "talk")
    }
    solved = {
        str(row["who"]): int(row["solved"])
        for row in await TicketChange.filter(
            who__in=usernames,
            field="status",
            at__gte=start,
            at__lt=end,
            new__in=[s.value for s in DONE],
        )  # fmt: skip
        .annotate(solved=Count("id"))
        .group_by("who")
        .values("who", "solved")
    }
    answers = []
    for user in chosen:
        answered, talk = calls.get(user.username, (0, 0.0))
        answers.append({
            "username": user.username, "name": user.name, "from": start.isoformat(),
            "to": end.isoformat(), "answered_calls": answered,
            "talk_seconds": round(talk, 1),
            "avg_talk_seconds": round(talk / answered, 1) if answered else None,
            "tickets_solved": solved.get(user.username, 0),
        })  # fmt: skip
    return answers


async def teamstats(selection: Selection) -> list[dict[str, Any]]:
    start, end = period(selection.conditions)
    queues = Queue.all()
    if names := _equal(selection.conditions, "queue"):
        queues = queues.filter(name__in=names)
    answers = []
    for queue in await queues.order_by("name").limit(selection.limit):
        calls = CallRecord.filter(queue_name=queue.name, started_at__gte=start, started_at__lt=end)
        answers.append({"queue": queue.name, "from": start.isoformat(), "to": end.isoformat(),
                        "sl_goal_seconds": queue.sl_goal_seconds,
                        **await call_figures(calls, queue.sl_goal_seconds)})  # fmt: skip
    return answers


def _contact(contact: Contact) -> dict[str, Any]:
    return {"id": contact.id, "name": contact.name, "emails": contact.emails,
            "phones": contact.phones, "company_id": contact.company_id}  # fmt: skip


async def crm_aid(query: Mapping[str, str]) -> dict[str, Any]:
    """Who is calling from ``aid`` (the A-number): the contact, else the company."""
    aid = query.get("aid", "")
    e164 = to_e164(aid)
    if e164 is None:
        raise ValidationError("aid is the caller's phone number", field="aid")
    match = await match_phone(e164)
    contact = await Contact.get_or_none(id=match.contact_id) if match and match.contact_id else None
    company = await Company.get_or_none(id=match.company_id) if match and match.company_id else None
    return {"aid": e164, "contact": _contact(contact) if contact else None,
            "company": {"id": company.id, "name": company.name} if company else None}  # fmt: skip


async def crm_contactsearch(query: Mapping[str, str], limit: int) -> list[dict[str, Any]]:
    """Contacts whose name, email or phone contains ``q`` (at least 2 characters)."""
    text = query.get("q", "").strip()
    if len(text) < 2 or len(text) > 100:
        raise ValidationError("q is 2 to 100 characters to look for", field="q")
    found = Contact.filter(
        Q(name__icontains=text) | Q(points__value__icontains=text.lower())
    ).distinct()
    return [_contact(c) for c in await found.order_by("name", "id").limit(limit)]


async def crm_contactstatus(contact_id: int) -> dict[str, Any]:
    """What is going on with a contact: open and all tickets, calls, the latest of each."""
    contact = await Contact.get_or_none(id=contact_id)
    if contact is None:
        raise NotFoundError(f"no contact {contact_id}")
    tickets = Ticket.filter(contact=contact)
    done = [s.value for s in DONE]
    last_ticket = await tickets.order_by("-updated_at").first()
    last_call = await CallRecord.filter(contact=contact).order_by("-started_at").first()
    return {
        **_contact(contact),
        "open_tickets": await tickets.exclude(status__in=done).count(),
        "tickets": await tickets.count(),
        "calls": await CallRecord.filter(contact=contact).count(),
        "last_ticket": {"number": last_ticket.number, "status": last_ticket.status}
        if last_ticket else None,
        "last_call_at": last_call.started_at.isoformat() if last_call else None,
    }  # fmt: skip


async def info(resource: str, item: Any, info_type: str, live: Mapping[str, Any]) -> Any:
    """``info_type`` figures for one queue, site or company (today's calls, live state), or a
    ticket's SLA clocks."""
    if resource == "tickets":  # info_type=sla
        sla = (await sla_of([item])).get(item.id)
        if sla is None:
            return {"policy": None, "clocks": []}
        return {"policy": sla.policy.name, "clocks": [clock.as_json() for clock in sla.clocks]}
    start, end = period(())
    today = CallRecord.filter(started_at__gte=start, started_at__lt=end)
    if resource == "queues":
        now = live.get(item.name, {"waiting": 0, "agents_logged_in": 0})
        calls = await call_figures(today.filter(queue_name=item.name), item.sl_goal_seconds)
        return {"queue": item.name, **now, **calls}
    if resource == "companies":
        return await call_figures(today.filter(company_id=item.id), DEFAULT_GOAL_SECONDS)
    assert isinstance(item, Site)
    tickets = Ticket.filter(site=item)
    if info_type == "pbx_stat":
        # the site's own numbers, and the calls of its companies' people to any number
        of_site = today.filter(Q(site_id=item.id) | Q(company__site=item))
        return await call_figures(of_site, DEFAULT_GOAL_SECONDS)
    if info_type == "status":
        return {"open_tickets": await tickets.exclude(status__in=[s.value for s in DONE]).count()}
    return {"tickets": await ticket_counts(tickets),
            "new_today": await tickets.filter(created_at__gte=start).count()}  # fmt: skip
