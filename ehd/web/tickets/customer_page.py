"""The customer's ticket page, reached by a signed link without an account: status, the public
history (never internal notes), and a reply form with attachments.

The link works while the ticket is open and ``customer_link_days`` after it was solved or
closed; replies are limited per address, and files in number and size."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from aiohttp import web

from ehd.accounts.login_guard import AttemptLimiter
from ehd.db.models import Ticket, TicketAttachment, TicketEntry
from ehd.errors import (
    EhdError,
    NotFoundError,
    TooManyAttemptsError,
    ValidationError,
)
from ehd.tickets.links import ticket_of
from ehd.tickets.service import customer_reply
from ehd.tickets.status import DONE, Status
from ehd.web.client_address import client_of
from ehd.web.keys import CONFIG, SIGNING_KEY
from ehd.web.rendering import render
from ehd.web.tickets.uploads import uploads_of

routes = web.RouteTableDef()
MAX_TEXT = 20000
MAX_FILES = 5
REPLIES = web.AppKey("customer_replies", AttemptLimiter)  # per address: 5 at once, 2 a minute


class LinkExpiredError(EhdError):
    error_id = "link-expired"
    status = 410


async def _ticket(request: web.Request) -> Ticket:
    number = ticket_of(request.match_info["token"], request.app[SIGNING_KEY])
    ticket = await Ticket.get_or_none(number=number) if number is not None else None
    if ticket is None:
        raise NotFoundError("no such page")  # the same answer for forged and unknown links
    days = request.app[CONFIG].customer_link_days
    if Status(ticket.status) in DONE and ticket.updated_at < datetime.now(UTC) - timedelta(days):
        raise LinkExpiredError("this link has expired; write to us by mail to reopen the matter")
    return ticket


async def _page(request: web.Request, ticket: Ticket, message: str = "") -> web.Response:
    entries = await TicketEntry.filter(ticket=ticket, public=True).order_by("created_at", "id")
    files = await TicketAttachment.filter(ticket=ticket, entry__public=True).values_list(
        "entry_id", "filename"
    )
    by_entry: dict[int, list[str]] = {}
    for entry_id, filename in files:
        by_entry.setdefault(int(entry_id), []).append(str(filename))
    context = {"ticket": ticket, "entries": entries, "files": by_entry, "message": message}
    return render("ticket_public.html", request, context)


@routes.get("/t/{token}")
async def customer_page(request: web.Request) -> web.StreamResponse:
    return await _page(request, await _ticket(request))


@routes.post("/t/{token}")
async def customer_post(request: web.Request) -> web.StreamResponse:
    ticket = await _ticket(request)
    form = await request.post()  # the CSRF token was checked by the session middleware
    text = str(form.get("text", "")).strip()
    if not text:
        raise ValidationError("write a message", field="text")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"the message is longer than {MAX_TEXT} characters", field="text")
    uploads = uploads_of(form, "file", max_files=MAX_FILES)
    if not request.app[REPLIES].spend(client_of(request), time.monotonic()):
        raise TooManyAttemptsError("too many messages at once; try again in a minute",
                                   retry_after=60)  # fmt: skip
    await customer_reply(ticket, text, uploads, request.app[CONFIG].paths.mail)
    return await _page(request, ticket, "Thank you, your message was added.")
