"""SLA policies: the admin screen (a list in the order they are tried, and an editor with
goals, calendar, pause statuses and escalation steps) and the JSON API. Both save through
``ehd.tickets.sla_store``."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from ehd.db.models import Calendar, Role, SlaPolicy, TicketTemplate
from ehd.errors import EhdError
from ehd.tickets.sla import DEFAULT_PAUSE, EscalationAction, Metric
from ehd.tickets.sla_store import policy_by_id, policy_json, save_policy
from ehd.tickets.status import DONE, Priority, Status
from ehd.web.auth import require_admin, require_role
from ehd.web.json_input import json_body
from ehd.web.rendering import render

routes = web.RouteTableDef()
BLANK_STEPS = 2


def _from_form(form: MultiDictProxy[str | Any]) -> dict[str, Any]:
    steps = []
    index = 0
    while f"step_{index}_action" in form:
        action = str(form.get(f"step_{index}_action", ""))
        if action:
            recipients = str(form.get(f"step_{index}_recipients", ""))
            before = str(form.get(f"step_{index}_before", "0")).strip() or "0"
            steps.append({
                "metric": str(form.get(f"step_{index}_metric", "")), "action": action,
                "minutes_before": int(before) if before.isascii() and before.isdigit() else -1,
                "recipients": [r.strip() for r in recipients.split(",") if r.strip()],
            })  # fmt: skip
        index += 1
    return {
        "name": str(form.get("name", "")), "position": str(form.get("position", "0")),
        "active": form.get("active") == "on", "template": str(form.get("template", "")),
        "ticket_type": str(form.get("ticket_type", "")),
        "priority": str(form.get("priority", "")),
        "first_response_minutes": str(form.get("first_response_minutes", "")),
        "resolution_minutes": str(form.get("resolution_minutes", "")),
        "calendar": str(form.get("calendar", "")),
        "pause_statuses": [str(s) for s in form.getall("pause_statuses", [])],
        "escalations": steps,
    }  # fmt: skip


async def _editor(request: web.Request, policy: dict[str, Any], *, error: str = "",
                  saved: bool = False, status: int = 200) -> web.Response:  # fmt: skip
    blank = {"metric": Metric.RESOLUTION.value, "minutes_before": "", "action": "",
             "recipients": []}  # fmt: skip
    return render("admin_sla_policy.html", request, {
        "p": policy, "error": error, "saved": saved,
        "steps": [*policy.get("escalations", []), *[blank] * BLANK_STEPS],
        "templates": await TicketTemplate.all().order_by("name").values_list("name", flat=True),
        "calendars": await Calendar.all().order_by("name").values_list("name", flat=True),
        "priorities": [p.value for p in Priority],
        "statuses": [s.value for s in Status if s not in DONE],
        "metrics": [m.value for m in Metric], "actions": [a.value for a in EscalationAction],
    }, status=status)  # fmt: skip


@routes.get("/admin/sla")
async def policies(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    rows = await SlaPolicy.all().order_by("position", "id").prefetch_related("template", "calendar")
    return render("admin_sla.html", request, {"policies": [policy_json(r) for r in rows]})


@routes.get("/admin/sla/new")
async def new_policy(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    count = await SlaPolicy.all().count()
    return await _editor(request, {"id": None, "name": "", "position": count * 10,
                                   "active": True, "pause_statuses": sorted(DEFAULT_PAUSE),
                                   "escalations": []})  # fmt: skip


@routes.post("/admin/sla/new")
async def create_policy(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    body = _from_form(await request.post())
    try:
        row = await save_policy(None, body)
    except EhdError as err:
        return await _editor(request, {"id": None, **body}, error=err.message, status=err.status)
    raise web.HTTPSeeOther(f"/admin/sla/{row.id}?saved=1")


@routes.get("/admin/sla/{id}")
async def edit_policy(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    row = await policy_by_id(request.match_info["id"])
    return await _editor(request, policy_json(row), saved="saved" in request.query)


@routes.post("/admin/sla/{id}")
async def save_policy_page(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    row = await policy_by_id(request.match_info["id"])
    body = _from_form(await request.post())
    try:
        await save_policy(row, body)
    except EhdError as err:
        return await _editor(request, {"id": row.id, **body}, error=err.message, status=err.status)
    raise web.HTTPSeeOther(f"/admin/sla/{row.id}?saved=1")


@routes.post("/admin/sla/{id}/delete")
async def delete_policy_page(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    row = await policy_by_id(request.match_info["id"])
    await row.delete()
    raise web.HTTPSeeOther("/admin/sla")


@routes.get("/api/sla-policies")
async def list_policies(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    rows = await SlaPolicy.all().order_by("position", "id").prefetch_related("template", "calendar")
    return web.json_response([policy_json(r) for r in rows])


@routes.post("/api/sla-policies")
async def post_policy(request: web.Request) -> web.StreamResponse:
    """See ``save_policy`` for the body."""
    require_admin(request)
    row = await save_policy(None, await json_body(request))
    return web.json_response(policy_json(row), status=201)


@routes.put("/api/sla-policies/{id}")
async def put_policy(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    row = await save_policy(await policy_by_id(request.match_info["id"]), await json_body(request))
    return web.json_response(policy_json(row))


@routes.delete("/api/sla-policies/{id}")
async def delete_policy(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    await (await policy_by_id(request.match_info["id"])).delete()
    return web.json_response({"deleted": True})
