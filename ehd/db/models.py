"""The persistent model of the foundation: users, queues, DIDs, call records, web sessions.

Schema changes go through Tortoise's built-in migrations (``ehd db makemigrations``); a test
checks that the models and the migrations agree.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    READONLY = "readonly"


class RouteType(StrEnum):
    """Where a dialled number (DID) goes."""

    QUEUE = "queue"
    IVR = "ivr"
    SIP_ACCOUNT = "sip_account"
    SIP_VOICEMAIL = "sip_voicemail"
    REMOTE_LOGIN = "remote_login"
    RECORDING_SERVICE = "recording_service"
    VOICEMAIL_ACCESS = "voicemail_access"
    UNUSED = "unused"


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=128, default="")
    email = fields.CharField(max_length=254, default="")
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16, default=Role.AGENT)
    language = fields.CharField(max_length=8, default="en")
    sip_extension = fields.CharField(max_length=32, null=True, unique=True)
    sip_password = fields.CharField(max_length=64, null=True)
    active = fields.BooleanField(default=True)
    password_changed_at = fields.DatetimeField(auto_now_add=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"


class Queue(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    description = fields.CharField(max_length=255, default="")
    greeting = fields.CharField(max_length=64, default="welcome")
    moh_class = fields.CharField(max_length=64, default="default")
    language = fields.CharField(max_length=8, default="en")

    class Meta:
        table = "queues"


class Did(Model):
    """A dialled number and its route (the admin's dialplan table)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    route_type = fields.CharEnumField(RouteType, max_length=24, default=RouteType.UNUSED)
    queue: fields.ForeignKeyNullableRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="dids", null=True, on_delete=fields.SET_NULL
    )
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="dids", null=True, on_delete=fields.SET_NULL
    )
    ring_seconds = fields.IntField(default=30)
    description = fields.CharField(max_length=255, default="")

    class Meta:
        table = "dids"


class CallRecord(Model):
    """One inbound call, from Stasis start to hangup."""

    id = fields.IntField(primary_key=True)
    call_id = fields.CharField(max_length=64, unique=True)
    did = fields.CharField(max_length=32, default="")
    caller_number = fields.CharField(max_length=64, default="")
    caller_name = fields.CharField(max_length=128, default="")
    route_type = fields.CharField(max_length=24, default="")
    route_target = fields.CharField(max_length=64, default="")
    started_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    result = fields.CharField(max_length=32, default="active")
    hangup_cause = fields.IntField(null=True)

    class Meta:
        table = "call_records"


class WebSession(Model):
    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "web_sessions"
