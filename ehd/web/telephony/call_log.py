"""The call log: calls newest first, a page at a time, with each recorded part playable and
each number a click-to-dial link, filtered by days, direction, number, number dialled, site,
queue, result (and, for supervisors, agent), and downloadable as CSV. Agents see the calls
they handled (any part of them); supervisors and admins see every call.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from ehd.calendars.store import ensure_default_calendar
from ehd.calls import records
from ehd.db.models import CallDirection, CallHandling, CallRecord, Role, Site, User
from ehd.errors import ValidationError
from ehd.plain_numbers import row_id
from ehd.web.auth import current_user
from ehd.web.rendering import render

routes = web.RouteTableDef()

PAGE_SIZE = 50
_NUMBER_PART = re.compile(r"\+?[0-9]{1,20}")
_RESULT = re.compile(r"[a-z_]{1,32}")
CSV_ROWS = 50_000  # the most one download holds (the newest that match)
CSV_COLUMNS = ("call_id", "started", "direction", "number", "dialled", "site", "contact", "queue",
               "agent", "result", "queue_seconds", "talk_seconds", "hold_seconds")  # fmt: skip


def sees_every_call(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.SUPERVISOR)


def visible_calls(user: User) -> QuerySet[CallRecord]:
    """Every call for a supervisor; an agent's own (answered, or handled on the way)."""
    if sees_every_call(user):
        return CallRecord.all()
    handled = Subquery(CallHandling.filter(agent=user.username).values("call_id"))
    return CallRecord.filter(Q(agent=user.username) | Q(call_id__in=handled))


def _filters(request: web.Request, user: User) -> dict[str, str]:
    """The page's query, checked: a bad value is a 400 that says which."""
    keys = ("direction", "number", "agent", "call", "queue", "result", "site", "did", "from", "to")
    query = {key: request.query.get(key, "").strip() for key in keys}
    if len(query["call"]) > 64:
        raise ValidationError("call is a call's id", field="call")
    if len(query["queue"]) > 64:
        raise ValidationError("queue is a queue's name", field="queue")
    if len(query["site"]) > 8:
        raise ValidationError("site is a site's code", field="site")
    if query["did"] and not _NUMBER_PART.fullmatch(query["did"]):
        raise ValidationError("did is the number dialled: digits, maybe with +", field="did")
    if query["result"] and not _RESULT.fullmatch(query["result"]):
        raise ValidationError("result is a word such as answered or abandoned", field="result")
    for key in ("from", "to"):
        if query[key]:
            try:
                date.fromisoformat(query[key])
            except ValueError as err:
                raise ValidationError(f"{key}: a date such as 2026-12-01", field=key) from err
    if query["direction"] and query["direction"] not in {d.value for d in CallDirection}:
        raise ValidationError("direction is in, out or internal", field="direction")
    if query["number"] and not _NUMBER_PART.fullmatch(query["number"]):
        raise ValidationError("number is digits, with an optional leading +", field="number")
    if len(query["agent"]) > 64 or (query["agent"] and not sees_every_call(user)):
        raise ValidationError("agent filters are for supervisors", field="agent")
    return query


@routes.get("/calls")
async def call_log(request: web.Request) -> web.StreamResponse:
    """``?direction=in&number=4670&agent=bob``, ``?call=<call id>`` (one call, e.g. from its
    survey answers); ``?before=<id>`` for the next page."""
    user = current_user(request)
    query = _filters(request, user)
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    calls = visible_calls(user)
    if query["queue"]:
        calls = calls.filter(queue_name=query["queue"])
    if query["result"]:
        calls = calls.filter(result=query["result"])
    if query["site"]:
        site = await Site.get_or_none(code=query["site"])
        calls = calls.filter(site_id=site.id if site else -1)
    if query["did"]:
        calls = calls.filter(did=query["did"])
    if query["from"]:
        calls = calls.filter(started_at__gte=_midnight(query["from"], zone))
    if query["to"]:
        calls = calls.filter(started_at__lt=_midnight(query["to"], zone) + timedelta(days=1))
    if query["direction"]:
        calls = calls.filter(direction=query["direction"])
    if query["number"]:
        calls = calls.filter(caller_number__contains=query["number"])
    if query["agent"]:
        calls = calls.filter(agent=query["agent"])
    if query["call"]:
        calls = calls.filter(call_id=query["call"])
    if request.query.get("format") == "csv":
        return await _csv(calls, zone)
    before = request.query.get("before", "")
    if before:
        cursor = row_id(before)
        if cursor is None:
            raise ValidationError("before is a call's row number", field="before")
        calls = calls.filter(id__lt=cursor)
    rows = await calls.order_by("-id").limit(PAGE_SIZE + 1).prefetch_related("contact")
    page, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    sites = dict(await Site.all().values_list("id", "code"))
    context: dict[str, Any] = {
        "calls": page,
        "sites": sites,
        "query": query,
        "every_call": sees_every_call(user),
        "recordings": await records.recordings_of_calls(c.call_id for c in page),
        "older": _older(query, page[-1].id) if more else "",
        "zone": zone,
        "download": "?" + urlencode({**{k: v for k, v in query.items() if v}, "format": "csv"}),
    }
    return render("call_log.html", request, context)


def _older(query: dict[str, str], before: int) -> str:
    """The next page's address: the same filters, calls before the last one shown."""
    return "?" + urlencode({**{k: v for k, v in query.items() if v}, "before": str(before)})


def _midnight(day: str, zone: ZoneInfo) -> datetime:
    """In UTC: SQLite compares the stored UTC text, so the filter's offset must match."""
    return datetime.combine(date.fromisoformat(day), time(), zone).astimezone(UTC)


async def _csv(calls: QuerySet[CallRecord], zone: ZoneInfo) -> web.Response:
    rows = await calls.order_by("-id").limit(CSV_ROWS).prefetch_related("contact")
    sites = dict(await Site.all().values_list("id", "code"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for call in rows:
        writer.writerow([
            call.call_id, call.started_at.astimezone(zone).isoformat(timespec="seconds"),
            call.direction.value, call.caller_number, call.did, sites.get(call.site_id, ""),
            call.contact.name if call.contact else "",
            call.queue_name, call.agent, call.result,
            *("" if value is None else round(value, 1)
              for value in (call.queue_seconds, call.talk_seconds, call.hold_seconds)),
        ])  # fmt: skip
    return web.Response(
        text=out.getvalue(), content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="ehd-calls.csv"'},
    )  # fmt: skip
