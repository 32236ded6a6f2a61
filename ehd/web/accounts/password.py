"""Changing one's own password, and the forced change once it has expired (strict policy)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ehd.accounts.password_policy import Policy
from ehd.accounts.passwords import verify_password
from ehd.accounts.service import change_password
from ehd.errors import ValidationError
from ehd.web import sessions
from ehd.web.auth import current_user, policy_of
from ehd.web.keys import CONFIG
from ehd.web.rendering import render

routes = web.RouteTableDef()


def _page(request: web.Request, **values: object) -> web.Response:
    status = int(str(values.pop("status", 200)))
    context = {"error": None, "done": request.query.get("done") == "1",
               "expired": request.query.get("expired") == "1",
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
        await change_password(
            user, new, policy_of(request), request.app[CONFIG].admin_password_min_length
        )
    except ValidationError as err:
        return _page(request, error=err.message.capitalize() + ".", status=400)
    # Every session ended with the old password; this browser goes on in a new one.
    response = web.HTTPSeeOther("/password?done=1")
    await sessions.start_session(response, user, secure=request.secure)
    raise response
