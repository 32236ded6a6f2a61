"""The public contact form: a page sites embed on their own web pages. What a customer sends
becomes a ticket of that site (source "form").

Embedding: the page may be framed only by the origins the site lists (its frame-ancestors),
never by anyone else. It carries no session, so there is nothing for a forged post to
borrow; spam is held back by a hidden field people never fill and by a limit per address.
"""

from __future__ import annotations

import time

from aiohttp import web

from ehd.accounts.login_guard import AttemptLimiter
from ehd.crm.directory import EMAIL, contact_for_email
from ehd.db.models import Site
from ehd.errors import NotFoundError
from ehd.mail.parse import ParsedMail
from ehd.tickets import filters as rules
from ehd.tickets.service import Ingested, change, create_ticket, run_filters
from ehd.web.client_address import client_of
from ehd.web.keys import TICKET_MAIL
from ehd.web.middleware import frame_policy
from ehd.web.rendering import render

routes = web.RouteTableDef()
FORM_SENDS = web.AppKey("contact_form_sends", AttemptLimiter)
MAX_MESSAGE = 20000
FORM_FIELDS = ("name", "email", "subject", "message")


async def _site(request: web.Request) -> Site:
    site = await Site.get_or_none(code=request.match_info["site"])
    if site is None:
        raise NotFoundError("no such form")
    return site


def _page(request: web.Request, site: Site, status: int = 200, **values: object) -> web.Response:
    response = render("contact_form.html", request, {
        "site": site, "form": {}, "error": "", "ticket": None, **values,
    }, status=status)  # fmt: skip
    response.headers["Content-Security-Policy"] = frame_policy(site.embed_origins)
    return response


@routes.get("/form/{site}")
async def form_page(request: web.Request) -> web.StreamResponse:
    return _page(request, await _site(request))


@routes.post("/form/{site}")
async def form_send(request: web.Request) -> web.StreamResponse:
    site = await _site(request)
    form = await request.post()
    values = {key: str(form.get(key, "")).strip() for key in FORM_FIELDS}
    if not request.app[FORM_SENDS].spend(client_of(request), time.monotonic()):
        return _page(request, site, 429, form=values, error="Too many messages; try again soon.")
    if form.get("website"):  # the hidden field: only robots fill it; they are told nothing
        return _page(request, site, ticket=0)
    error = ""
    if not EMAIL.fullmatch(values["email"]):
        error = "Give an email address we can answer."
    elif not values["message"] or len(values["message"]) > MAX_MESSAGE:
        error = f"Write your message (at most {MAX_MESSAGE} characters)."
    if error:
        return _page(request, site, 400, form=values, error=error)
    contact = await contact_for_email(values["email"], values["name"][:255])
    subject = values["subject"][:200] or values["message"].splitlines()[0][:80]
    ticket = await create_ticket(subject, values["message"], "form", contact, [])
    await change(ticket, "form", "site_id", site.id)
    facts = ParsedMail(subject=subject, sender=values["email"], sender_name=values["name"],
                       text=values["message"])  # fmt: skip
    outcome = await run_filters(ticket, facts, rules.Trigger.NEW)
    await request.app[TICKET_MAIL].after_ingest(
        Ingested(ticket.number, True, None, list(outcome.actions))
    )
    return _page(request, site, ticket=ticket.number)
