"""Admin screen for users: list and create (the full user admin grows with the web issue)."""

from __future__ import annotations

from aiohttp import web

from ehd.accounts.password_policy import Policy
from ehd.accounts.service import create_user
from ehd.db.models import Role, User
from ehd.errors import ValidationError
from ehd.web.keys import ACCOUNTS_CHANGED, CONFIG
from ehd.web.rendering import render
from ehd.web.views import require_role

routes = web.RouteTableDef()


async def _render(
    request: web.Request,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> web.StreamResponse:
    users = await User.all().order_by("username")
    return render(
        "admin_users.html",
        request,
        dict(users=users, roles=list(Role), error=error, form=form or {}),
        status=status,
    )


@routes.get("/admin/users")
async def list_users(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _render(request)


@routes.post("/admin/users")
async def add_user(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    data = await request.post()
    form = {
        key: str(data.get(key, "")).strip()
        for key in ("username", "name", "email", "role", "sip_extension")
    }
    try:
        role = Role(form["role"] or Role.AGENT)
    except ValueError:
        return await _render(request, error="Unknown role.", form=form, status=400)
    try:
        await create_user(
            form["username"],
            str(data.get("password", "")),
            name=form["name"],
            email=form["email"],
            role=role,
            sip_extension=form["sip_extension"] or None,
            policy=Policy(request.app[CONFIG].password_policy),
        )
    except ValidationError as err:
        return await _render(request, error=err.message, form=form, status=400)
    await request.app[ACCOUNTS_CHANGED]()
    raise web.HTTPSeeOther("/admin/users")
