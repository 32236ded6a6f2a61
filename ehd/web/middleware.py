"""Middlewares: errors mapped in one place, security headers, the logged-in user, CSRF."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from tortoise.exceptions import DBConnectionError, OperationalError
from tortoise.exceptions import ValidationError as OrmValidationError

from ehd.accounts.menus import menu_for
from ehd.accounts.site_store import ORIGIN
from ehd.errors import EhdError
from ehd.web import sessions
from ehd.web.auth import check_not_expired, wants_json
from ehd.web.keys import SESSION, SHORTCUTS, USER
from ehd.web.rendering import render

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Public forms posted from other sites' pages: no session to protect
# (see ehd.web.tickets.contact_form)
CSRF_EXEMPT = ("/form/", "/chat/")  # public pages without a session (no /chats/)


def _error_response(
    request: web.Request,
    status: int,
    error_id: str,
    message: str,
    details: dict[str, object] | None = None,
) -> web.StreamResponse:
    if wants_json(request):
        return web.json_response(
            {"error": error_id, "message": message, "details": details or {}}, status=status
        )
    return render("error.html", request, {"status": status, "message": message}, status=status)


# SQLite waits for a lock for a few seconds by itself (the driver's timeout) before it gives up.
_BUSY = re.compile(r"database is (locked|busy)|could not connect|connection (was )?closed", re.I)
RETRY_AFTER_SECONDS = 2


def _database_busy(request: web.Request, err: Exception) -> web.StreamResponse:
    """The database is held or out of reach: the client may try again shortly."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, err)
    message = "the database is busy; try again shortly"
    response = _error_response(request, 503, "database-busy", message)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except EhdError as err:
        response = _error_response(request, err.status, err.error_id, err.message, err.details)
        if err.status == 401 and request.path.startswith("/RestAPI/"):
            response.headers["WWW-Authenticate"] = 'Basic realm="ehd", charset="UTF-8"'
        retry_after = err.details.get("retry_after") if err.details else None
        if err.status == 429 and isinstance(retry_after, int):
            response.headers["Retry-After"] = str(retry_after)
        allowed = err.details.get("allow") if err.details else None
        if err.status == 405 and isinstance(allowed, list):
            response.headers["Allow"] = ", ".join(str(method) for method in allowed)
        return response
    except UnicodeDecodeError:  # a form or query that is not UTF-8
        return _error_response(request, 400, "invalid-encoding", "the request is not valid UTF-8")
    except DBConnectionError as err:
        return _database_busy(request, err)
    except OperationalError as err:
        if _BUSY.search(str(err)):
            return _database_busy(request, err)
        return _internal_error(request)
    except OrmValidationError as err:  # a value the database field refuses: the input's fault
        log.info("refused by a model field on %s %s: %s", request.method, request.path, err)
        return _error_response(request, 400, "invalid-value", str(err))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _error_response(request, exc.status, f"http-{exc.status}", exc.reason)
    except Exception:
        return _internal_error(request)


def _internal_error(request: web.Request) -> web.StreamResponse:
    """A failure nobody foresaw: logged under a fresh incident id that the answer repeats, so a
    user's report leads straight to the traceback."""
    incident = secrets.token_hex(6)
    log.exception("unhandled error %s on %s %s", incident, request.method, request.path)
    message = f"Something went wrong on our side; it has been logged as incident {incident}."
    return _error_response(request, 500, "internal-error", message, {"incident": incident})


def frame_policy(origins: list[str]) -> str:
    """The page's Content-Security-Policy: as strict as every page, but framable by the site's
    own origins. Pure."""
    allowed = " ".join(["'self'", *[o for o in origins if ORIGIN.fullmatch(o)]])
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {allowed}")


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _check_not_forged(request: web.Request) -> None:
    """A state change comes from our own pages or API clients, whatever it asks to get back:
    a JSON body (another site's form cannot send one, and a script needs a preflight we never
    allow), else the session's token, in the form or the ``X-CSRF-Token`` header. The REST API
    takes no cookies, so it has nothing to forge."""
    if request.path.startswith("/RestAPI/") or request.content_type == "application/json":
        return
    token = request.headers.get("X-CSRF-Token")
    if token is None and request.content_type in FORM_TYPES:
        field = (await request.post()).get("csrf_token")
        token = field if isinstance(field, str) else None
    sessions.check_csrf(request, token)


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    session = await sessions.load_session(request)
    request[SESSION] = session
    request[USER] = session.user if session else None
    if session is not None:
        check_not_expired(request, session.user)
        page = not wants_json(request) and not request.path.startswith("/static/")
        if request.method == "GET" and page:
            request[SHORTCUTS] = await menu_for(session.user)
    if request.method in _UNSAFE_METHODS and not request.path.startswith(CSRF_EXEMPT):
        await _check_not_forged(request)
    response = await handler(request)
    sessions.remember_prelogin_csrf(request, response, secure=request.secure)
    return response
