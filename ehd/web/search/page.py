"""One search box for everything a user may see: tickets by full text (ranked, the match
shown), contacts, companies and calls. Each part uses its feature's own query and scoping."""

from __future__ import annotations

from aiohttp import web
from tortoise.expressions import Q

from ehd.accounts.site_scope import visible_tickets
from ehd.db.models import Ticket
from ehd.phone_numbers import searched_phone
from ehd.tickets.search import marked, matching, snippets
from ehd.web.auth import current_user
from ehd.web.crm.pages import companies_matching, contacts_matching
from ehd.web.rendering import render
from ehd.web.telephony.call_log import visible_calls

routes = web.RouteTableDef()
CUSTOMER_NUMBER_LENGTH = 32
SHOWN = 10  # of each kind; the ticket list and the CRM lists show the rest


@routes.get("/search")
async def search(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    text = request.query.get("q", "").strip()[:100]
    if not text:
        return render("search.html", request, {"q": "", "tickets": [], "contacts": [],
                                               "companies": [], "calls": []})  # fmt: skip
    ranked = await matching(text)
    shown: list[Ticket] = []
    if ranked:
        visible = {t.id: t for t in await visible_tickets(me).filter(id__in=ranked[: SHOWN * 5])}
        shown = [visible[i] for i in ranked if i in visible][:SHOWN]
    found = await snippets(text, [t.id for t in shown])
    tickets = [(t, marked(found.get(t.id, ""))) for t in shown]
    phone = searched_phone(text)
    about = Q(caller_number__contains=phone or text) | Q(caller_name__icontains=text)
    if len(text) <= CUSTOMER_NUMBER_LENGTH:  # a longer text is no keyed-in customer number
        about |= Q(customer_number=text)
    calls = visible_calls(me).filter(about)
    return render("search.html", request, {
        "q": text, "tickets": tickets, "ticket_count": len(ranked),
        "contacts": await contacts_matching(me, text).limit(SHOWN).prefetch_related("company"),
        "companies": await companies_matching(me, text).limit(SHOWN),
        "calls": await calls.order_by("-started_at").limit(SHOWN),
    })  # fmt: skip
