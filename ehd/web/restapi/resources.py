"""The REST API's table-backed resources: which fields each shows and can be searched by,
what may be written, and the sub-resources under one item. The HTTP layer
(``ehd.web.restapi.http``) and the OpenAPI document (``ehd.web.restapi.openapi``) both read
these."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model

from ehd.db.models import (
    CallRecord,
    Company,
    Contact,
    Did,
    Queue,
    Role,
    RouteType,
    Site,
    Ticket,
    TicketEntry,
    User,
)
from ehd.tickets.status import Priority, Status
from ehd.web.restapi.query import Kind

ENTRY_KINDS = (
    "solution", "action", "note", "mail_in", "mail_out", "customer", "sms_in", "sms_out",
)  # fmt: skip
Writer = Callable[[dict[str, Any]], Awaitable[Model]]
Updater = Callable[[Model, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    column: str = ""  # the ORM path (defaults to the name); "" with ``search`` set: search only
    shown: bool = True
    searchable: bool = True
    search: Callable[[object], Q] | None = None  # a custom match (lists, index tables)
    nullable: bool = False
    list_of: Kind | None = None  # shown as a list of this kind (not searchable by column)
    choices: tuple[str, ...] = ()  # the only values it takes

    @property
    def path(self) -> str:
        return self.column or self.name


@dataclass(frozen=True)
class Child:
    resource: str
    column: str  # the child's column that holds the parent's id


@dataclass(frozen=True)
class Resource:
    name: str
    model: type[Model]
    fields: tuple[Field, ...]
    summary: str
    id_column: str = "id"
    info_types: tuple[str, ...] = ()
    children: dict[str, Child] = field(default_factory=dict)
    create_fields: dict[str, Kind] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    update_fields: dict[str, Kind] = field(default_factory=dict)
    deletable: bool = False

    @property
    def searchable(self) -> dict[str, Kind]:
        return {f.name: f.kind for f in self.fields if f.searchable}

    @property
    def choices(self) -> dict[str, tuple[str, ...]]:
        return {f.name: f.choices for f in self.fields if f.choices}

    @property
    def shown(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.shown)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _point(kind: str) -> Callable[[object], Q]:
    def search(value: object) -> Q:
        text = str(value).strip().lower() if kind == "email" else str(value)
        if kind == "phone":
            from ehd.phone_numbers import to_e164

            text = to_e164(text) or text
        return Q(points__kind=kind, points__value=text)

    return search


N, F, T, W, B = Kind.INT, Kind.FLOAT, Kind.TEXT, Kind.TIME, Kind.BOOL

RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource(
            "users", User, summary="Users: agents, supervisors, admins",
            fields=(Field("id", N), Field("username", T), Field("name", T), Field("email", T),
                    Field("role", T, choices=tuple(Role)), Field("language", T),
                    Field("sip_extension", T, nullable=True), Field("active", B),
                    Field("created_at", W),
                    # The names the product we cover documents, so its users' scripts run.
                    Field("usermail", T, "email", shown=False),
                    Field("addts", W, "created_at", shown=False)),
            create_fields={"username": T, "password": T, "name": T, "email": T, "role": T,
                           "language": T},
            required=("username", "password"),
            update_fields={"name": T, "email": T, "role": T, "language": T, "active": B},
            deletable=True,
        ),
        Resource(
            "queues", Queue, summary="Call queues (response groups); info_type=status for "
            "live figures",
            fields=(Field("id", N), Field("name", T), Field("description", T),
                    Field("strategy", T), Field("language", T), Field("sl_goal_seconds", F),
                    Field("sl_target_percent", F), Field("max_length", N)),
            info_types=("status",),
        ),
        Resource(
            "bnos", Did, summary="Dialled numbers (B-numbers) and where they go",
            fields=(Field("id", N), Field("number", T),
                    Field("route_type", T, choices=tuple(RouteType)),
                    Field("queue", T, "queue__name", nullable=True), Field("description", T),
                    Field("priority", N), Field("site_id", N)),
        ),
        Resource(
            "calls", CallRecord, summary="Inbound calls",
            fields=(Field("id", N), Field("call_id", T), Field("did", T),
                    Field("caller_number", T), Field("queue", T, "queue_name"),
                    Field("agent", T), Field("started_at", W),
                    Field("answered_at", W, nullable=True), Field("ended_at", W, nullable=True),
                    Field("result", T), Field("queue_seconds", F, nullable=True),
                    Field("talk_seconds", F, nullable=True),
                    Field("hold_seconds", F, nullable=True), Field("classification", T),
                    Field("customer_number", T), Field("contact_id", N, nullable=True),
                    Field("company_id", N, nullable=True), Field("site_id", N)),
        ),
        Resource(
            "sites", Site, summary="Sites (brands); info_type=stat|status|pbx_stat",
            fields=(Field("id", N), Field("code", T), Field("description", T),
                    Field("agent_instruction", T), Field("email_sender", T),
                    Field("greeting", T)),
            info_types=("stat", "status", "pbx_stat"),
            children={"companies": Child("companies", "site_id"),
                      "tickets": Child("tickets", "site_id")},
            create_fields={"code": T, "description": T, "agent_instruction": T,
                           "email_sender": T, "greeting": T},
            required=("code",),
            update_fields={"description": T, "agent_instruction": T, "email_sender": T,
                           "greeting": T},
            deletable=True,
        ),
        Resource(
            "companies", Company, summary="Companies; info_type=pbx_stat for their calls",
            fields=(Field("id", N), Field("name", T), Field("org_number", T), Field("address", T),
                    Field("site", T, "site__code", nullable=True),
                    Field("phone_series", T, searchable=False, list_of=T)),
            info_types=("pbx_stat",),
            children={"contacts": Child("contacts", "company_id"),
                      "tickets": Child("tickets", "company_id"),
                      "calls": Child("calls", "company_id")},
            create_fields={"name": T, "org_number": T, "address": T, "site": T},
            required=("name",),
            update_fields={"name": T, "org_number": T, "address": T, "site": T},
            deletable=True,
        ),
        Resource(
            "contacts", Contact, summary="Contacts (search by email or phone too)",
            fields=(Field("id", N), Field("name", T), Field("company_id", N, nullable=True),
                    Field("emails", T, searchable=False, list_of=T),
                    Field("phones", T, searchable=False, list_of=T),
                    Field("email", T, shown=False, search=_point("email")),
                    Field("phone", T, shown=False, search=_point("phone"))),
            children={"tickets": Child("tickets", "contact_id"),
                      "calls": Child("calls", "contact_id")},
            create_fields={"name": T, "company_id": N, "email": T, "phone": T},
            required=("name",),
            update_fields={"name": T, "company_id": N},
            deletable=True,
        ),
        Resource(
            "tickets", Ticket, summary="Tickets, by their number", id_column="number",
            fields=(Field("number", N), Field("subject", T),
                    Field("status", T, choices=tuple(Status)),
                    Field("priority", T, choices=tuple(Priority)), Field("source", T),
                    Field("agent", T, "agent__username", nullable=True),
                    Field("group", T, "group__name", nullable=True),
                    Field("contact_id", N, nullable=True), Field("company_id", N, nullable=True),
                    Field("site", T, "site__code", nullable=True), Field("created_at", W),
                    Field("updated_at", W),
                    # when its first running SLA clock breaches (or breached), as the SLA job
                    # last saw it: sla_due_at:lt=<now> lists the overdue tickets
                    Field("sla_due_at", W, nullable=True)),
            children={"crm_logs": Child("crm_logs", "ticket_id")},
            create_fields={"subject": T, "description": T, "priority": T, "contact_id": N},
            required=("subject",),
            update_fields={"subject": T, "status": T, "priority": T, "agent": T},
            deletable=True,
            info_types=("sla",),
        ),
        Resource(
            "crm_logs", TicketEntry, summary="Ticket log entries (notes, mail, solutions)",
            fields=(Field("id", N), Field("ticket", N, "ticket__number"),
                    Field("kind", T, choices=ENTRY_KINDS),
                    Field("public", B), Field("author", T), Field("text", T),
                    Field("created_at", W)),
        ),
    )
}  # fmt: skip
