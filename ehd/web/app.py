"""The aiohttp application: templates, static files, middlewares and routes.

Long-lived resources (database, Asterisk, ARI, scheduler) are attached by :mod:`ehd.platform`
as cleanup contexts; this module knows only the web side, so adapter tests build it alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import aiohttp_jinja2
import jinja2
from aiohttp import web

from ehd.accounts.login_guard import AttemptLimiter, UserAttemptLimiter
from ehd.agent_events import AgentEvents
from ehd.config import PROJECT_ROOT, Config
from ehd.instance_secrets import load_or_create_secrets
from ehd.sms import gateway_for
from ehd.tickets.mail_out import CONFIRMATION, TicketMail
from ehd.web import accounts, boards, chat, crm, home, restapi, search, telephony, tickets
from ehd.web.forwarding import SESSION, forwarding_middleware
from ehd.web.keys import (
    ACCOUNTS_CHANGED,
    CONFIG,
    CONSOLES,
    HEALTH,
    LOGIN_ATTEMPTS,
    SIGNING_KEY,
    TEXTS,
    TICKET_MAIL,
    HealthProbe,
)
from ehd.web.middleware import error_middleware, security_headers_middleware, session_middleware
from ehd.web.peers import PEERS, Peers
from ehd.web.telephony.console_grace import CONSOLE_GRACE, ConsoleGrace

TEMPLATES = PROJECT_ROOT / "web" / "templates"
STATIC = PROJECT_ROOT / "web" / "static"
# Front-end libraries bundled from node_modules by `make web` (never committed).
VENDOR = PROJECT_ROOT / "build" / "web"
MAX_REQUEST_BYTES = 30 * 1024 * 1024


async def _forwarding_session(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession() as session:
        app[SESSION] = session
        yield


def create_web_app(
    config: Config, health: HealthProbe, accounts_changed: Callable[[], Awaitable[bool]]
) -> web.Application:
    app = web.Application(
        middlewares=[
            security_headers_middleware,
            error_middleware,
            forwarding_middleware,
            session_middleware,
        ],
        client_max_size=MAX_REQUEST_BYTES,
    )
    app[CONFIG] = config
    app[HEALTH] = health
    app[ACCOUNTS_CHANGED] = accounts_changed
    app[CONSOLES] = AgentEvents()
    app[PEERS] = Peers()
    app.cleanup_ctx.append(_forwarding_session)
    app[LOGIN_ATTEMPTS] = AttemptLimiter()
    app[restapi.http.VERIFIED] = restapi.http.VerifiedCredentials()
    app[restapi.http.REST_USER_ATTEMPTS] = UserAttemptLimiter()
    app[tickets.contact_form.FORM_SENDS] = AttemptLimiter(burst=5, per_minute=5)
    app[chat.visitor.CHAT_STARTS] = AttemptLimiter(burst=5, per_minute=5)
    app[tickets.customer_page.REPLIES] = AttemptLimiter(burst=5, per_minute=2)
    app[boards.wallboard.WALLBOARD] = boards.wallboard.feed_for(app)
    app[CONSOLE_GRACE] = ConsoleGrace()
    app.on_cleanup.append(app[CONSOLE_GRACE].stop)
    app.on_cleanup.append(_stop_wallboard)
    app[SIGNING_KEY] = bytes.fromhex(load_or_create_secrets(config).signing_key)
    app[TEXTS] = gateway_for(config.sms_gateway_url, config.paths.logs / "sms-outbox.jsonl")
    confirmation = CONFIRMATION if config.ticket_confirmation == "on" else ""
    app[TICKET_MAIL] = TicketMail.for_config(
        config, app[SIGNING_KEY], sms=app[TEXTS], confirmation=confirmation
    )
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    # One route table per feature package (see docs/architecture.md for the URL prefixes).
    for feature in (home, search, accounts, telephony, tickets, crm, boards, chat, restapi):
        app.add_routes(feature.routes)
    VENDOR.mkdir(parents=True, exist_ok=True)  # empty before `make web`: pages say so
    app.router.add_static("/static/vendor/", VENDOR, name="vendor")
    app.router.add_static("/static/", STATIC, name="static")
    return app


async def _stop_wallboard(app: web.Application) -> None:
    await app[boards.wallboard.WALLBOARD].stop()
