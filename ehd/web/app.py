"""The aiohttp application: templates, static files, middlewares and routes.

Long-lived resources (database, Asterisk, ARI, scheduler) are attached by :mod:`ehd.platform`
as cleanup contexts; this module knows only the web side, so adapter tests build it alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp_jinja2
import jinja2
from aiohttp import web

from ehd.accounts.login_guard import AttemptLimiter
from ehd.agent_events import AgentEvents
from ehd.config import PROJECT_ROOT, Config
from ehd.instance_secrets import load_or_create_secrets
from ehd.queueing import http as queue_http
from ehd.queueing import pause_codes_http
from ehd.restapi import http as rest_api
from ehd.sms import gateway_for
from ehd.tickets.mail_out import CONFIRMATION, TicketMail
from ehd.web import (
    admin_calendars,
    admin_filters,
    admin_mailboxes,
    admin_profiles,
    admin_sites,
    admin_sounds,
    admin_telephony,
    admin_templates,
    admin_users,
    agent_console,
    chat_agent,
    chat_visitor,
    classification_api,
    contact_form,
    control_panel,
    crm_pages,
    customer_ticket,
    inbound_api,
    password_page,
    schedules_page,
    shortcuts,
    signatures_page,
    sms_inbound,
    statistics_page,
    ticket_admin_api,
    ticket_pages,
    tickets_api,
    views,
    wallboard,
)
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

TEMPLATES = PROJECT_ROOT / "web" / "templates"
STATIC = PROJECT_ROOT / "web" / "static"
MAX_REQUEST_BYTES = 30 * 1024 * 1024


def create_web_app(
    config: Config, health: HealthProbe, accounts_changed: Callable[[], Awaitable[bool]]
) -> web.Application:
    app = web.Application(
        middlewares=[security_headers_middleware, error_middleware, session_middleware],
        client_max_size=MAX_REQUEST_BYTES,
    )
    app[CONFIG] = config
    app[HEALTH] = health
    app[ACCOUNTS_CHANGED] = accounts_changed
    app[CONSOLES] = AgentEvents()
    app[LOGIN_ATTEMPTS] = AttemptLimiter()
    app[rest_api.VERIFIED] = rest_api.VerifiedCredentials()
    app[contact_form.FORM_SENDS] = AttemptLimiter(burst=5, per_minute=5)
    app[chat_visitor.CHAT_STARTS] = AttemptLimiter(burst=5, per_minute=5)
    app[wallboard.WALLBOARD] = wallboard.feed_for(app)
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
    app.add_routes(views.routes)
    app.add_routes(password_page.routes)
    app.add_routes(admin_users.routes)
    app.add_routes(queue_http.routes)
    app.add_routes(pause_codes_http.routes)
    app.add_routes(inbound_api.routes)
    app.add_routes(agent_console.routes)
    app.add_routes(classification_api.routes)
    app.add_routes(schedules_page.routes)
    app.add_routes(customer_ticket.routes)
    app.add_routes(tickets_api.routes)
    app.add_routes(ticket_pages.routes)
    app.add_routes(crm_pages.routes)
    app.add_routes(wallboard.routes)
    app.add_routes(statistics_page.routes)
    app.add_routes(shortcuts.routes)
    app.add_routes(admin_telephony.routes)
    app.add_routes(admin_sites.routes)
    app.add_routes(admin_mailboxes.routes)
    app.add_routes(admin_profiles.routes)
    app.add_routes(admin_sounds.routes)
    app.add_routes(admin_calendars.routes)
    app.add_routes(admin_filters.routes)
    app.add_routes(admin_templates.routes)
    app.add_routes(signatures_page.routes)
    app.add_routes(contact_form.routes)
    app.add_routes(chat_visitor.routes)
    app.add_routes(chat_agent.routes)
    app.add_routes(control_panel.routes)
    app.add_routes(ticket_admin_api.routes)
    app.add_routes(sms_inbound.routes)
    app.add_routes(rest_api.routes)
    app.router.add_static("/static/", STATIC, name="static")
    return app


async def _stop_wallboard(app: web.Application) -> None:
    await app[wallboard.WALLBOARD].stop()
