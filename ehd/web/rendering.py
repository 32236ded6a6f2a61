"""Render a page with what every layout needs (the user and a CSRF token), errors included."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from ehd.accounts.permissions import effective
from ehd.web import sessions
from ehd.web.i18n import language_for, translations
from ehd.web.keys import SESSION, SHORTCUTS, USER
from ehd.web.labels import labeller


def render(
    template: str, request: web.Request, context: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    session = request.get(SESSION)
    csrf = session.csrf_token if session else sessions.prelogin_csrf_token(request)
    user = request.get(USER)
    perms = effective(user.role, user.granted, user.revoked) if user else frozenset()
    language = language_for(request, user)
    gettext = translations(language).gettext
    values = {"user": user, "csrf_token": csrf, "perms": {p.value for p in perms},
              "lang": language, "_": gettext, "label": labeller(gettext),
              "shortcuts": request.get(SHORTCUTS, []), **(context or {})}  # fmt: skip
    return aiohttp_jinja2.render_template(template, request, values, status=status)
