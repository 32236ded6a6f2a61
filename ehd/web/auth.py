"""Who is asking, and may they: the one check for pages and JSON APIs alike.

A page without a logged-in user sends the browser to the login page (and back afterwards); a
JSON request gets a 401 it can act on. Both get the same 403 for a missing permission, and an
expired password allows nothing but changing it.
"""

from __future__ import annotations

from aiohttp import web

from ehd.accounts.password_policy import Policy
from ehd.accounts.permissions import LABELS, Permission, may
from ehd.accounts.service import password_expired
from ehd.db.models import Role, User
from ehd.errors import (
    AuthenticationError,
    NotFoundError,
    PasswordExpiredError,
    PermissionDeniedError,
)
from ehd.web.keys import CONFIG, USER


def wants_json(request: web.Request) -> bool:
    return (
        request.path.startswith(("/RestAPI/", "/api/"))
        or request.path == "/health"
        or "application/json" in request.headers.get("Accept", "")
    )


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


def current_user(request: web.Request) -> User:
    user: User | None = request.get(USER)
    if user is None:
        if wants_json(request):
            raise AuthenticationError("log in first")
        raise web.HTTPSeeOther(f"/login?next={request.rel_url}")
    return user


def require_permission(request: web.Request, permission: Permission) -> User:
    """The logged-in user, if they have ``permission``."""
    user = current_user(request)
    if not may(user, permission):
        raise PermissionDeniedError(f"you may not do this ({LABELS[permission].lower()})")
    return user


def require_role(request: web.Request, *roles: Role) -> User:
    user = current_user(request)
    if user.role not in roles:
        raise PermissionDeniedError("you do not have access to this page")
    return user


def require_admin(request: web.Request) -> User:
    me = current_user(request)
    if me.role != Role.ADMIN:
        raise PermissionDeniedError("only admins change this")
    return me


async def user_in_path(
    request: web.Request, what: str, roles: tuple[Role, ...] = (Role.ADMIN, Role.SUPERVISOR)
) -> tuple[User, User]:
    """(me, the user named in the path): yourself always, others only with one of ``roles``."""
    me = current_user(request)
    username = request.match_info["username"]
    if username != me.username and me.role not in roles:
        raise PermissionDeniedError(f"you may only change your own {what}")
    user = await User.get_or_none(username=username)
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return me, user
