"""Admin JSON API for the ticket side: filters (validated when saved), mailboxes, sites,
contacts and companies."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.crm.directory import EMAIL, save_contact
from ehd.crm.matching import normalise_series
from ehd.db.models import (
    Company,
    Contact,
    KnowledgeArticle,
    Mailbox,
    Site,
)
from ehd.errors import NotFoundError, ValidationError
from ehd.phone_numbers import to_e164
from ehd.tickets.filter_store import save_filter
from ehd.tickets.template_store import named, save_template
from ehd.web.api_common import json_body, require_admin, require_permission
from ehd.web.contact_form import ORIGIN
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


async def save_mailbox(name: str, body: dict[str, Any]) -> Mailbox:
    """Create or change a mailbox, all values checked first (the caller restarts polling)."""
    if not name.strip():
        raise ValidationError("name the mailbox", field="name")
    values: dict[str, Any] = {}
    for key in ("host", "username", "password", "folder"):
        if key in body:
            values[key] = str(body[key])[:255]
    for key, allowed in (("security", ("tls", "none")), ("after_import", ("delete", "flag")),
                         ("creation", ("auto", "review"))):  # fmt: skip
        if key in body:
            if body[key] not in allowed:
                raise ValidationError(f"{key} is one of {', '.join(allowed)}", field=key)
            values[key] = body[key]
    if "port" in body:
        port = body["port"]
        if not isinstance(port, int) or not 1 <= port <= 65535:
            raise ValidationError("port must be 1-65535", field="port")
        values["port"] = port
    if "active" in body:
        values["active"] = bool(body["active"])
    if "site" in body:
        values["site"] = await Site.get_or_none(code=str(body["site"])) if body["site"] else None
    existing = await Mailbox.get_or_none(name=name)
    if existing is None and not {"host", "username", "password"} <= values.keys():
        raise ValidationError("a new mailbox needs host, username and password")
    if "site" in values and body["site"] and values["site"] is None:
        raise ValidationError(f"no site {body['site']!r}", field="site")
    box, _ = await Mailbox.update_or_create(name=name, defaults=values)
    return box


@routes.put("/api/sites/{code}")
async def put_site(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    site = await save_site(request.match_info["code"], await json_body(request))
    return web.json_response({"code": site.code, "description": site.description,
                              "embed_origins": site.embed_origins})  # fmt: skip


async def save_site(code: str, body: dict[str, Any]) -> Site:
    """Create or change a site: {"description", "agent_instruction", "email_sender",
    "greeting", "embed_origins": ["https://www.example.com"]}."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,8}", code):
        raise ValidationError("a site ID is 1-8 letters, digits, - or _", field="code")
    limits = {"description": 255, "agent_instruction": 2000, "email_sender": 254, "greeting": 64}
    values: dict[str, Any] = {k: str(body[k])[:limit] for k, limit in limits.items() if k in body}
    if values.get("email_sender") and not EMAIL.fullmatch(values["email_sender"]):
        raise ValidationError("email_sender is not an address", field="email_sender")
    if "embed_origins" in body:
        origins = body["embed_origins"]
        if not isinstance(origins, list) or not all(
            isinstance(o, str) and ORIGIN.fullmatch(o) for o in origins
        ):
            raise ValidationError("embed_origins are origins like https://www.example.com "
                                  "(no path)", field="embed_origins")  # fmt: skip
        values["embed_origins"] = list(dict.fromkeys(origins))[:20]
    site, _ = await Site.update_or_create(code=code, defaults=values)
    return site


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
