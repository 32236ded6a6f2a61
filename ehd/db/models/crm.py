"""Sites (brands), companies and contacts with their phone numbers and addresses."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Site(Model):
    """A brand: its own sender address, greeting and agent instruction."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=8, unique=True)
    description = fields.CharField(max_length=255, default="")
    agent_instruction = fields.CharField(max_length=2000, default="")
    email_sender = fields.CharField(max_length=254, default="")
    greeting = fields.CharField(max_length=64, default="")
    # shown when agents call out
    phone_number = fields.CharField(max_length=32, default="", db_default="")
    # Origins (https://www.example.com) whose pages may embed the site's contact form
    embed_origins: list[str] = fields.JSONField(default=list, db_default=[])

    class Meta:
        table = "sites"


class Company(Model):
    id = fields.IntField(primary_key=True)
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="companies", null=True, on_delete=fields.SET_NULL
    )
    site_id: int | None
    name = fields.CharField(max_length=255)
    org_number = fields.CharField(max_length=32, default="")
    address = fields.CharField(max_length=512, default="")
    # E.164 numbers, or prefixes ending with *, that identify callers as this company
    phone_series: list[str] = fields.JSONField(default=list)

    class Meta:
        table = "companies"


class Contact(Model):
    id = fields.IntField(primary_key=True)
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="contacts", null=True, on_delete=fields.SET_NULL
    )
    company_id: int | None
    name = fields.CharField(max_length=255, default="")
    emails: list[str] = fields.JSONField(default=list)  # lower case
    phones: list[str] = fields.JSONField(default=list)  # E.164
    # The last automatic answer (RFC 3834: at most one a period), kept across restarts.
    auto_answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "contacts"


class ContactPoint(Model):
    """An index of contacts by phone (E.164) and email (lower case), kept with each contact so
    a caller or sender is found by one indexed lookup."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="points", on_delete=fields.CASCADE
    )
    contact_id: int
    kind = fields.CharField(max_length=8)  # phone or email
    value = fields.CharField(max_length=254)

    class Meta:
        table = "contact_points"
        unique_together = (("kind", "value", "contact"),)
        indexes = (("kind", "value"),)
