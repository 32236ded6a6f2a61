"""Ticket screens: the overview (filters, columns, grouping; the dispatcher's mass edit; the
personal in-tray), a new ticket, and the ticket page (reply with a status, internal notes with
@mentions, watching, suggested solutions, related tickets with merge).

Forms post and redirect (they work without script); rules live in the service layer and in
``ehd.tickets.changes.apply_changes``, shared with the JSON API.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiMapping
from tortoise.functions import Count, Max, Sum

from ehd.accounts.permissions import Permission, may
from ehd.accounts.site_scope import visible_companies, visible_tickets
from ehd.accounts.workspace import workspace_of
from ehd.calendars.store import ensure_default_calendar
from ehd.crm.directory import EMAIL, contact_for_email
from ehd.db.models import (
    Delivery,
    OutgoingMail,
    Ticket,
    TicketAttachment,
    TicketEntry,
    TicketTemplate,
    User,
)
from ehd.errors import EhdError, NotFoundError, ValidationError
from ehd.mail.outbound import MailError
from ehd.mail.parse import sanitise
from ehd.plain_numbers import row_id
from ehd.tickets import merging
from ehd.tickets.changes import ITIL_PROCESSES, apply_changes
from ehd.tickets.file_store import attach_files
from ehd.tickets.listing import PAGE_SIZES, SORTABLE, Listing, filtered, listing_from, page_of
from ehd.tickets.options import TicketOptions, ticket_options
from ehd.tickets.search import marked, snippets
from ehd.tickets.signatures import signature_for
from ehd.tickets.sla_tracking import sla_of
from ehd.tickets.standard_texts import standard_texts
from ehd.tickets.status import Priority, Status
from ehd.web.auth import current_user, require_permission
from ehd.web.keys import CONFIG, TICKET_MAIL
from ehd.web.middleware import frame_policy
from ehd.web.rendering import render
from ehd.web.tickets.composer import MAX_TEXT, composed_reply
from ehd.web.tickets.files import file_kind, file_url, show_inline_images
from ehd.web.tickets.mentions_out import tell_mentioned
from ehd.web.tickets.remote_images import has_remote_images, proxied
from ehd.web.tickets.shortcuts import run_search, search_query
from ehd.web.tickets.sla_view import clock_views, most_urgent
from ehd.web.tickets.ticket_calls import calls_context
from ehd.web.tickets.uploads import uploads_of

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

COLUMNS = {"number": "No.", "subject": "Subject", "status": "Status", "priority": "Priority",
           "source": "Channel", "agent": "Agent", "contact": "Contact", "updated": "Changed",
           "created": "Created", "sla": "SLA time left"}  # fmt: skip
DEFAULT_COLUMNS = ("number", "subject", "status", "agent", "sla", "updated")
GROUPS = {"status": "Status", "source": "Channel", "agent": "Agent", "contact": "Contact"}
CUSTOMER_KINDS = ("mail_in", "customer", "sms_in", "chat_in")  # what the customer wrote
COMPANY_CHOICES = 500  # a ticket page offers this many companies by name
SOURCES = ("manual", "email", "form", "sms", "phone", "chat", "social")


def _row(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
        "priority": ticket.priority, "source": ticket.source,
        "agent": ticket.agent.username if ticket.agent else "",
        "contact": ticket.contact.name if ticket.contact else "",
        "updated": ticket.updated_at.strftime("%Y-%m-%d %H:%M"),
        "created": ticket.created_at.strftime("%Y-%m-%d %H:%M"),
    }  # fmt: skip


def _link(query: MultiMapping[str], **changed: str) -> str:
    """The overview's address with some parameters changed (a new sort or page)."""
    kept = [(k, v) for k, v in query.items() if k not in changed and k not in ("after", "before")]
    return "/tickets?" + urlencode([*kept, *((k, v) for k, v in changed.items() if v)])


