"""A ticket made by hand from its form, for a customer by address (also reached from a
contact's or a ticket's page with the address filled in)."""

from __future__ import annotations

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.crm.directory import EMAIL, contact_for_email
from ehd.tickets import service
from ehd.tickets.status import Priority
from ehd.web.auth import current_user, require_permission
from ehd.web.rendering import render

routes = web.RouteTableDef()


@routes.get("/tickets/new")
async def new_form(request: web.Request) -> web.StreamResponse:
    """``?email=``: a new ticket for that customer (from their contact or ticket page)."""
    current_user(request)
    form = {"email": request.query.get("email", "")[:254]}
    return render("ticket_new.html", request, {"error": None, "form": form,
                                               "priorities": list(Priority)})  # fmt: skip


@routes.post("/tickets/new")
async def new_submit(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.TICKETS_WORK)
    form = await request.post()
    values = {k: str(form.get(k, "")).strip() for k in ("subject", "description", "email",
                                                          "priority")}  # fmt: skip
    error = "" if values["subject"] else "A ticket needs a subject."
    if values["priority"] not in {p.value for p in Priority}:
        error = "Choose a priority."
    if values["email"] and not EMAIL.fullmatch(values["email"]):
        error = "The customer's email is not an address."
    if error:
        context = {"error": error, "form": values, "priorities": list(Priority)}
        return render("ticket_new.html", request, context, status=400)
    priority = Priority(values["priority"]).value
    contact = await contact_for_email(values["email"], "") if values["email"] else None
    ticket = await service.create_ticket(values["subject"], values["description"], "manual",
                                         contact, [])  # fmt: skip
    await service.change(ticket, me.username, "priority", priority)
    raise web.HTTPSeeOther(f"/tickets/{ticket.number}")
