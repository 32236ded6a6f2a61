"""Admin screens for ticket templates: defaults (status, priority, response group, site,
calendar, SLA goal), guidance for agents (description, types with instructions, steps,
suggested solutions) and the rule rows that choose the template for new tickets."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from ehd.db.models import Calendar, Queue, Role, Site, TicketTemplate
from ehd.errors import EhdError, NotFoundError
from ehd.tickets.filters import Field
from ehd.tickets.status import Priority, Status
from ehd.tickets.template_store import save_template
from ehd.web.auth import require_role
from ehd.web.new_names import new_name_problem
from ehd.web.rendering import render
from ehd.web.tickets.rule_rows import rule_rows
from ehd.web.tickets.template_form import template_from_form

routes = web.RouteTableDef()
BLANK_ROWS = 2


async def _template_view(template: TicketTemplate) -> dict[str, Any]:
    """The stored template in the editor's (and ``save_template``'s) form."""
    await template.fetch_related("group", "site", "calendar")
    return {
        "subject": template.subject, "description": template.description,
        "solution": template.solution, "suggested_solutions": template.suggested_solutions,
        "types": template.types, "steps": template.steps,
        "sla_goal_minutes": template.sla_goal_minutes,
        "default_status": template.default_status,
        "default_priority": template.default_priority,
        "group": template.group.name if template.group else "",
        "site": template.site.code if template.site else "",
        "calendar": template.calendar.name if template.calendar else "",
        "match_rules": template.match_rules,
    }  # fmt: skip


async def _editor(request: web.Request, name: str, body: dict[str, Any], *, new: bool = False,
                  error: str = "", saved: bool = False,
                  status: int = 200) -> web.Response:  # fmt: skip
    rules = rule_rows((body.get("match_rules") or {}).get("rules"))
    blank_rule = {"field": Field.SUBJECT.value, "negate": False, "words": ""}
    return render("admin_template.html", request, {
        "name": name, "t": body, "new": new, "error": error, "saved": saved,
        "rules": rules + [blank_rule] * BLANK_ROWS, "fields": [f.value for f in Field],
        "suggestions": [*body.get("suggested_solutions", []), ""],
        "steps": [*body.get("steps", []), *[""] * BLANK_ROWS],
        "types": [*body.get("types", []), {"name": "", "instruction": ""}],
        "statuses": [s.value for s in Status], "priorities": [p.value for p in Priority],
        "choices": {
            "group": await Queue.all().order_by("name").values_list("name", flat=True),
            "site": await Site.all().order_by("code").values_list("code", flat=True),
            "calendar": await Calendar.all().order_by("name").values_list("name", flat=True),
        },
    }, status=status)  # fmt: skip


async def _list(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    rows = await TicketTemplate.all().order_by("name").prefetch_related("group", "site")
    return render("admin_templates.html", request, {
        "templates": [(row, rule_rows(row.match_rules.get("rules"))) for row in rows],
        "error": error,
    }, status=status)  # fmt: skip


@routes.get("/admin/templates")
async def templates(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _list(request)


@routes.post("/admin/templates")
async def create(request: web.Request) -> web.StreamResponse:
    """A new template starts as a page to fill in; it is stored when saved."""
    require_role(request, Role.ADMIN)
    name = str((await request.post()).get("name", "")).strip()
    problem = await new_name_problem(name, TicketTemplate, "template", 128)
    if problem:
        return await _list(request, *problem)
    defaults = {"default_status": Status.NEW.value, "default_priority": Priority.MEDIUM.value}
    return await _editor(request, name, defaults, new=True)


@routes.get("/admin/templates/{name}")
async def editor(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    template = await TicketTemplate.get_or_none(name=request.match_info["name"])
    if template is None:
        raise NotFoundError("no such template")
    return await _editor(request, template.name, await _template_view(template),
                         saved="saved" in request.query)  # fmt: skip


@routes.post("/admin/templates/{name}")
async def save(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    name = request.match_info["name"]
    body = template_from_form(await request.post())
    try:
        await save_template(name, body)
    except EhdError as err:  # shown with the rows as typed
        new = not await TicketTemplate.exists(name=name)
        return await _editor(request, name, body, new=new, error=err.message, status=err.status)
    raise web.HTTPSeeOther(f"/admin/templates/{quote(name, safe='')}?saved=1")


@routes.post("/admin/templates/{name}/delete")
async def delete(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    if not await TicketTemplate.filter(name=request.match_info["name"]).delete():
        raise NotFoundError("no such template")
    raise web.HTTPSeeOther("/admin/templates")
