"""JSON API for tickets: list, create, read (auto-assigned on opening when configured),
change with history, pick next, pick own, notes and replies, and the customer link."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.accounts.site_scope import visible_tickets
from ehd.crm.directory import contact_for_email
from ehd.db.models import QueueMember, Role, Ticket, TicketEntry
from ehd.errors import ConflictError, NotFoundError, ValidationError
from ehd.mail.outbound import MailError
from ehd.tickets import service
from ehd.tickets.assignment import Candidate, pick_next
from ehd.tickets.changes import apply_changes
from ehd.tickets.mail_out import TicketMail
from ehd.tickets.options import REQUIRABLE, ticket_options
from ehd.tickets.search import matching
from ehd.tickets.sla_tracking import sla_of
from ehd.tickets.status import Priority, Status, after_opened_by_agent
from ehd.web.auth import current_user, require_permission
from ehd.web.json_input import json_body
from ehd.web.keys import CONFIG, TICKET_MAIL

routes = web.RouteTableDef()
ENTRY_KINDS = ("note", "action", "solution")


def _visible(data: dict[str, Any], hidden: tuple[str, ...]) -> dict[str, Any]:
    hidden_keys = set(hidden) | {REQUIRABLE.get(name, name) for name in hidden}
    return {key: value for key, value in data.items() if key not in hidden_keys}


def _brief(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "agent_id": ticket.agent_id,
        "group_id": ticket.group_id,
        "locked": ticket.locked,
        "held": ticket.held,
        "custom_fields": ticket.custom_fields,
        "watchers": ticket.watchers,
        "source": ticket.source,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
    }


async def _ticket(request: web.Request) -> Ticket:
    visible = visible_tickets(current_user(request))
    ticket = await visible.get_or_none(number=int(request.match_info["number"]))
    if ticket is None:
        raise NotFoundError("no such ticket")
    return ticket


def _mail(request: web.Request) -> TicketMail:
    return request.app[TICKET_MAIL]


@routes.get("/api/tickets")
async def list_tickets(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    query = visible_tickets(
        me, Ticket.filter(held=request.query.get("held") == "1")
    )  # held: review
    for key in ("status", "priority", "source"):
        if key in request.query:
            query = query.filter(**{key: request.query[key]})
    if "agent" in request.query:
        query = query.filter(agent__username=request.query["agent"])
    if "q" in request.query:
        query = query.filter(id__in=await matching(request.query["q"][:100]))
    rows = await query.order_by("-updated_at").limit(200)
    hidden = (await ticket_options(request.app[CONFIG])).hidden_fields
    return web.json_response({"tickets": [_visible(_brief(t), hidden) for t in rows]})


@routes.post("/api/tickets")
async def create_ticket(request: web.Request) -> web.StreamResponse:
    """A ticket made by hand: {"subject", "description", "email"?, "priority"?}."""
    me = require_permission(request, Permission.TICKETS_WORK)
    body = await json_body(request)
    subject = str(body.get("subject", "")).strip()
    if not subject:
        raise ValidationError("a ticket needs a subject", field="subject")
    email = str(body.get("email") or "").strip().lower()
    contact = await contact_for_email(email, "") if email else None
    ticket = await service.create_ticket(subject, str(body.get("description", "")), "manual",
                                         contact, [])  # fmt: skip
    if "priority" in body:
        await service.change(ticket, me.username, "priority", Priority(body["priority"]).value)
    return web.json_response(_brief(ticket), status=201)


@routes.get("/api/tickets/{number:[0-9]{1,9}}")
async def get_ticket(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    ticket = await _ticket(request)
    options = await ticket_options(request.app[CONFIG])
    opened = after_opened_by_agent(Status(ticket.status), options.auto_assign)
    if opened.value != ticket.status and me.role == Role.AGENT:
        await service.change(ticket, me.username, "status", opened.value)
        if ticket.agent_id is None:
            await service.change(ticket, me.username, "agent_id", me.id)
    entries = await TicketEntry.filter(ticket=ticket).order_by("created_at", "id")
    sla = (await sla_of([ticket])).get(ticket.id)
    return web.json_response({
        **_visible(_brief(ticket), options.hidden_fields),
        "description": ticket.description,
        "sla": {"policy": sla.policy.name, "clocks": [c.as_json() for c in sla.clocks]}
        if sla else None,
        "entries": [{"kind": e.kind, "public": e.public, "author": e.author, "text": e.text,
                     "created_at": e.created_at.isoformat()} for e in entries],
    })  # fmt: skip


@routes.patch("/api/tickets/{number:[0-9]{1,9}}")
async def change_ticket(request: web.Request) -> web.StreamResponse:
    """{"status", "priority", "agent" (username or null), "group", "resting_until",
    "custom_fields": {...}, "watch": true/false, "held": false}"""
    me = require_permission(request, Permission.TICKETS_WORK)
    ticket = await _ticket(request)
    options = await ticket_options(request.app[CONFIG])
    await apply_changes(ticket, me, await json_body(request), options)
    return web.json_response(_brief(ticket))


@routes.post("/api/tickets/{number:[0-9]{1,9}}/pick")
async def pick_own(request: web.Request) -> web.StreamResponse:
    """Take the ticket as your own: it is locked to you."""
    me = require_permission(request, Permission.TICKETS_WORK)
    ticket = await _ticket(request)
    if ticket.agent_id not in (None, me.id) and ticket.locked:
        raise ConflictError("another agent has picked this ticket")
    await service.change(ticket, me.username, "agent_id", me.id)
    await service.change(ticket, me.username, "locked", True)
    return web.json_response(_brief(ticket))


@routes.post("/api/tickets/next")
async def next_ticket(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.TICKETS_WORK)
    groups = {m.queue_id for m in await QueueMember.filter(user=me)}
    rows = await visible_tickets(me).filter(agent_id=None, held=False, status__in=("new", "open"))
    chosen = pick_next(
        (Candidate(t.id, t.group_id, t.agent_id, t.status, t.priority, t.created_at)
         for t in rows), groups,
    )  # fmt: skip
    if chosen is None:
        raise NotFoundError("no ticket is waiting for you")
    ticket = await Ticket.get(id=chosen)
    await service.change(ticket, me.username, "agent_id", me.id)
    if ticket.status == Status.NEW.value:
        await service.change(ticket, me.username, "status", Status.OPEN.value)
    return web.json_response(_brief(ticket))


@routes.post("/api/tickets/{number:[0-9]{1,9}}/entries")
async def add_entry(request: web.Request) -> web.StreamResponse:
    """A note (internal), action or solution: {"kind", "text", "public"}."""
    me = require_permission(request, Permission.TICKETS_WORK)
    ticket = await _ticket(request)
    body = await json_body(request)
    kind = body.get("kind", "note")
    text = str(body.get("text", "")).strip()
    if kind not in ENTRY_KINDS or not text:
        raise ValidationError(f"kind is one of {', '.join(ENTRY_KINDS)}, with text", field="kind")
    public = bool(body.get("public", False)) and kind != "note"  # notes are never public
    entry = await TicketEntry.create(ticket=ticket, kind=kind, public=public,
                                     author=me.username, text=text)  # fmt: skip
    return web.json_response({"id": entry.id, "kind": kind, "public": public}, status=201)


@routes.post("/api/tickets/{number:[0-9]{1,9}}/reply")
async def reply(request: web.Request) -> web.StreamResponse:
    """Answer the customer by mail: {"text", "children": true to answer a master's children
    with the same text, "close": true to close them all}."""
    me = require_permission(request, Permission.TICKETS_WORK)
    ticket = await _ticket(request)
    body = await json_body(request)
    text = str(body.get("text", "")).strip()
    if not text:
        raise ValidationError("write a reply", field="text")
    targets = [ticket]
    if body.get("children"):
        targets += list(await Ticket.filter(master=ticket).exclude(status="closed"))
    done = Status.CLOSED if body.get("close") else Status.WITH_CONTACT
    sent = []
    for target in targets:
        try:
            entry = await _mail(request).reply(target, text, me)
        except MailError as err:
            raise ConflictError(f"ticket {target.number}: {err}") from err
        await service.change(target, me.username, "status", done.value)
        delivery = await _mail(request).delivery(entry)
        sent.append({"ticket": target.number, "message_id": entry.message_id,
                     "delivery": delivery.value if delivery else "sent"})  # fmt: skip
    return web.json_response({"message_id": sent[0]["message_id"], "sent": sent}, status=201)


@routes.get("/api/tickets/{number:[0-9]{1,9}}/link")
async def customer_link(request: web.Request) -> web.StreamResponse:
    """The customer's link: whoever holds it acts as the customer, so only those who work
    tickets get it (not read-only users)."""
    require_permission(request, Permission.TICKETS_WORK)
    ticket = await _ticket(request)
    return web.json_response({"url": _mail(request).link(ticket)})
