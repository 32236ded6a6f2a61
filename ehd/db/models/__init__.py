"""The persistent model, one module per domain, all re-exported here: ``from ehd.db.models
import Ticket`` keeps working, and Tortoise finds every model in this one module.

Schema changes go through Tortoise's built-in migrations (``ehd db makemigrations``); a test
checks that the models and the migrations agree.
"""

from __future__ import annotations

from ehd.db.models.accounts import MenuProfile, PasswordHistory, Role, SavedSearch, User, WebSession
from ehd.db.models.calls import (
    Calendar,
    CalendarVariation,
    CallRecord,
    ClassificationProfile,
    Did,
    HotPrompt,
    IvrMenu,
    RouteType,
    Sound,
    SurveyAnswer,
    SurveyProfile,
    VoicemailMessage,
)
from ehd.db.models.crm import Company, Contact, ContactPoint, Site
from ehd.db.models.queues import (
    AgentSchedule,
    AgentSession,
    PauseCode,
    Queue,
    QueuedCall,
    QueueLogEntry,
    QueueMember,
)
from ehd.db.models.tickets import (
    ChatSession,
    KnowledgeArticle,
    Mailbox,
    Signature,
    Ticket,
    TicketAttachment,
    TicketChange,
    TicketEntry,
    TicketFilter,
    TicketSettings,
    TicketTemplate,
)

__all__ = [
    "AgentSchedule",
    "AgentSession",
    "Calendar",
    "CalendarVariation",
    "CallRecord",
    "ChatSession",
    "ClassificationProfile",
    "Company",
    "Contact",
    "ContactPoint",
    "Did",
    "HotPrompt",
    "IvrMenu",
    "KnowledgeArticle",
    "Mailbox",
    "MenuProfile",
    "PasswordHistory",
    "PauseCode",
    "Queue",
    "QueueLogEntry",
    "QueueMember",
    "QueuedCall",
    "Role",
    "RouteType",
    "SavedSearch",
    "Signature",
    "Site",
    "Sound",
    "SurveyAnswer",
    "SurveyProfile",
    "Ticket",
    "TicketAttachment",
    "TicketChange",
    "TicketEntry",
    "TicketFilter",
    "TicketSettings",
    "TicketTemplate",
    "User",
    "VoicemailMessage",
    "WebSession",
]
