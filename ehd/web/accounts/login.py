"""Logging in and out (with the per-address attempt limit), and who is logged in (``/api/me``)."""

from __future__ import annotations

import math
import time

from aiohttp import web

from ehd.accounts.service import AccountLockedError, authenticate
from ehd.db.models import User
from ehd.errors import AuthenticationError
from ehd.web import sessions
from ehd.web.keys import LOGIN_ATTEMPTS, SESSION, USER
from ehd.web.rendering import render

routes = web.RouteTableDef()


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
