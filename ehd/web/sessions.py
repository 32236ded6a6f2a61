"""Server-side login sessions and CSRF tokens.

The cookie holds a random token; the database holds only its SHA-256, so a leaked database does
not leak live sessions, and logging out deletes the row (the session really ends). Forms carry a
CSRF token: the session's own once logged in, a double-submit cookie before that (login form).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from aiohttp import web

from ehd.db.models import User, WebSession
from ehd.errors import CsrfError
from ehd.web.keys import PRELOGIN_CSRF, SESSION

SESSION_COOKIE = "ehd_session"
PRELOGIN_CSRF_COOKIE = "ehd_csrf"
SESSION_LIFETIME = timedelta(hours=12)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _set_cookie(
    response: web.StreamResponse, name: str, value: str, max_age: int | None, secure: bool
) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="Lax", secure=secure, path="/"
    )


async def start_session(response: web.StreamResponse, user: User, secure: bool) -> WebSession:
    token = secrets.token_urlsafe(32)
    session = await WebSession.create(
        token_hash=_digest(token),
        user=user,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=datetime.now(UTC) + SESSION_LIFETIME,
    )
    _set_cookie(response, SESSION_COOKIE, token, int(SESSION_LIFETIME.total_seconds()), secure)
    response.del_cookie(PRELOGIN_CSRF_COOKIE, path="/")
    return session


async def load_session(request: web.Request) -> WebSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    # A deactivated user's sessions end at once (a password change deletes them outright).
    return await WebSession.get_or_none(
        token_hash=_digest(token), expires_at__gt=datetime.now(UTC), user__active=True
    ).prefetch_related("user")


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await WebSession.filter(token_hash=_digest(token)).delete()
    response.del_cookie(SESSION_COOKIE, path="/")


async def purge_expired_sessions() -> int:
    return await WebSession.filter(expires_at__lte=datetime.now(UTC)).delete()


def prelogin_csrf_token(request: web.Request) -> str:
    """The double-submit token for forms shown before login (reused while the cookie lives)."""
    token = request.cookies.get(PRELOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    request[PRELOGIN_CSRF] = token
    return token


def remember_prelogin_csrf(
    request: web.Request, response: web.StreamResponse, secure: bool
) -> None:
    token = request.get(PRELOGIN_CSRF)
    if token and request.cookies.get(PRELOGIN_CSRF_COOKIE) != token:
        _set_cookie(response, PRELOGIN_CSRF_COOKIE, token, None, secure)


def check_csrf(request: web.Request, submitted: str | None) -> None:
    session: WebSession | None = request.get(SESSION)
    expected = session.csrf_token if session else request.cookies.get(PRELOGIN_CSRF_COOKIE)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfError("the form's security token is missing or stale; reload the page")
