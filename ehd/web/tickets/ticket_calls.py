"""Calls filed under a ticket: an agent files the call they are on (or one they took part in)
under a ticket, from the ticket's page or over JSON (``POST /api/calls/{id}/ticket``); the
ticket's page lists its calls, and their recordings play for everyone who may see the
ticket (:mod:`ehd.web.telephony.recordings`)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ehd.accounts.site_scope import visible_tickets
from ehd.calls import records
from ehd.db.models import CallHandling, CallRecord, Role, Ticket, User
from ehd.errors import NotFoundError, PermissionDeniedError, ValidationError
from ehd.plain_numbers import whole_number
from ehd.web.auth import current_user
from ehd.web.json_input import json_body
from ehd.web.keys import QUEUE_SERVICE

routes = web.RouteTableDef()
SHOWN = 50  # the latest calls of a ticket on its page


async def _call_of(user: User, call_id: str) -> CallRecord:
    """The call, once ``user`` may file it: they took part in it, or they supervise."""
    record = await CallRecord.get_or_none(call_id=call_id[:64])
    if record is None:
        raise NotFoundError("no such call")
    took_part = record.agent == user.username or await CallHandling.exists(
        call_id=record.call_id, agent=user.username
    )
    if user.role not in (Role.ADMIN, Role.SUPERVISOR) and not took_part:
        raise PermissionDeniedError("only the call's agents and supervisors may file it")
    return record


async def _ticket_of(user: User, number: object) -> Ticket:
    wanted = whole_number(str(number), low=1) if isinstance(number, (int, str)) else None
    if wanted is None or isinstance(number, bool):
        raise ValidationError('"ticket" must be a ticket number')
    ticket = await visible_tickets(user).get_or_none(number=wanted)
    if ticket is None:
        raise NotFoundError("no such ticket")
    return ticket


@routes.post("/api/calls/{call_id}/ticket")
async def file_call(request: web.Request) -> web.StreamResponse:
    """``{"ticket": 42}``: the call is filed under ticket #42 (a call is under one ticket;
    filing it again moves it)."""
    user = current_user(request)
    body = await json_body(request)
    record = await _call_of(user, request.match_info["call_id"])
    ticket = await _ticket_of(user, body.get("ticket"))
    await records.file_under(record.call_id, ticket.id)
    return web.json_response({"call_id": record.call_id, "ticket": ticket.number})


@routes.post("/tickets/{number:[0-9]{1,9}}/calls")
async def file_current_call(request: web.Request) -> web.StreamResponse:
    """The ticket page's button: the call the agent is on now goes under this ticket."""
    user = current_user(request)
    ticket = await _ticket_of(user, request.match_info["number"])
    form = await request.post()
    record = await _call_of(user, str(form.get("call_id", "")))
    await records.file_under(record.call_id, ticket.id)
    raise web.HTTPSeeOther(f"/tickets/{ticket.number}")


async def calls_context(request: web.Request, ticket: Ticket, user: User) -> dict[str, Any]:
    """For the ticket's page: its calls with their recorded parts, and the call the agent is
    on now (to file it here)."""
    calls = await CallRecord.filter(ticket_id=ticket.id).order_by("-started_at").limit(SHOWN)
    service = request.app[QUEUE_SERVICE].current()
    current = service.controls.of_agent(user.username) if service is not None else None
    filed = {c.call_id for c in calls}
    return {
        "calls": calls,
        "recordings": await records.recordings_of_calls(c.call_id for c in calls),
        "current_call": current.item_id if current and current.item_id not in filed else "",
    }
