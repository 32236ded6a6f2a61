"""Logging in and out (with the per-address attempt limit), and who is logged in (``/api/me``)."""

from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from aiohttp import web

from ehd.accounts.service import AccountLockedError, authenticate
from ehd.db.models import User
from ehd.errors import AuthenticationError
from ehd.web import sessions
from ehd.web.client_address import client_of
from ehd.web.keys import LOGIN_ATTEMPTS, SESSION, USER
from ehd.web.rendering import render

routes = web.RouteTableDef()


def safe_next(target: str) -> str:
    r"""Where to go after logging in: a path on this site, else home. Pure.

    Browsers drop tabs and newlines from addresses and read a backslash as a slash, so
    ``/<TAB>/evil.example`` and ``/\evil.example`` mean ``//evil.example``, another site: any
    control character or backslash, and anything with a scheme or host, sends home instead."""
    if any(ord(ch) < 0x20 or ch in "\\\x7f" for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@routes.get("/login", name="login")
async def login_form(request: web.Request) -> web.StreamResponse:
    if request.get(USER) is not None:
        raise web.HTTPSeeOther("/")
    return render(
        "login.html",
        request,
        dict(next=safe_next(request.query.get("next", "/")), error=None),
    )


@routes.post("/login")
async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", ""))
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/")))

    def refused(error: str, status: int) -> web.Response:
        return render("login.html", request, dict(next=target, error=error), status=status)

    attempts, address = request.app[LOGIN_ATTEMPTS], client_of(request)
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
