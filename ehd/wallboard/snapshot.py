"""One wallboard snapshot: every view's figures at one moment, as plain JSON data."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from tortoise.functions import Avg

from ehd.db.models import (
    CallRecord,
    Queue,
    Site,
    SurveyAnswer,
    SurveyProfile,
    Ticket,
    TicketChange,
    TicketEntry,
    User,
)
from ehd.stats.queries import call_figures_of, midnight
from ehd.tickets.status import DONE, Status
from ehd.wallboard.toplist import CFI_TOP, standings, week_start

ANSWERS = ("mail_out", "sms_out")
RECENT = timedelta(minutes=15)


class LiveQueues(Protocol):
    def figures(self) -> dict[str, dict[str, float]]: ...

    def agent_figures(self) -> dict[str, dict[str, object]]: ...


async def _queues(live: LiveQueues | None, today: datetime) -> dict[str, Any]:
    now = live.figures() if live else {}
    rows, answered, offered, within, total, open_calls = [], 0, 0, 0, 0, 0
    for queue in await Queue.all().order_by("name"):
        calls = CallRecord.filter(queue_name=queue.name, started_at__gte=today)
        figures = await call_figures_of(calls, queue.sl_goal_seconds)
        current = now.get(queue.name, {})
        rows.append({
            "queue": queue.name, "waiting": int(current.get("waiting", 0)),
            "agents_logged_in": int(current.get("agents_logged_in", 0)),
            "avg_queue_seconds": figures.avg_queue_seconds, "service_level": figures.service_level,
            "answered": figures.answered, "lost": figures.lost, "total": figures.total,
        })  # fmt: skip
        answered += figures.answered
        offered += figures.answered + figures.lost
        within += figures.answered_within_goal
        total += figures.total
        open_calls += figures.total - figures.closed
    return {
        "rows": rows,
        "answered_percent": round(100 * answered / open_calls, 1) if open_calls else None,
        "service_level": round(100 * within / offered, 1) if offered else None,
        "total": total,
    }


def _display_name(user: User) -> str:
    return user.alias or user.name or user.username


async def _agents(live: LiveQueues | None, now: datetime, names: dict[str, str]) -> list[Any]:
    states = live.agent_figures() if live else {}
    recent_calls = CallRecord.filter(started_at__gte=now - RECENT, result="answered")
    recent = Counter(
        str(a) for a in await recent_calls.exclude(agent="").values_list("agent", flat=True)
    )
    return [
        {"agent": agent, "name": names.get(agent, agent), "phone": str(figures["device"]),
         "queues": figures["queues"], "calls_15_min": recent.get(agent, 0),
         "state": figures["state"], "seconds_in_state": figures["seconds_in_state"]}
        for agent, figures in sorted(states.items())
    ]  # fmt: skip


async def _cfi_ids() -> list[str]:
    """Survey questions on the 1-5 satisfaction scale (CFI), whatever their profiles call them."""
    ids = []
    for profile in await SurveyProfile.all():
        ids += [str(q.get("id")) for q in profile.questions
                if q.get("low") == 1 and q.get("high") == CFI_TOP]  # fmt: skip
    return ids


async def _toplist(now: datetime, names: dict[str, str]) -> dict[str, Any]:
    start = week_start(now)
    week_calls = CallRecord.filter(started_at__gte=start, result="answered").exclude(agent="")
    answered = Counter(str(a) for a in await week_calls.values_list("agent", flat=True))
    # solved: set to solved or closed by an agent on a ticket that got an answer out
    answered_tickets = set(
        await TicketEntry.filter(kind__in=ANSWERS).values_list("ticket_id", flat=True)
    )
    solved: Counter[str] = Counter()
    for who, ticket_id in await TicketChange.filter(
        field="status", new__in=[s.value for s in DONE], at__gte=start
    ).values_list("who", "ticket_id"):
        if ticket_id in answered_tickets and who in names:
            solved[str(who)] += 1
    cfi = {
        str(row["agent"]): float(row["score"])
        for row in await SurveyAnswer.filter(answered_at__gte=start, question__in=await _cfi_ids())
        .exclude(agent="")
        .annotate(score=Avg("answer"))
        .group_by("agent")
        .values("agent", "score")
    }
    return {
        "from": start.isoformat(),
        "rows": [
            {"agent": s.agent, "name": names.get(s.agent, s.agent), "answered": s.answered,
             "solved": s.solved, "cfi": s.cfi, "value": s.value}
            for s in standings(answered, solved, cfi)
        ],
    }  # fmt: skip


async def _tickets(today: datetime, names: dict[str, str], ids: dict[int, str]) -> list[Any]:
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for agent_id, status in (
        await Ticket.exclude(agent_id=None)
        .exclude(status=Status.CLOSED.value)
        .values_list("agent_id", "status")
    ):
        kind = status if status in ("new", "open") else "other"
        per[ids.get(int(agent_id), "?")][kind] += 1
    for who in await TicketChange.filter(
        field="status", new=Status.CLOSED.value, at__gte=today
    ).values_list("who", flat=True):
        per[str(who)]["closed"] += 1
    last_active: dict[str, datetime] = {}
    for who, at in await TicketChange.filter(at__gte=today).values_list("who", "at"):
        if who in names and (who not in last_active or at > last_active[str(who)]):
            last_active[str(who)] = at
    for author in await TicketEntry.filter(kind__in=ANSWERS, created_at__gte=today).values_list(
        "author", flat=True
    ):
        per[str(author)]["answers"] += 1
    rows = []
    for agent in sorted(set(per) & set(names)):
        counts = per[agent]
        active = last_active.get(agent)
        rows.append({"agent": agent, "name": names[agent], "new": counts["new"],
                     "open": counts["open"], "other": counts["other"],
                     "closed": counts["closed"], "answers": counts["answers"],
                     "last_active": active.isoformat() if active else None})  # fmt: skip
    return rows


async def _sites(today: datetime, now: datetime) -> list[Any]:
    rows = []
    for site in await Site.all().order_by("code"):
        tickets = Ticket.filter(site=site)
        statuses = Counter(str(x) for x in await tickets.values_list("status", flat=True))
        calls = await CallRecord.filter(company__site=site, started_at__gte=today).count()
        rows.append({
            "site": site.code, "description": site.description, "calls_today": calls,
            "new": statuses.get("new", 0), "open": statuses.get("open", 0),
            "resting": statuses.get("resting", 0) + statuses.get("resting_until", 0),
            "new_today": await tickets.filter(created_at__gte=today).count(),
            "new_this_week": await tickets.filter(created_at__gte=week_start(now)).count(),
        })  # fmt: skip
    return rows


SLA_SOON = timedelta(hours=1)  # a goal that runs out within the hour is shown as at risk
SLA_ROWS = 10


async def _sla(now: datetime) -> dict[str, Any]:
    """Tickets by how soon their running SLA clock runs out (``Ticket.sla_due_at``, kept by
    the SLA job): how many have breached, how many will within the hour, and the nearest."""
    going = Ticket.filter(sla_due_at__not_isnull=True).exclude(status__in=[s.value for s in DONE])
    nearest = await going.order_by("sla_due_at", "id").limit(SLA_ROWS).prefetch_related("agent")
    return {
        "breached": await going.filter(sla_due_at__lte=now).count(),
        "soon": await going.filter(sla_due_at__gt=now, sla_due_at__lte=now + SLA_SOON).count(),
        "nearest": [{
            "number": t.number, "subject": t.subject,
            "agent": t.agent.username if t.agent else "",
            "due_at": t.sla_due_at.isoformat() if t.sla_due_at else None,
            "seconds_left": round((t.sla_due_at - now).total_seconds()) if t.sla_due_at else None,
        } for t in nearest],
    }  # fmt: skip


async def snapshot(live: LiveQueues | None, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    today = midnight(now)
    users = await User.filter(active=True)
    names = {u.username: _display_name(u) for u in users}
    ids = {u.id: u.username for u in users}
    return {
        "at": now.isoformat(),
        "queues": await _queues(live, today),
        "agents": await _agents(live, now, names),
        "toplist": await _toplist(now, names),
        "tickets": await _tickets(today, names, ids),
        "sites": await _sites(today, now),
        "sla": await _sla(now),
    }
