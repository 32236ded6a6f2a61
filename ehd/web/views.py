"""Pages of the web skeleton: login, logout, home, status, and the JSON health check."""

from __future__ import annotations

import math
import time

from aiohttp import web

from ehd.accounts.permissions import LABELS, Permission, may
from ehd.accounts.service import AccountLockedError, authenticate
from ehd.db.models import Role, User
from ehd.errors import AuthenticationError, PermissionDeniedError
from ehd.web import sessions
from ehd.web.keys import CONFIG, HEALTH, LOGIN_ATTEMPTS, SESSION, USER
from ehd.web.rendering import render

routes = web.RouteTableDef()


def current_user(request: web.Request) -> User:
    user: User | None = request.get(USER)
    if user is None:
        raise web.HTTPSeeOther(f"/login?next={request.rel_url}")
    return user


def require_permission(request: web.Request, permission: Permission) -> User:
    """The logged-in user (else to the login page), if they have ``permission``."""
    user = current_user(request)
    if not may(user, permission):
        raise PermissionDeniedError(f"you may not do this ({LABELS[permission].lower()})")
    return user


def require_role(request: web.Request, *roles: Role) -> User:
    user = current_user(request)
    if user.role not in roles:
        raise PermissionDeniedError("you do not have access to this page")
    return user


def _safe_next(target: str) -> str:
    # Only local paths: never redirect a login to another site.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@routes.get("/login", name="login")
async def login_form(request: web.Request) -> web.StreamResponse:
    if request.get(USER) is not None:
        raise web.HTTPSeeOther("/")
    return render(
        "login.html",
        request,
        dict(next=_safe_next(request.query.get("next", "/")), error=None),
    )


@routes.post("/login")
async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", ""))
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))

    def refused(error: str, status: int) -> web.Response:
        return render("login.html", request, dict(next=target, error=error), status=status)

    attempts, address = request.app[LOGIN_ATTEMPTS], request.remote or ""
    wait = attempts.wait(address, time.monotonic())
    if wait:
        response = refused(f"Too many tries; wait {math.ceil(wait)} seconds.", 429)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    try:
        user = await authenticate(username, password)
    except AccountLockedError:
        user = None
        error = "Too many failed logins: the account is locked for 15 minutes."
    else:
        error = "Wrong username or password."
    if user is None:
        attempts.failed(address, time.monotonic())
        return refused(error, 401)
    response = web.HTTPSeeOther(target)
    await sessions.start_session(response, user, secure=request.secure)
    raise response


@routes.post("/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    response = web.HTTPSeeOther("/login")
    await sessions.end_session(request, response)
    raise response


@routes.get("/", name="home")
async def home(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    return render("home.html", request, dict(me=user))


@routes.get("/status")
async def status_page(request: web.Request) -> web.StreamResponse:
    current_user(request)
    checks = await request.app[HEALTH].check()
    config = request.app[CONFIG]
    return render(
        "status.html",
        request,
        dict(checks=checks, healthy=all(checks.values()), config=config),
    )


@routes.get("/health")
async def health(request: web.Request) -> web.StreamResponse:
    checks = await request.app[HEALTH].check()
    healthy = all(checks.values())
    return web.json_response(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )


@routes.get("/api/me")
async def me(request: web.Request) -> web.StreamResponse:
    """Who is logged in, and the token multipart uploads must carry (a form can be posted
    cross-site, a JSON body cannot)."""
    user: User | None = request.get(USER)
    if user is None:
        raise AuthenticationError("log in first")
    session = request.get(SESSION)
    return web.json_response(
        {
            "username": user.username,
            "role": user.role.value,
            "csrf_token": session.csrf_token if session else "",
        }
    )