@routes.get("/tickets")
async def overview(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    query = await run_search(me, request.query)
    columns = [c for c in query.getall("col", []) if c in COLUMNS] or list(DEFAULT_COLUMNS)
    group_by = query.get("group", "")
    view = listing_from(query)
    split = query.get("view") == "split"  # the list beside the chosen ticket
    page = await page_of(me, view)
    rows = [_row(t) for t in page.tickets]
    found = await snippets(view.text, [t.id for t in page.tickets]) if view.text else {}
    clocks, zone = {}, ZoneInfo("UTC")
    if "sla" in columns:  # a list without the column reads no clocks
        clocks = await sla_of(page.tickets)
        zone = ZoneInfo((await ensure_default_calendar()).timezone)
    for ticket, row in zip(page.tickets, rows, strict=True):
        row["snippet"] = marked(found.get(ticket.id, ""))
        urgent = most_urgent(clocks.get(ticket.id), zone)
        row["sla"] = urgent.left if urgent else ""
        row["sla_level"] = urgent.level if urgent else ""
        row["sla_due"] = urgent.due if urgent else ""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        key = (str(row[group_by]) or "—") if group_by in GROUPS else ""
        groups[key].append(row)
    agents = await User.filter(active=True).order_by("username").values_list("username", flat=True)
    sort_links = {
        column: _link(query, sort=column,
                      dir="asc" if view.sort == column and view.descending else "desc")
        for column in SORTABLE
    }  # fmt: skip
    return render("tickets.html", request, {
        "rows": rows, "groups": dict(groups), "columns": columns, "all_columns": COLUMNS,
        "group_by": group_by if group_by in GROUPS else "", "all_groups": GROUPS,
        "statuses": [s.value for s in Status], "sources": SOURCES, "agents": list(agents),
        "query": query, "mine": query.get("mine") == "1",
        "dispatcher": may(me, Permission.TICKETS_DISPATCH),
        "may_work": may(me, Permission.TICKETS_WORK),
        "message": query.get("message", ""), "error": query.get("error", ""),
        "self_link": request.path_qs, "search": search_query(query),
        "total": page.total, "view": view, "sort_links": sort_links,
        "next_link": _link(query, after=page.next.token()) if page.next else "",
        "previous_link": _link(query, before=page.previous.token()) if page.previous else "",
        "first_link": _link(query) if page.previous else "", "page_sizes": PAGE_SIZES,
        "split": split, "split_link": _link(query, view="" if split else "split"),
    })  # fmt: skip


async def _options(request: web.Request) -> TicketOptions:
    return await ticket_options(request.app[CONFIG])


def _back(target: str, **values: str) -> web.HTTPSeeOther:
    base = target if target.startswith("/tickets") and not target.startswith("//") else "/tickets"
    separator = "&" if "?" in base else "?"
    return web.HTTPSeeOther(f"{base}{separator}{urlencode(values)}" if values else base)


@routes.post("/tickets/mass")
async def mass_edit(request: web.Request) -> web.StreamResponse:
    """The dispatcher's mass edit: assign, set a status or close the chosen tickets."""
    me = require_permission(request, Permission.TICKETS_DISPATCH)
    form = await request.post()
    back = str(form.get("back", "/tickets"))
    numbers = [n for text in form.getall("number", []) if (n := row_id(str(text)))]
    action = str(form.get("action", ""))
    if not numbers:
        raise _back(back, error="Choose tickets first.")
    changes: dict[str, Any] = {
        "assign": {"agent": str(form.get("agent", ""))},
        "status": {"status": str(form.get("status", ""))},
        "close": {"status": Status.CLOSED.value},
    }.get(action, {})
    if not changes:
        raise _back(back, error="Choose what to do.")
    done, problems = 0, []
    for ticket in await visible_tickets(me).filter(number__in=numbers):
        try:
            await apply_changes(ticket, me, changes, await _options(request))
            done += 1
        except EhdError as err:
            problems.append(f"#{ticket.number}: {err.message}")
    if problems:
        raise _back(back, message=f"{done} changed.", error="; ".join(problems)[:500])
    raise _back(back, message=f"{done} changed.")


async def _ticket(request: web.Request, me: User) -> Ticket:
    number = request.match_info["number"]
    ticket = (
        await visible_tickets(me)
        .get_or_none(number=int(number))
        .prefetch_related("contact", "company", "agent", "template", "site", "group")
    )
    if ticket is None:
        raise NotFoundError("no such ticket")
    return ticket


@routes.get("/tickets/{number:[0-9]{1,9}}")
async def ticket_page(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    ticket = await _ticket(request, me)
    if (
        ticket.agent_id is None
        and workspace_of(me).take_on_open
        and may(me, Permission.TICKETS_WORK)
    ):  # the user's workspace: opening an unassigned ticket makes it theirs
        await apply_changes(ticket, me, {"agent": me.username}, await _options(request))
        ticket = await _ticket(request, me)
    entries = await TicketEntry.filter(ticket=ticket).order_by("created_at", "id")
    attachments = await TicketAttachment.filter(ticket=ticket).order_by("id")
    images_of = row_id(request.query.get("images", ""))  # "show images" of that one message
    blocked: set[int] = set()  # messages whose remote images are not shown
    for entry in entries:  # mail stored before remote images were blocked is shown without them
        inline = {
            a.content_id: a.id for a in attachments if a.entry_id == entry.id and a.content_id
        }
        if entry.html:
            remote = has_remote_images(entry.html)
            shown = sanitise(entry.html, remote_images=remote and images_of == entry.id)
            if remote and images_of == entry.id:
                shown = proxied(shown, ticket.number, entry.id, request.app[TICKET_MAIL].key)
            elif remote:
                blocked.add(entry.id)
            entry.html = show_inline_images(shown, ticket.number, inline)
    outgoing = await OutgoingMail.filter(entry__ticket=ticket).values_list(
        "entry_id", "state", "last_error"
    )
    deliveries = {int(entry_id): (str(state), str(error)) for entry_id, state, error in outgoing}
    files = defaultdict(list)
    for attachment in attachments:
        files[attachment.entry_id].append((file_url(ticket.number, attachment.id),
                                           attachment.filename, attachment.size,
                                           file_kind(attachment.filename)))  # fmt: skip
    related = []
    if ticket.contact is not None:
        related = await visible_tickets(me).filter(contact=ticket.contact).exclude(
            id=ticket.id).order_by("-updated_at").limit(20)  # fmt: skip
    allowed = (await _options(request)).allow_delete
    may_delete = allowed and may(me, Permission.TICKETS_DISPATCH)
    template: TicketTemplate | None = ticket.template
    agents = await User.filter(active=True).order_by("username").values_list("username", flat=True)
    calls = await calls_context(request, ticket, me)
    signature = await signature_for(me, ticket.site_id)
    templates = await TicketTemplate.all().order_by("name").values_list("name", flat=True)
    companies = await visible_companies(me).order_by("name").limit(COMPANY_CHOICES)
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    sla = (await sla_of([ticket])).get(ticket.id)
    page = render("ticket.html", request, {
        "sla": clock_views(sla, zone), "sla_policy": sla.policy.name if sla else "",
        "signature": signature, "templates": list(templates), "companies": companies,
        "standard_texts": await standard_texts(ticket.site_id),
        "last_message": next((e.text for e in reversed(entries) if e.kind in CUSTOMER_KINDS), ""),
        "itil_processes": ITIL_PROCESSES,
        **calls,
        "ticket": ticket, "entries": entries, "files": files, "related": related,
        "blocked_images": blocked,
        "deliveries": deliveries,
        "suggested": template.suggested_solutions if template else [], "template": template,
        "watching": me.id in ticket.watchers, "statuses": [s.value for s in Status],
        "priorities": list(Priority), "agents": list(agents),
        "may_work": may(me, Permission.TICKETS_WORK),
        "may_delete": may_delete,
        "message": request.query.get("message", ""), "error": request.query.get("error", ""),
    })  # fmt: skip
    # The list's side-by-side view shows this page in a frame of our own origin.
    page.headers["Content-Security-Policy"] = frame_policy([])
    return page


def _to_ticket(ticket: Ticket, **values: str) -> web.HTTPSeeOther:
    query = f"?{urlencode(values)}" if values else ""
    return web.HTTPSeeOther(f"/tickets/{ticket.number}{query}")


@routes.post("/tickets/{number:[0-9]{1,9}}/reply")
async def reply(request: web.Request) -> web.StreamResponse:
    """Answer the customer (by mail, or by text to a texter) and set the status at once."""
    me = require_permission(request, Permission.TICKETS_WORK)
    ticket = await _ticket(request, me)
    form = await request.post()
    try:
        text, composed = composed_reply(form)
    except EhdError as err:
        raise _to_ticket(ticket, error=err.message) from err
    if not text:
        raise _to_ticket(ticket, error="Write a reply first.")
    status = str(form.get("status", Status.WITH_CONTACT.value))
    mail = request.app[TICKET_MAIL]
    try:
        entry = await mail.reply(ticket, text, me, composed)
    except MailError as err:
        raise _to_ticket(ticket, error=f"Not sent: {err}") from err
    await attach_files(ticket, entry, composed.files, request.app[CONFIG].paths.mail)
    done = "Reply sent."
    if await mail.delivery(entry) == Delivery.QUEUED:
        done = "Reply saved; the mail server did not answer, so it is sent as soon as it does."
    options = await _options(request)
    after: dict[str, Any] = {"status": status}
    if options.auto_assign and ticket.agent_id is None:  # who answers it, takes it
        after["agent"] = me.username
    if workspace_of(me).watch_on_activity:
        after["watch"] = True
    try:
        await apply_changes(ticket, me, after, options)
    except EhdError as err:
        raise _to_ticket(ticket, message=done, error=err.message) from err
    raise _to_ticket(ticket, message=done)


@routes.post("/tickets/{number:[0-9]{1,9}}/note")
async def note(request: web.Request) -> web.StreamResponse:
    """An internal note, with files; colleagues named as @username hear of it."""
    me = require_permission(request, Permission.TICKETS_WORK)
    ticket = await _ticket(request, me)
    form = await request.post()
    text = str(form.get("text", "")).strip()[:MAX_TEXT]
    if not text:
        raise _to_ticket(ticket, error="Write a note first.")
    try:
        files = uploads_of(form, "file")
    except EhdError as err:
        raise _to_ticket(ticket, error=err.message) from err
    entry = await TicketEntry.create(ticket=ticket, kind="note", public=False,
                                     author=me.username, text=text)  # fmt: skip
    await attach_files(ticket, entry, files, request.app[CONFIG].paths.mail)
    names = await tell_mentioned(request, ticket, entry, me)
    if workspace_of(me).watch_on_activity:
        with contextlib.suppress(EhdError):  # a ticket locked by another: the note still counts
            await apply_changes(ticket, me, {"watch": True}, await _options(request))
    told = f" {', '.join('@' + n for n in names)} told." if names else ""
    raise _to_ticket(ticket, message=f"Note saved.{told}")


@routes.post("/tickets/{number:[0-9]{1,9}}/watch")
async def watch(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    ticket = await _ticket(request, me)
    form = await request.post()
    on = form.get("watch") == "on"
    await apply_changes(ticket, me, {"watch": on}, await _options(request))
    raise _to_ticket(ticket, message="Watching." if on else "No longer watching.")


@routes.post("/tickets/{number:[0-9]{1,9}}/change")
async def change(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.TICKETS_WORK)
    ticket = await _ticket(request, me)
    form = await request.post()
    changes: dict[str, Any] = {k: str(form[k]) for k in ("status", "priority", "agent")
                               if form.get(k)}  # fmt: skip
    changes |= {k: str(form[k]) for k in ("template", "ticket_type", "itil_process", "company")
                if k in form}  # fmt: skip
    try:
        email = str(form.get("contact_email", "")).strip().lower()
        if email and not EMAIL.fullmatch(email):
            raise ValidationError(f"{email} is not an email address", field="contact")
        if email:
            changes["contact"] = (await contact_for_email(email, "")).id
        await apply_changes(ticket, me, changes, await _options(request))
    except EhdError as err:
        raise _to_ticket(ticket, error=err.message) from err
    raise _to_ticket(ticket, message="Saved.")


@routes.post("/tickets/{number:[0-9]{1,9}}/merge")
async def merge(request: web.Request) -> web.StreamResponse:
    """Merge this ticket into another (a related one, or any by its number)."""
    me = require_permission(request, Permission.TICKETS_WORK)
    ticket = await _ticket(request, me)
    form = await request.post()
    into = row_id(str(form.get("number") or form.get("into", "")).strip().lstrip("#"))
    target = None if into is None else await visible_tickets(me).get_or_none(number=into)
    if target is None:
        raise _to_ticket(ticket, error="No such ticket to merge into.")
    try:
        await merging.merge(ticket, target, me)
    except EhdError as err:
        raise _to_ticket(ticket, error=err.message) from err
    raise _to_ticket(target, message=f"Ticket {ticket.number} merged here.")


@routes.get("/api/tickets/inbox")
async def inbox_version(request: web.Request) -> web.StreamResponse:
    """A fingerprint of the user's own open tickets: the personal in-tray reloads its list when
    it changes. Read from the database, so it holds with several web processes."""
    me = current_user(request)
    mine = await filtered(me, Listing(mine=True))  # the in-tray, as the user's workspace says
    # How many, the newest change and the sum of numbers: any ticket arriving, leaving or
    # changing moves one of them, and the (agent, status, updated) index answers all three.
    summed = mine.annotate(count=Count("id"), newest=Max("updated_at"), numbers=Sum("number"))
    rows = await summed.values("count", "newest", "numbers")
    summary = rows[0] if rows else {}
    text = repr(sorted(summary.items()))
    return web.json_response({"version": hashlib.sha256(text.encode()).hexdigest()[:16],
                              "count": summary.get("count") or 0})  # fmt: skip


@routes.post("/tickets/{number:[0-9]{1,9}}/delete")
async def delete(request: web.Request) -> web.StreamResponse:
    """Delete a ticket, when the control panel allows it, as a dispatcher."""
    me = require_permission(request, Permission.TICKETS_DISPATCH)
    ticket = await _ticket(request, me)
    if not (await _options(request)).allow_delete:
        raise _to_ticket(ticket, error="Deleting tickets is turned off in the control panel.")
    log.info("%s deleted ticket %s (%s)", me.username, ticket.number, ticket.subject)
    await ticket.delete()
    raise _back("/tickets", message=f"Ticket {ticket.number} deleted.")
