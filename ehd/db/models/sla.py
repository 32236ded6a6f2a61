"""Service-level policies for tickets and the escalation steps that ran (the rules:
ehd.tickets.sla)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from ehd.db.models.calls import Calendar
    from ehd.db.models.tickets import Ticket, TicketTemplate


class SlaPolicy(Model):
    """Service-level goals for the tickets it matches (ehd.tickets.sla.Policy), tried in
    order of position: one without conditions is the general default."""

    # (No semicolon in a model's docstring: Tortoise's SQLite schema splits its comment there.)

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128, unique=True)
    position = fields.IntField(default=0)
    active = fields.BooleanField(default=True)
    template: fields.ForeignKeyNullableRelation[TicketTemplate] = fields.ForeignKeyField(
        "models.TicketTemplate", related_name="sla_policies", null=True,
        on_delete=fields.CASCADE,
    )  # fmt: skip
    template_id: int | None
    ticket_type = fields.CharField(max_length=64, default="")  # empty: any
    priority = fields.CharField(max_length=8, default="")  # empty: any
    first_response_minutes = fields.IntField(null=True)
    resolution_minutes = fields.IntField(null=True)
    calendar: fields.ForeignKeyNullableRelation[Calendar] = fields.ForeignKeyField(
        "models.Calendar", related_name="sla_policies", null=True, on_delete=fields.SET_NULL
    )
    calendar_id: int | None
    pause_statuses: list[str] = fields.JSONField(default=list)
    escalations: list[dict[str, Any]] = fields.JSONField(default=list)

    class Meta:
        table = "sla_policies"


class TicketSlaEscalation(Model):
    """An escalation step that ran for a ticket (so it runs once), and when."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="sla_escalations", on_delete=fields.CASCADE
    )
    ticket_id: int
    step = fields.CharField(max_length=64)  # ehd.tickets.sla.Escalation.key
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ticket_sla_escalations"
        unique_together = (("ticket", "step"),)
