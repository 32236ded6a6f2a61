"""Users, their password history, web sessions and shortcut menus."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    READONLY = "readonly"


class PhoneKind(StrEnum):
    """What registers on the user's SIP extension: a desk phone or softphone over UDP, or
    the browser phone in the agent console (WebRTC over a websocket)."""

    DESK = "desk"
    BROWSER = "browser"


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
    phone_kind = fields.CharEnumField(
        PhoneKind, max_length=8, default=PhoneKind.DESK, db_default=PhoneKind.DESK
    )
    # phone services (argon2)
    pin_hash = fields.CharField(max_length=255, default="", db_default="")
    # Remote login: calls from these numbers (E.164) toggle the agent in and out of the
    # pre-selected queues, and calls are then delivered to remote_number.
    remote_number = fields.CharField(max_length=32, default="", db_default="", db_index=True)
    alt_number = fields.CharField(max_length=32, default="", db_default="", db_index=True)
    # shown instead of the site's
    outbound_number = fields.CharField(max_length=32, default="", db_default="")
    # empty: every membership
    remote_queues: list[str] = fields.JSONField(default=list, db_default=[])
    # wins over the queue's
    screen_pop_url = fields.CharField(max_length=512, default="", db_default="")
    active = fields.BooleanField(default=True)
    password_changed_at = fields.DatetimeField(auto_now_add=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # the name customers and boards see
    alias = fields.CharField(max_length=64, default="", db_default="")
    sites: list[str] = fields.JSONField(default=list, db_default=[])  # site codes the user works in
    # Restricted: tickets of other sites are hidden (tickets without a site stay visible).
    site_restricted = fields.BooleanField(default=False, db_default=False)
    # Single permissions on top of the role's preset (ehd.accounts.permissions)
    granted: list[str] = fields.JSONField(default=list, db_default=[])
    revoked: list[str] = fields.JSONField(default=list, db_default=[])
    # a MenuProfile's name
    menu_profile = fields.CharField(max_length=64, default="", db_default="")
    failed_logins = fields.IntField(default=0, db_default=0)  # in a row; reset by a good login
    locked_until = fields.DatetimeField(null=True)  # too many failures: no login until then
    # logged in to take chats from web pages
    chat_ready = fields.BooleanField(default=False, db_default=False)
    # how the user's own ticket work behaves (ehd.accounts.workspace reads it)
    workspace: dict[str, Any] = fields.JSONField(default=dict, db_default={})

    class Meta:
        table = "users"


class PasswordHistory(Model):
    """Earlier password hashes of a user, so the strict policy can refuse reuse."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="password_history", on_delete=fields.CASCADE
    )
    user_id: int
    password_hash = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "password_history"


class WebSession(Model):
    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "web_sessions"


class NotificationKind(StrEnum):
    MENTION = "mention"  # named in a colleague's note
    ASSIGNED = "assigned"  # a ticket was given to the user by someone else
    NEW_TICKET = "new_ticket"  # a new, unassigned ticket came to one of the user's groups
    CHAT_WAITING = "chat_waiting"  # a visitor waits for a chat to be taken
    SERVICE_GOAL = "service_goal"  # a queue missed its service goal over the last hour
    SLA_AT_RISK = "sla_at_risk"  # a ticket's SLA goal is near
    SLA_BREACHED = "sla_breached"  # a ticket missed its SLA goal


class Notification(Model):
    """Something a user should know, kept until read: it reaches them whether or not they
    were online when it happened."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    user_id: int
    kind = fields.CharEnumField(NotificationKind, max_length=16)
    text = fields.CharField(max_length=500)  # in English, as made (mail, logs, older rows)
    # What the sentence names ("who", "number", "subject"), so each reader gets it in their
    # own language (ehd.accounts.notification_texts).
    details: dict[str, str] = fields.JSONField(default=dict, db_default={})
    link = fields.CharField(max_length=200, default="")  # a local path
    by = fields.CharField(max_length=254, default="")  # who caused it
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        indexes = (Index(fields=["user_id", "read_at", "id"]),)


class MenuProfile(Model):
    """A shortcut menu: links shown to a user, to the members of some teams, or to everyone
    when it is the standard profile."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    items: list[dict[str, str]] = fields.JSONField(default=list)  # [{"label", "url"}]
    teams: list[str] = fields.JSONField(default=list)  # queue (team) names
    standard = fields.BooleanField(default=False)

    class Meta:
        table = "menu_profiles"


class SavedSearch(Model):
    """A ticket overview's filters under a name, run as /tickets?g_exe=NAME: the owner's own,
    or shared with everyone (owner empty)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64)
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="saved_searches", null=True, on_delete=fields.CASCADE
    )
    owner_id: int | None
    query = fields.CharField(max_length=2000)  # the overview's query string
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "saved_searches"
        unique_together = (("name", "owner"),)
