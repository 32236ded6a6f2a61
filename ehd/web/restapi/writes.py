"""Creating, changing and deleting through the REST API, with the same rules as the screens:
checked values, 409 for a duplicate, and history kept for tickets."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.models import Model

from ehd.accounts.password_policy import Policy
from ehd.accounts.service import create_user
from ehd.crm.directory import EMAIL, save_contact
from ehd.db.models import Company, Contact, Role, Site, Ticket, User
from ehd.errors import ConflictError, ValidationError
from ehd.phone_numbers import to_e164
from ehd.tickets import service
from ehd.tickets.changes import apply_changes
from ehd.tickets.options import TicketOptions
from ehd.tickets.status import Priority
from ehd.web.restapi.query import Kind
from ehd.web.restapi.resources import Resource

SITE_CODE = re.compile(r"[A-Za-z0-9_-]{1,8}")
TYPES: dict[Kind, tuple[type, ...]] = {Kind.TEXT: (str,), Kind.INT: (int,), Kind.BOOL: (bool,),
                                       Kind.FLOAT: (int, float)}  # fmt: skip


def max_length(model: type[Model], path: str) -> int | None:
    """The longest text a column holds; ``path`` may go through relations (``site__code``)."""
    *relations, name = path.split("__")
    for relation in relations:
        related = getattr(model._meta.fields_map.get(relation), "related_model", None)
        if related is None:
            return None
        model = related
    length = getattr(model._meta.fields_map.get(name), "max_length", None)
    return int(length) if length else None


def checked_body(
    body: dict[str, Any], allowed: dict[str, Kind], required: tuple[str, ...], model: type[Model]
) -> dict[str, Any]:
    """The body's values, each of a known field and the right type; else 400 naming it."""
    for name in body:
        if name not in allowed:
            raise ValidationError(f"unknown field {name!r}; allowed: {', '.join(allowed)}",
                                  field=name)  # fmt: skip
    for name in required:
        if name not in body or body[name] in ("", None):
            raise ValidationError(f"{name} is required", field=name)
    values = {}
    for name, value in body.items():
        kind = allowed[name]
        if (
            value is None
            or isinstance(value, bool) is not (kind is Kind.BOOL)
            or not isinstance(value, TYPES[kind])
        ):
            raise ValidationError(f"{name} is a {kind.value}", field=name)
        if isinstance(value, str):
            value = value.strip()
            limit = max_length(model, name)
            if "\x00" in value or (limit and len(value) > limit):
                raise ValidationError(f"{name} is text of at most {limit or 4000} characters "
                                      "without NUL", field=name)  # fmt: skip
        if isinstance(value, int) and not -(2**31) <= value < 2**31:
            raise ValidationError(f"{name} is out of range", field=name)
        values[name] = value
    return values


async def _site(code: str) -> Site | None:
    if not code:
        return None
    site = await Site.get_or_none(code=code) if SITE_CODE.fullmatch(code) else None
    if site is None:
        raise ValidationError(f"no site {code!r}", field="site")
    return site


async def _company(company_id: int | None) -> Company | None:
    if company_id is None:
        return None
    company = await Company.get_or_none(id=company_id)
    if company is None:
        raise ValidationError(f"no company {company_id}", field="company_id")
    return company


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as err:
        raise ValidationError(f"role is one of {', '.join(Role)}", field="role") from err


async def create_user_row(values: dict[str, Any], policy: Policy, admin_min_length: int) -> Model:
    if await User.exists(username=values["username"]):
        raise ConflictError(f"user {values['username']!r} exists")
    return await create_user(
        values["username"], values["password"], name=values.get("name", ""),
        email=values.get("email", ""), role=_role(values.get("role", "agent")),
        language=values.get("language", "en"), policy=policy,
        admin_min_length=admin_min_length,
    )  # fmt: skip


async def update_user(user: Model, values: dict[str, Any], who: str) -> None:
    assert isinstance(user, User)
    if "role" in values:
        values["role"] = _role(values["role"])
    if user.username == who and (values.get("active") is False or
                                 values.get("role", Role.ADMIN) != Role.ADMIN):  # fmt: skip
        raise ConflictError("you cannot lock yourself out of admin access")
    user.update_from_dict(values)
    await user.save()


