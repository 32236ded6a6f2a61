"""Admin screens for ticket filters: the list in the order they run, and the editor with rows
of rules (all must match; any word of a row may) and rows of actions, weight, triggers, site
and "continue". A filter can be tried on a sample message before it is saved."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from ehd.db.models import Queue, Role, Site, TicketFilter, TicketTemplate, User
from ehd.errors import EhdError, NotFoundError, ValidationError
from ehd.tickets.filter_store import save_filter
from ehd.tickets.filters import ActionKind, Facts, Field, Trigger, parse_filter
from ehd.tickets.status import Priority, Status
from ehd.web.auth import require_role
from ehd.web.new_names import new_name_problem
from ehd.web.rendering import render
from ehd.web.tickets.rule_rows import filter_from_form, rule_rows

routes = web.RouteTableDef()
BLANK_ROWS = 2
SAMPLE = ("subject", "body", "sender", "trigger")  # the message a filter is tried on


def _summary(definition: dict[str, Any]) -> dict[str, str]:
    rules = " AND ".join(("NOT " if r["negate"] else "") + f"{r['field']}: {r['words']}"
                         for r in rule_rows(definition.get("rules")))  # fmt: skip
    actions = ", ".join(f"{a.get('kind')} {a.get('value', '')}".strip()
                        for a in definition.get("actions", []))  # fmt: skip
    return {"rules": rules, "actions": actions}


@routes.get("/admin/filters")
async def filters(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _list(request)


async def _list(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    rows = await TicketFilter.all()
    rows.sort(key=lambda row: (-int(row.definition.get("weight", 0) or 0), row.id))
    return render("admin_filters.html", request, {
        "filters": [(row, _summary(row.definition)) for row in rows], "error": error,
    }, status=status)  # fmt: skip


@routes.post("/admin/filters")
async def create(request: web.Request) -> web.StreamResponse:
    """A new filter starts as a page to fill in; it is stored when its rules are saved."""
    require_role(request, Role.ADMIN)
    name = str((await request.post()).get("name", "")).strip()
    problem = await new_name_problem(name, TicketFilter, "filter", 128)
    if problem:
        return await _list(request, *problem)
    return await _editor(request, name, {"triggers": ["new"], "active": True}, new=True)


async def _editor(request: web.Request, name: str, body: dict[str, Any], *, new: bool = False,
                  error: str = "", status: int = 200, saved: bool = False, tried: str = "",
                  sample: dict[str, str] | None = None) -> web.Response:  # fmt: skip
    rules = rule_rows(body.get("rules"))
    actions = [a for a in body.get("actions", []) if isinstance(a, dict)]
    return render("admin_filter.html", request, {
        "name": name, "f": body, "new": new, "error": error, "tried": tried, "saved": saved,
        "rules": rules + [{"field": Field.TEXT.value, "negate": False, "words": ""}] * BLANK_ROWS,
        "actions": actions + [{"kind": "", "value": ""}] * BLANK_ROWS,
        "fields": [f.value for f in Field], "kinds": [k.value for k in ActionKind],
        "triggers": [t.value for t in Trigger],
        "sites": await Site.all().order_by("code").values_list("code", flat=True),
        "targets": {
            "group": await Queue.all().order_by("name").values_list("name", flat=True),
            "agent": await User.filter(active=True).order_by("username")
                               .values_list("username", flat=True),
            "template": await TicketTemplate.all().order_by("name").values_list("name", flat=True),
            "status": [s.value for s in Status], "priority": [p.value for p in Priority],
        },
        "sample": sample or dict.fromkeys(SAMPLE, ""),
    }, status=status)  # fmt: skip


@routes.get("/admin/filters/{name}")
async def editor(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    row = await TicketFilter.get_or_none(name=request.match_info["name"])
    if row is None:
        raise NotFoundError("no such filter")
    body = {**row.definition, "active": row.active}
    return await _editor(request, row.name, body, saved="saved" in request.query)


@routes.post("/admin/filters/{name}")
async def save(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    name = request.match_info["name"]
    form = await request.post()
    body = filter_from_form(form)
    new = not await TicketFilter.exists(name=name)
    if form.get("try"):
        sample = {key: str(form.get(f"sample_{key}", "")) for key in SAMPLE}
        try:
            verdict = _try(body, sample)
        except EhdError as err:
            return await _editor(request, name, body, new=new, error=err.message, status=400,
                                 sample=sample)  # fmt: skip
        return await _editor(request, name, body, new=new, tried=verdict, sample=sample)
    try:
        await save_filter(name, body)
    except EhdError as err:  # shown with the rows as typed
        return await _editor(request, name, body, new=new, error=err.message, status=err.status)
    raise web.HTTPSeeOther(f"/admin/filters/{quote(name, safe='')}?saved=1")


def _try(body: dict[str, Any], sample: dict[str, str]) -> str:
    """Whether the typed filter matches the sample message: "match" or "no match"."""
    parsed = parse_filter(0, "try", {k: v for k, v in body.items() if k != "active"})
    try:
        trigger = Trigger(sample["trigger"] or Trigger.NEW.value)
    except ValueError as err:
        raise ValidationError("choose new, reply or existing", field="trigger") from err
    facts = Facts(subject=sample["subject"], body=sample["body"], sender=sample["sender"],
                  site=parsed.site)  # fmt: skip
    return "match" if parsed.applies(facts, trigger) else "no match"


@routes.post("/admin/filters/{name}/delete")
async def delete(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    deleted = await TicketFilter.filter(name=request.match_info["name"]).delete()
    if not deleted:
        raise NotFoundError("no such filter")
    raise web.HTTPSeeOther("/admin/filters")
