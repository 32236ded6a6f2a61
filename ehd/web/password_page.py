"""Changing one's own password, and the forced change once it has expired (strict policy)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ehd.accounts.password_policy import Policy
from ehd.accounts.passwords import verify_password
from ehd.accounts.service import change_password, password_expired
from ehd.db.models import User
from ehd.errors import PasswordExpiredError, ValidationError
from ehd.web.keys import CONFIG
from ehd.web.rendering import render
from ehd.web.views import current_user

routes = web.RouteTableDef()
ALWAYS_OPEN = ("/password", "/logout", "/login", "/static/", "/health")


def policy_of(request: web.Request) -> Policy:
    return Policy(request.app[CONFIG].password_policy)


def check_not_expired(request: web.Request, user: User) -> None:
    """An expired password allows nothing but changing it (pages redirect there)."""
    if request.path.startswith(ALWAYS_OPEN) or not password_expired(user, policy_of(request)):
        return
    if request.method == "GET" and not request.path.startswith(("/api/", "/RestAPI/")):
        raise web.HTTPSeeOther("/password?expired=1")
    raise PasswordExpiredError("your password has expired; change it at /password")


def _page(request: web.Request, **values: object) -> web.Response:
    status = int(str(values.pop("status", 200)))
    context = {"error": None, "done": False, "expired": request.query.get("expired") == "1",
               "strict": policy_of(request) is Policy.STRICT, **values}  # fmt: skip
    return render("password.html", request, context, status=status)


@routes.get("/password")
async def password_form(request: web.Request) -> web.StreamResponse:
    current_user(request)
    return _page(request)


@routes.post("/password")
async def password_submit(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    form = await request.post()
    old, new = str(form.get("current", "")), str(form.get("new", ""))
    if not await asyncio.to_thread(verify_password, user.password_hash, old):
        return _page(request, error="The current password is wrong.", status=400)
    if new != str(form.get("repeat", "")):
        return _page(request, error="The new passwords differ.", status=400)
    try:
        await change_password(user, new, policy_of(request))
    except ValidationError as err:
        return _page(request, error=err.message.capitalize() + ".", status=400)
    return _page(request, done=True)
