"""What every JSON API handler needs: the body as an object, the user, the admin check.

Cookie sessions are accepted only with a JSON body (or a multipart upload, which also needs
the CSRF token), which a cross-site form cannot forge.
"""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web

from ehd.accounts.permissions import LABELS, Permission, may
from ehd.db.models import Role, User
from ehd.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ehd.web.keys import USER

MAX_JSON_DEPTH = 16


async def json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise ValidationError("send a JSON body (Content-Type: application/json)")
    if not request.can_read_body:
        return {}
    try:
        body = parse_json(await request.text())
    except (ValueError, RecursionError) as err:
        raise ValidationError(f"the body is not valid JSON ({err})") from err
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object")
    return body


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large for a number")
    return number


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str) -> Any:
    """Strict JSON: no NaN or Infinity, no number that overflows to infinity, and nesting of
    at most MAX_JSON_DEPTH levels (the parser's own RecursionError covers far deeper text)."""
    value = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    level, layer = 0, [value]
    while layer:
        level += 1
        if level > MAX_JSON_DEPTH:
            raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        layer = [
            child
            for item in layer
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
    return value


def current_user(request: web.Request) -> User:
    user: User | None = request.get(USER)
    if user is None:
        raise AuthenticationError("log in first")
    return user


def require_permission(request: web.Request, permission: Permission) -> User:
    me = current_user(request)
    if not may(me, permission):
        raise PermissionDeniedError(f"you may not do this ({LABELS[permission].lower()})")
    return me


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
