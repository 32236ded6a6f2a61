"""Telephony: the agent console, agents' and queues' JSON API, the inbound-call API (calendars,
menus, sounds, hot prompts), call control (hold, transfer, consult, conference, monitor,
click-to-dial, recording on demand), the browser phone, the call log, call recordings and
voicemail in the browser, classification, staffing, and the telephony admin (queues, DIDs,
calendars, sounds, call profiles).

``routes`` is the package's one route table, in the order the app registers it."""

from __future__ import annotations

from aiohttp.web import AbstractRouteDef

from ehd.web.telephony import (
    agent_console,
    browser_phone,
    calendars_admin,
    call_control_api,
    call_log,
    classification_api,
    inbound_api,
    pause_codes_api,
    profiles_admin,
    queue_api,
    queues_admin,
    recordings,
    schedules_page,
    sounds_admin,
    voicemail_page,
)

routes: list[AbstractRouteDef] = [
    *queue_api.routes,
    *pause_codes_api.routes,
    *inbound_api.routes,
    *call_control_api.routes,
    *recordings.routes,
    *call_log.routes,
    *voicemail_page.routes,
    *agent_console.routes,
    *browser_phone.routes,
    *classification_api.routes,
    *schedules_page.routes,
    *queues_admin.routes,
    *profiles_admin.routes,
    *sounds_admin.routes,
    *calendars_admin.routes,
]
