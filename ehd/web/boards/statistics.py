"""Statistics for supervisors: calls per queue and work per agent over chosen days, with the
same figures as the REST API's teamstats and userstats, and a CSV download for spreadsheets."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.chat import service as chat
from ehd.errors import ValidationError
from ehd.web.auth import require_permission
from ehd.web.rendering import render
from ehd.web.restapi import computed
from ehd.web.restapi.query import Condition, Op, Selection, parse_time

routes = web.RouteTableDef()
MAX_DAYS = 400


def _selection(request: web.Request) -> tuple[Selection, str, str]:
    first = request.query.get("from", "")
    last = request.query.get("to", "")
    conditions = []
    try:
        if first:
            conditions.append(Condition("day", Op.GE, parse_time(first)))
        if last:
            conditions.append(Condition("day", Op.LE, parse_time(last)))
    except ValueError as err:
        raise ValidationError(f"dates: {err}", field="from") from err
    start, end = computed.period(conditions)
    if (end - start).days > MAX_DAYS:
        raise ValidationError(f"choose at most {MAX_DAYS} days", field="from")
    return Selection(tuple(conditions)), _day(start), _day(end, inclusive_end=True)


def _day(moment: datetime, inclusive_end: bool = False) -> str:
    return (moment - timedelta(days=1) if inclusive_end else moment).strftime("%Y-%m-%d")


@routes.get("/statistics")
async def statistics(request: web.Request) -> web.StreamResponse:
    require_permission(request, Permission.STATISTICS)
    try:
        selection, first, last = _selection(request)
    except ValidationError as err:
        return render("statistics.html", request, {"error": err.message, "queues": [],
                                                   "agents": [], "chats": None, "first": "",
                                                   "last": ""}, status=400)  # fmt: skip
    queues = await computed.teamstats(selection)
    agents = await computed.userstats(selection)
    if request.query.get("format") == "csv":
        return _csv(queues, agents, first, last)
    chats = await chat.figures(*computed.period(selection.conditions))
    return render("statistics.html", request, {
        "error": None, "queues": queues, "agents": agents, "chats": chats, "first": first,
        "last": last,
    })  # fmt: skip


QUEUE_COLUMNS = ("queue", "total", "answered", "lost", "closed", "service_level",
                 "avg_queue_seconds", "avg_talk_seconds")  # fmt: skip
AGENT_COLUMNS = ("username", "answered_calls", "talk_seconds", "avg_talk_seconds",
                 "tickets_solved")  # fmt: skip


def _csv(
    queues: list[dict[str, Any]], agents: list[dict[str, Any]], first: str, last: str
) -> web.Response:
    out = io.StringIO()
    writer = csv.writer(out)
    for columns, rows in ((QUEUE_COLUMNS, queues), (AGENT_COLUMNS, agents)):
        writer.writerow(columns)
        writer.writerows([row[column] for column in columns] for row in rows)
        writer.writerow([])
    return web.Response(
        text=out.getvalue(), content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="ehd-{first}-{last}.csv"'},
    )  # fmt: skip
