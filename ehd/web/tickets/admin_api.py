"""Admin JSON API for the ticket side: filters (validated when saved), mailboxes, sites,
contacts and companies."""

from __future__ import annotations

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.accounts.site_store import save_site
from ehd.crm.directory import EMAIL, save_contact
from ehd.crm.matching import normalise_series
from ehd.db.models import (
    Company,
    Contact,
    KnowledgeArticle,
    Site,
)
from ehd.errors import NotFoundError, ValidationError
from ehd.mailboxes.mailbox_store import save_mailbox
from ehd.phone_numbers import to_e164
from ehd.tickets.filter_store import save_filter
from ehd.tickets.template_store import named, save_template
from ehd.web.auth import require_admin, require_permission
from ehd.web.json_input import json_body
from ehd.web.keys import MAILBOXES

routes = web.RouteTableDef()


@routes.put("/api/ticket-filters/{name}")
async def put_filter(request: web.Request) -> web.StreamResponse:
    """{"rules": [...], "actions": [...], "weight", "continue", "triggers", "site", "active"}"""
    require_admin(request)
    row = await save_filter(request.match_info["name"], await json_body(request))
    return web.json_response({"name": row.name, "active": row.active, **row.definition})


@routes.put("/api/mailboxes/{name}")
async def put_mailbox(request: web.Request) -> web.StreamResponse:
    """An IMAP mailbox: {"host", "port", "security", "username", "password", "folder",
    "after_import", "creation", "site", "active"}; polling restarts with the new settings."""
    require_admin(request)
    box = await save_mailbox(request.match_info["name"][:64], await json_body(request))
    pollers = request.app.get(MAILBOXES)
    if pollers is not None:
        await pollers.restart(box)  # new settings apply at once
    return web.json_response({"name": box.name, "host": box.host, "port": box.port,
                              "folder": box.folder, "active": box.active})  # fmt: skip


@routes.put("/api/sites/{code}")
async def put_site(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    site = await save_site(request.match_info["code"], await json_body(request))
    return web.json_response({"code": site.code, "description": site.description,
                              "phone_number": site.phone_number,
                              "embed_origins": site.embed_origins})  # fmt: skip


@routes.post("/api/companies")
async def create_company(request: web.Request) -> web.StreamResponse:
    """{"name", "org_number", "address", "phone_series": ["08-123 45*", "031-777 88 99"]}"""
    require_permission(request, Permission.CRM_EDIT)
    body = await json_body(request)
    name = str(body.get("name", "")).strip()
    if not name:
        raise ValidationError("a company needs a name", field="name")
    series = []
    for entry in body.get("phone_series", []) or []:
        normalised = normalise_series(str(entry))
        if normalised is None:
            raise ValidationError(f"{entry!r} is not a number or prefix", field="phone_series")
        series.append(normalised)
    company = await Company.create(name=name[:255], org_number=str(body.get("org_number", ""))[:32],
                                   address=str(body.get("address", ""))[:512],
                                   phone_series=series)  # fmt: skip
    return web.json_response({"id": company.id, "name": company.name, "phone_series": series},
                             status=201)  # fmt: skip


@routes.post("/api/contacts")
async def create_contact(request: web.Request) -> web.StreamResponse:
    """{"name", "emails": [...], "phones": [...], "company_id"}"""
    require_permission(request, Permission.CRM_EDIT)
    body = await json_body(request)
    emails = [str(e).strip().lower() for e in body.get("emails", []) or []]
    bad = [e for e in emails if not EMAIL.fullmatch(e)]
    if bad:
        raise ValidationError(f"not an email address: {bad[0]!r}", field="emails")
    phones = []
    for raw in body.get("phones", []) or []:
        number = to_e164(str(raw))
        if number is None:
            raise ValidationError(f"not a phone number: {raw!r}", field="phones")
        phones.append(number)
    company = None
    if body.get("company_id") is not None:
        company = await Company.get_or_none(id=int(body["company_id"]))
        if company is None:
            raise NotFoundError("no such company")
    contact = await save_contact(Contact(name=str(body.get("name", ""))[:255], emails=emails,
                                         phones=phones, company=company))  # fmt: skip
    return web.json_response({"id": contact.id, "emails": emails, "phones": phones}, status=201)


@routes.put("/api/ticket-templates/{name}")
async def put_template(request: web.Request) -> web.StreamResponse:
    """See ``save_template`` for the body."""
    require_admin(request)
    template = await save_template(request.match_info["name"], await json_body(request))
    return web.json_response({"name": template.name, "default_status": template.default_status,
                              "default_priority": template.default_priority})  # fmt: skip


@routes.post("/api/knowledge")
async def create_article(request: web.Request) -> web.StreamResponse:
    """{"title", "answer", "site"}. A filter answers with it by
    {"kind": "auto_reply", "value": "kb:<id>"}."""
    require_admin(request)
    body = await json_body(request)
    title, answer = str(body.get("title", "")).strip(), str(body.get("answer", "")).strip()
    if not title or not answer:
        raise ValidationError("an answer needs a title and a text", field="answer")
    site = None
    if "site" in body:
        site = await named(Site.get_or_none(code=str(body["site"])), body, "site")
    article = await KnowledgeArticle.create(title=title[:255], answer=answer[:8000], site=site)
    return web.json_response({"id": article.id, "title": article.title}, status=201)
