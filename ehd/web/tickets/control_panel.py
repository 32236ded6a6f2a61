"""The control panel's ticket options: assign agent, auto assigned, allow delete, and the
fields required before solving or hidden from the ticket views."""

from __future__ import annotations

from aiohttp import web

from ehd.db.models import Role
from ehd.errors import ValidationError
from ehd.tickets.options import HIDEABLE, REQUIRABLE, TicketOptions, save_options, ticket_options
from ehd.web.auth import require_role
from ehd.web.keys import CONFIG
from ehd.web.rendering import render

routes = web.RouteTableDef()


async def _page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    return render("control_panel.html", request, {
        "options": await ticket_options(request.app[CONFIG]), "requirable": list(REQUIRABLE),
        "hideable": HIDEABLE, "error": error, "saved": request.query.get("saved") == "1",
    }, status=status)  # fmt: skip


@routes.get("/admin/settings")
async def settings(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _page(request)


@routes.post("/admin/settings")
async def save(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    form = await request.post()
    options = TicketOptions(
        assign_required=bool(form.get("assign_required")),
        auto_assign=bool(form.get("auto_assign")),
        allow_delete=bool(form.get("allow_delete")),
        required_fields=tuple(str(v) for v in form.getall("required", [])),
        hidden_fields=tuple(str(v) for v in form.getall("hidden", [])),
        hold_automatic_mail=bool(form.get("hold_automatic_mail")),
    )
    try:
        await save_options(options)
    except ValidationError as err:
        return await _page(request, err.message, 400)
    raise web.HTTPSeeOther("/admin/settings?saved=1")
