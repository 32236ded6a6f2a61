"""CRM screens: contacts and companies, searchable, each with its tickets and calls. A
matched caller's screen pop opens the contact's (or company's) page."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from ehd.accounts.site_scope import visible_companies, visible_contacts, visible_tickets
from ehd.calls import records
from ehd.db.models import CallRecord, Company, Contact, User
from ehd.errors import NotFoundError
from ehd.phone_numbers import searched_phone
from ehd.web.auth import current_user
from ehd.web.rendering import render

routes = web.RouteTableDef()
LIST_SIZE = 100
HISTORY_SIZE = 50


def _search(request: web.Request) -> str:
    return request.query.get("q", "").strip()[:100]


def contacts_matching(me: User, text: str) -> QuerySet[Contact]:
    """Contacts ``me`` may see whose name, email or phone holds ``text`` (a phone however it
    is written), by name."""
    found = visible_contacts(me)
    if text:
        phone = searched_phone(text)
        point = Q(points__value__icontains=(phone or text).lower())
        found = found.filter(Q(name__icontains=text) | point).distinct()
    return found.order_by("name", "id")


def companies_matching(me: User, text: str) -> QuerySet[Company]:
    found = visible_companies(me)
    if text:
        found = found.filter(Q(name__icontains=text) | Q(org_number__icontains=text))
    return found.order_by("name", "id")


@routes.get("/crm/contacts")
async def contacts(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    text = _search(request)
    rows = await contacts_matching(me, text).limit(LIST_SIZE).prefetch_related("company")
    return render("crm_list.html", request, {"kind": "contacts", "rows": rows, "q": text})


@routes.get("/crm/companies")
async def companies(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    text = _search(request)
    rows = await companies_matching(me, text).limit(LIST_SIZE).prefetch_related("site")
    return render("crm_list.html", request, {"kind": "companies", "rows": rows, "q": text})


def _id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if len(raw) > 12:
        raise NotFoundError("no such record")
    return int(raw)


async def _history(me: User, **owner: Contact | Company) -> dict[str, Any]:
    """The latest tickets (those ``me`` may see) and calls of a contact or a company."""
    tickets = visible_tickets(me).filter(**owner).order_by("-updated_at").limit(HISTORY_SIZE)
    calls = await CallRecord.filter(**owner).order_by("-started_at").limit(HISTORY_SIZE)
    recordings = await records.recordings_of_calls(c.call_id for c in calls if c.recording)
    return {"tickets": await tickets, "calls": calls, "recordings": recordings}


@routes.get("/crm/contacts/{id:[0-9]{1,9}}")
async def contact_page(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    contact = await visible_contacts(me).get_or_none(id=_id(request)).prefetch_related("company")
    if contact is None:
        raise NotFoundError("no such contact")
    return render("crm_record.html", request, {
        "contact": contact, "company": contact.company, "people": [],
        **await _history(me, contact=contact),
    })  # fmt: skip


@routes.get("/crm/companies/{id:[0-9]{1,9}}")
async def company_page(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    company = await visible_companies(me).get_or_none(id=_id(request)).prefetch_related("site")
    if company is None:
        raise NotFoundError("no such company")
    people = await Contact.filter(company=company).order_by("name").limit(LIST_SIZE)
    return render("crm_record.html", request, {
        "contact": None, "company": company, "people": people,
        **await _history(me, company=company),
    })  # fmt: skip
