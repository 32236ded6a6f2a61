"""How a ticket changes: the one door for the ticket page, the JSON API, the dispatcher's mass
edit and the REST API, so the rules (the lock, status moves, required fields, closing children)
are the same everywhere.

A change is checked in full first and only then written, in one transaction: a refused field
never leaves the fields before it saved (``{"status": "solved", "priority": "bogus"}`` used to
answer 400 with the status already changed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from ehd.accounts.notifications import notify
from ehd.accounts.site_scope import visible_companies, visible_contacts
from ehd.db.models import (
    Company,
    Contact,
    NotificationKind,
    Queue,
    Role,
    Ticket,
    TicketTemplate,
    User,
)
from ehd.errors import ValidationError
from ehd.mail.header_text import one_line
from ehd.moments import aware_datetime
from ehd.plain_numbers import row_id
from ehd.tickets import service
from ehd.tickets.assignment import check_agent_change, check_work
from ehd.tickets.options import REQUIRABLE, TicketOptions
from ehd.tickets.status import Priority, Status, check_change

Change = tuple[Ticket, str, object]  # ticket, field, new value
SUBJECT_LENGTH = 512
MAX_CUSTOM_FIELDS, MAX_FIELD_NAME, MAX_FIELD_VALUE = 50, 64, 2000
TYPE_LENGTH = 64
ITIL_PROCESSES = ("", "incident", "problem", "change")


def _supervisor(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.SUPERVISOR)


def missing_fields(ticket: Ticket, required: tuple[str, ...]) -> list[str]:
    return [name for name in required if not getattr(ticket, REQUIRABLE.get(name, name), None)]


async def plan_changes(
    ticket: Ticket, me: User, body: dict[str, Any], options: TicketOptions
) -> list[Change]:
    """Every field write ``body`` asks for, all checked; nothing is written. Raises the first
    rule broken."""
    check_work(me.id, ticket.agent_id, ticket.locked, _supervisor(me))
    planned: list[Change] = []
    if "subject" in body:
        subject = one_line(str(body["subject"]))
        if not subject:
            raise ValidationError("a ticket needs a subject", field="subject")
        if len(subject) > SUBJECT_LENGTH:
            raise ValidationError(f"a subject has at most {SUBJECT_LENGTH} characters",
                                  field="subject")  # fmt: skip
        planned.append((ticket, "subject", subject))
    resting_until = ticket.resting_until
    if "resting_until" in body:
        raw = body["resting_until"]
        resting_until = aware_datetime(raw, "resting_until") if raw else None
        planned.append((ticket, "resting_until", resting_until))
    if "status" in body:
        planned += await _status(ticket, body["status"], resting_until, options)
    if "custom_fields" in body:
        merged = {**ticket.custom_fields, **_custom_fields(body["custom_fields"])}
        if len(merged) > MAX_CUSTOM_FIELDS:
            raise ValidationError(f"a ticket has at most {MAX_CUSTOM_FIELDS} custom fields",
                                  field="custom_fields")  # fmt: skip
        planned.append((ticket, "custom_fields", merged))
    if "watch" in body:  # follow the ticket (or stop): the caller's own choice
        watchers = set(ticket.watchers)
        watchers = watchers | {me.id} if body["watch"] else watchers - {me.id}
        planned.append((ticket, "watchers", sorted(watchers)))
    if body.get("held") is False:  # accepted from the review list
        planned.append((ticket, "held", False))
    if "priority" in body:
        try:
            priority = Priority(str(body["priority"]))
        except ValueError as err:
            raise ValidationError("priority is low, medium or high", field="priority") from err
        planned.append((ticket, "priority", priority.value))
    if "agent" in body:
        agent = await User.get_or_none(username=str(body["agent"])) if body["agent"] else None
        if body["agent"] and agent is None:
            raise ValidationError(f"no user {body['agent']!r}", field="agent")
        check_agent_change(agent.id if agent else None, options.assign_required)
        planned.append((ticket, "agent_id", agent.id if agent else None))
    if "group" in body:
        group = await Queue.get_or_none(name=str(body["group"])) if body["group"] else None
        if body["group"] and group is None:
            raise ValidationError(f"no group {body['group']!r}", field="group")
        planned.append((ticket, "group_id", group.id if group else None))
    planned += await _classification(ticket, body)
    planned += await _customer(ticket, me, body)
    return planned


async def _classification(ticket: Ticket, body: dict[str, Any]) -> list[Change]:
    """The template (with its response group and priority), the type within it and the ITIL
    process."""
    planned: list[Change] = []
    template = None
    if "template" in body:
        name = str(body["template"] or "")
        template = await TicketTemplate.get_or_none(name=name) if name else None
        if name and template is None:
            raise ValidationError(f"no template {name!r}", field="template")
        planned.append((ticket, "template_id", template.id if template else None))
        if template is not None:  # its defaults, unless the same change names them
            if template.group_id is not None and "group" not in body:
                planned.append((ticket, "group_id", template.group_id))
            if "priority" not in body:
                planned.append((ticket, "priority", template.default_priority))
    elif ticket.template_id is not None:
        template = await TicketTemplate.get_or_none(id=ticket.template_id)
    if "ticket_type" in body:
        kind = one_line(str(body["ticket_type"] or ""))[:TYPE_LENGTH]
        known = [t.get("name", "") for t in template.types] if template else []
        if kind and known and kind not in known:
            raise ValidationError(f"the template's types are {', '.join(known)}",
                                  field="ticket_type")  # fmt: skip
        planned.append((ticket, "ticket_type", kind))
    if "itil_process" in body:
        process = str(body["itil_process"] or "")
        if process not in ITIL_PROCESSES:
            raise ValidationError("itil_process is incident, problem, change or empty",
                                  field="itil_process")  # fmt: skip
        planned.append((ticket, "itil_process", process))
    return planned


M = TypeVar("M", Contact, Company)


async def _chosen(rows: QuerySet[M], raw: object, field: str) -> M | None:
    """The row an id names among those the user may see; None for an empty choice."""
    if raw in (None, ""):
        return None
    found = row_id(str(raw))
    row = await rows.get_or_none(id=found) if found else None
    if row is None:
        raise ValidationError(f"no {field} {raw!r}", field=field)
    return row


async def _customer(ticket: Ticket, me: User, body: dict[str, Any]) -> list[Change]:
    """The contact (by id) and the company (by id; a new contact brings their own)."""
    planned: list[Change] = []
    if "contact" in body:
        contact = await _chosen(visible_contacts(me), body["contact"], "contact")
        planned.append((ticket, "contact_id", contact.id if contact else None))
        if contact is not None and contact.company_id is not None and "company" not in body:
            planned.append((ticket, "company_id", contact.company_id))
    if "company" in body:
        company = await _chosen(visible_companies(me), body["company"], "company")
        planned.append((ticket, "company_id", company.id if company else None))
    return planned


def _custom_fields(fields: object) -> dict[str, Any]:
    """Names to plain values, each of a sensible size: every ticket list carries them."""
    if not isinstance(fields, dict) or not all(
        isinstance(v, (str, int, float, bool)) or v is None for v in fields.values()
    ):
        raise ValidationError("custom_fields maps names to plain values", field="custom_fields")
    if len(fields) > MAX_CUSTOM_FIELDS:
        raise ValidationError(f"a ticket has at most {MAX_CUSTOM_FIELDS} custom fields",
                              field="custom_fields")  # fmt: skip
    for name, value in fields.items():
        if not 0 < len(name) <= MAX_FIELD_NAME or len(str(value)) > MAX_FIELD_VALUE:
            raise ValidationError(f"a custom field's name has 1-{MAX_FIELD_NAME} characters "
                                  f"and its value at most {MAX_FIELD_VALUE}",
                                  field="custom_fields")  # fmt: skip
    return dict(fields)


async def _status(
    ticket: Ticket, raw: object, resting_until: datetime | None, options: TicketOptions
) -> list[Change]:
    try:
        status = Status(str(raw))
    except ValueError as err:
        raise ValidationError(f"unknown status {raw!r}", field="status") from err
    check_change(status, resting_until, datetime.now(UTC))
    missing = missing_fields(ticket, options.required_fields)
    if status in (Status.SOLVED, Status.CLOSED) and missing:
        raise ValidationError(f"fill in {', '.join(missing)} first", field=missing[0])
    planned: list[Change] = [(ticket, "status", status.value)]
    if status == Status.CLOSED:
        for child in await Ticket.filter(master=ticket).exclude(status="closed"):
            planned.append((child, "status", Status.CLOSED.value))
    return planned


async def apply_changes(
    ticket: Ticket, me: User, body: dict[str, Any], options: TicketOptions
) -> None:
    """Change a ticket as ``me``, with history: all of ``body`` or, when a rule refuses any of
    it, nothing."""
    planned = await plan_changes(ticket, me, body, options)
    given: list[tuple[Ticket, int]] = []  # tickets given to someone else, who hears of it
    async with in_transaction():
        for target, name, value in planned:
            if (
                name == "agent_id"
                and isinstance(value, int)
                and value not in (me.id, target.agent_id)
            ):
                given.append((target, value))
            await service.change(target, me.username, name, value)
        for target, agent_id in given:
            details = {"who": me.name or me.username, "number": str(target.number),
                       "subject": target.subject}  # fmt: skip
            await notify([agent_id], NotificationKind.ASSIGNED, details,
                         f"/tickets/{target.number}", me.username)  # fmt: skip
