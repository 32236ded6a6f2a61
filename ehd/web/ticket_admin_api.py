"""Admin JSON API for the ticket side: filters (validated when saved), mailboxes, sites,
contacts and companies."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from ehd.crm.matching import normalise_series
from ehd.db.models import Company, Contact, Mailbox, Site, TicketFilter
from ehd.errors import NotFoundError, ValidationError
from ehd.phone_numbers import to_e164
from ehd.tickets.filters import parse_filter
from ehd.web.api_common import current_user, json_body, require_admin

routes = web.RouteTableDef()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@routes.put("/api/ticket-filters/{name}")
async def put_filter(request: web.Request) -> web.StreamResponse:
    """{"rules": [...], "actions": [...], "weight", "continue", "triggers", "site", "active"}"""
    require_admin(request)
    name = request.match_info["name"][:128]
    body = await json_body(request)
    active = bool(body.pop("active", True))
    parse_filter(0, name, body)  # an invalid pattern or field is refused here, not at run time
    row, _ = await TicketFilter.update_or_create(
        name=name, defaults={"definition": body, "active": active}
    )
    return web.json_response({"name": row.name, "active": row.active, **row.definition})


@routes.put("/api/mailboxes/{name}")
async def put_mailbox(request: web.Request) -> web.StreamResponse:
    """An IMAP mailbox: {"host", "port", "security", "username", "password", "folder",
    "after_import", "creation", "site", "active"}. Read at the next start of ehd."""
    require_admin(request)
    name = request.match_info["name"][:64]
    body = await json_body(request)
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
    box, _ = await Mailbox.update_or_create(name=name, defaults=values)
    return web.json_response({"name": box.name, "host": box.host, "port": box.port,
                              "folder": box.folder, "active": box.active})  # fmt: skip


@routes.put("/api/sites/{code}")
async def put_site(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    code = request.match_info["code"]
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,8}", code):
        raise ValidationError("a site ID is 1-8 letters, digits, - or _", field="code")
    body = await json_body(request)
    fields = ("description", "agent_instruction", "email_sender", "greeting")
    values = {k: str(body[k])[:2000] for k in fields if k in body}
    if values.get("email_sender") and not _EMAIL.match(values["email_sender"]):
        raise ValidationError("email_sender is not an address", field="email_sender")
    site, _ = await Site.update_or_create(code=code, defaults=values)
    return web.json_response({"code": site.code, "description": site.description})


@routes.post("/api/companies")
async def create_company(request: web.Request) -> web.StreamResponse:
    """{"name", "org_number", "address", "phone_series": ["08-123 45*", "031-777 88 99"]}"""
    current_user(request)
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
    current_user(request)
    body = await json_body(request)
    emails = [str(e).strip().lower() for e in body.get("emails", []) or []]
    bad = [e for e in emails if not _EMAIL.match(e)]
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
    contact = await Contact.create(name=str(body.get("name", ""))[:255], emails=emails,
                                   phones=phones, company=company)  # fmt: skip
    return web.json_response({"id": contact.id, "emails": emails, "phones": phones}, status=201)
