"""Typed keys for what the web application holds, and the health-probe interface."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from ehd.accounts.login_guard import AttemptLimiter
from ehd.agent_events import AgentEvents
from ehd.config import Config
from ehd.db.models import User, WebSession
from ehd.errors import TelephonyDownError
from ehd.sms import SmsGateway
from ehd.tickets.mail_out import TicketMail

if TYPE_CHECKING:
    from ehd.queueing.service import QueueService


class HealthProbe(Protocol):
    # "active", or "standby" while another ehd on the same database acts (ehd.db.lease)
    role: str

    async def check(self) -> dict[str, bool]:
        """Component name -> healthy."""
        ...


CONFIG = web.AppKey("config", Config)
CONSOLES = web.AppKey("consoles", AgentEvents)  # live events for agents' consoles
SIGNING_KEY = web.AppKey("signing_key", bytes)  # customers' ticket links, our Message-IDs
LOGIN_ATTEMPTS = web.AppKey("login_attempts", AttemptLimiter)  # per client address
# One text gateway and one ticket mailer, shared by calls, mail in, the web and scheduled jobs.
TEXTS: web.AppKey[SmsGateway] = web.AppKey("texts")
TICKET_MAIL = web.AppKey("ticket_mail", TicketMail)


class MailboxRestarter(Protocol):
    async def restart(self, box: Any) -> None:
        """Apply a mailbox's changed settings now."""
        ...


MAILBOXES: web.AppKey[MailboxRestarter] = web.AppKey("mailboxes")
HEALTH = web.AppKey("health", HealthProbe)
# Called after users change, so their SIP accounts reach Asterisk (returns True if applied).
AccountsChanged = Callable[[], Awaitable[bool]]
ACCOUNTS_CHANGED: web.AppKey[AccountsChanged] = web.AppKey("accounts_changed")

# Per-request values set by the session middleware.
SESSION: web.RequestKey[WebSession | None] = web.RequestKey("session")
USER: web.RequestKey[User | None] = web.RequestKey("user")
PRELOGIN_CSRF: web.RequestKey[str] = web.RequestKey("prelogin_csrf")
# The logged-in user's shortcut menu on pages: [{"label", "url"}]
SHORTCUTS: web.RequestKey[list[dict[str, str]]] = web.RequestKey("shortcuts")


class QueueServiceRef(Protocol):
    """The running queue service, once telephony has started (None before, or web-only)."""

    def current(self) -> QueueService | None: ...


def running_queues(ref: QueueServiceRef) -> QueueService:
    """The queue service for what cannot wait for telephony: else a 503."""
    service = ref.current()
    if service is None:
        raise TelephonyDownError("telephony is not running")
    return service


QUEUE_SERVICE: web.AppKey[QueueServiceRef] = web.AppKey("queue_service")