async def create_site(values: dict[str, Any]) -> Model:
    if not SITE_CODE.fullmatch(values["code"]):
        raise ValidationError("a site ID is 1-8 letters, digits, - or _", field="code")
    if values.get("email_sender") and not EMAIL.fullmatch(values["email_sender"]):
        raise ValidationError("email_sender is not an address", field="email_sender")
    if await Site.exists(code=values["code"]):
        raise ConflictError(f"site {values['code']!r} exists")
    return await Site.create(**values)


async def update_site(site: Model, values: dict[str, Any]) -> None:
    if values.get("email_sender") and not EMAIL.fullmatch(values["email_sender"]):
        raise ValidationError("email_sender is not an address", field="email_sender")
    site.update_from_dict(values)
    await site.save()


async def create_company(values: dict[str, Any]) -> Model:
    site = await _site(values.pop("site", ""))
    if await Company.exists(name=values["name"], site=site):
        raise ConflictError(f"company {values['name']!r} exists")
    return await Company.create(**values, site=site)


async def update_company(company: Model, values: dict[str, Any]) -> None:
    if "site" in values:
        values["site"] = await _site(values["site"])
    company.update_from_dict(values)
    await company.save()


async def create_contact(values: dict[str, Any]) -> Model:
    emails = [values["email"].lower()] if values.get("email") else []
    if emails and not EMAIL.fullmatch(emails[0]):
        raise ValidationError("email is not an address", field="email")
    phones = []
    if values.get("phone"):
        number = to_e164(values["phone"])
        if number is None:
            raise ValidationError("phone is not a phone number", field="phone")
        phones = [number]
    company = await _company(values.get("company_id"))
    return await save_contact(Contact(name=values["name"], emails=emails, phones=phones,
                                      company=company))  # fmt: skip


async def update_contact(contact: Model, values: dict[str, Any]) -> None:
    assert isinstance(contact, Contact)
    if "company_id" in values:
        contact.company = await _company(values.pop("company_id"))
    contact.update_from_dict(values)
    await save_contact(contact)


def _priority(value: str) -> str:
    try:
        return Priority(value).value
    except ValueError as err:
        raise ValidationError(
            f"priority is one of {', '.join(Priority)}", field="priority"
        ) from err


async def create_ticket(values: dict[str, Any], who: str) -> Model:
    contact = None
    if values.get("contact_id") is not None:
        contact = await Contact.get_or_none(id=values["contact_id"])
        if contact is None:
            raise ValidationError(f"no contact {values['contact_id']}", field="contact_id")
    ticket = await service.create_ticket(values["subject"], values.get("description", ""),
                                         "manual", contact, [])  # fmt: skip
    if "priority" in values:
        await service.change(ticket, who, "priority", _priority(values["priority"]))
    return ticket


Creator = Callable[[dict[str, Any]], Awaitable[Model]]


async def create(
    resource: Resource, values: dict[str, Any], who: str, policy: Policy, admin_min_length: int
) -> Model:
    creators: dict[str, Creator] = {
        "users": lambda v: create_user_row(v, policy, admin_min_length), "sites": create_site,
        "companies": create_company, "contacts": create_contact,
        "tickets": lambda v: create_ticket(v, who),
    }  # fmt: skip
    return await creators[resource.name](values)


async def update(
    resource: Resource, item: Model, values: dict[str, Any], me: User, options: TicketOptions
) -> None:
    if resource.name == "tickets":  # the one door for ticket changes: all rules, all or nothing
        assert isinstance(item, Ticket)
        await apply_changes(item, me, values, options)
        return
    if resource.name == "users":
        await update_user(item, values, me.username)
        return
    updaters = {"sites": update_site, "companies": update_company, "contacts": update_contact}
    await updaters[resource.name](item, values)


async def delete(resource: Resource, item: Model, me: User, options: TicketOptions) -> None:
    if resource.name == "users" and item.pk == me.id:
        raise ConflictError("you cannot delete yourself")
    if resource.name == "tickets" and not options.allow_delete:
        raise ConflictError("deleting tickets is turned off in the control panel")
    await item.delete()
