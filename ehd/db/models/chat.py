"""Live chats from web pages; each is a ticket whose entries are its messages."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from ehd.db.models.accounts import User
    from ehd.db.models.crm import Site
    from ehd.db.models.tickets import Ticket


class ChatState(StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    ENDED = "ended"


class ChatSession(Model):
    """A live chat from a site's web page. Its messages are public entries of its ticket, so
    the conversation stays in the customer's history when the chat ends. The token in the
    visitor's address is the only key to the visitor's side."""

    id = fields.IntField(primary_key=True)
    token = fields.CharField(max_length=64, unique=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="chats", on_delete=fields.CASCADE
    )
    ticket_id: int
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="chats", null=True, on_delete=fields.SET_NULL
    )
    site_id: int | None
    visitor_name = fields.CharField(max_length=128, default="")
    visitor_email = fields.CharField(max_length=254, default="")
    state = fields.CharEnumField(ChatState, max_length=16, default=ChatState.WAITING, db_index=True)
    agent: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="chats", null=True, on_delete=fields.SET_NULL
    )
    agent_id: int | None
    started_at = fields.DatetimeField(auto_now_add=True)
    answered_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    visitor_seen_at = fields.DatetimeField(null=True)  # the visitor's page last asked for news

    class Meta:
        table = "chat_sessions"
