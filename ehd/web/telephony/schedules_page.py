"""The staffing overview for supervisors: planned logins, a form to add one, and deleting
entries that have not started."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.calendars.store import ensure_default_calendar
from ehd.db.models import AgentSchedule, Role, User
from ehd.errors import ConflictError, EhdError, NotFoundError
from ehd.moments import local_to_iso
from ehd.queueing.login_schedules import plan_login
from ehd.web.auth import require_permission
from ehd.web.rendering import render

routes = web.RouteTableDef()


async def _page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    rows = await AgentSchedule.filter(state__in=("planned", "active")).order_by("starts_at")
    users = {u.id: u for u in await User.filter(active=True).order_by("username")}
    now = datetime.now(UTC)
    entries = [
        {
            "id": row.id,
            "username": users[row.user_id].username if row.user_id in users else "?",
            "starts": row.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "ends": row.ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "number": row.number or "SIP phone",
            "queues": ", ".join(row.queues) or "all",
            "state": row.state,
            "future": row.starts_at > now,
        }
        for row in rows
    ]
    agents = [u.username for u in users.values() if u.role == Role.AGENT]
    context = {"entries": entries, "agents": agents, "zone": zone.key, "error": error}
    return render("schedules.html", request, context, status=status)


@routes.get("/schedules")
async def schedules_page(request: web.Request) -> web.StreamResponse:
    require_permission(request, Permission.STAFFING)
    return await _page(request)


@routes.post("/schedules")
async def add_schedule(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.STAFFING)
    form = await request.post()
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    try:
        starts = local_to_iso(str(form.get("starts_at", "")), zone, "starts_at")
        ends = local_to_iso(str(form.get("ends_at", "")), zone, "ends_at")
        queues = [q.strip() for q in str(form.get("queues", "")).split(",") if q.strip()]
        await plan_login(str(form.get("username", "")), starts, ends,
                         str(form.get("number", "")), queues, me.username)  # fmt: skip
    except EhdError as err:
        return await _page(request, err.message, status=400)
    raise web.HTTPSeeOther("/schedules")


@routes.post("/schedules/{id:[0-9]{1,9}}/delete")
async def remove_schedule(request: web.Request) -> web.StreamResponse:
    require_permission(request, Permission.STAFFING)
    row = await AgentSchedule.get_or_none(id=int(request.match_info["id"]))
    if row is None:
        raise NotFoundError("no such schedule")
    if row.starts_at <= datetime.now(UTC):
        raise ConflictError("only future schedules can be deleted")
    await row.delete()
    raise web.HTTPSeeOther("/schedules")
