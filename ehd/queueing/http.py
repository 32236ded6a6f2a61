"""JSON API for agent state and queue settings (the consoles and tests use it).

Cookie sessions are accepted only with a JSON body, which a cross-site form cannot send.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ehd.db.models import AgentSession, Queue, Role, User
from ehd.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ehd.queueing import agents
from ehd.queueing.config import queue_config
from ehd.web.keys import QUEUE_SERVICE, USER

routes = web.RouteTableDef()

QUEUE_SETTINGS = {
    "number": str,
    "greeting": str,
    "moh_class": str,
    "language": str,
    "strategy": str,
    "weight": int,
    "ring_timeout": float,
    "misses_before_pause": int,
    "wrapup_seconds": float,
    "max_length": int,
    "join_when": str,
    "leave_when": str,
    "overflow_after": float,
    "overflow_kind": str,
    "overflow_target": str,
    "max_penalty": int,
    "penalty_rules": list,
    "exit_keys": dict,
    "sl_goal_seconds": float,
    "sl_target_percent": float,
    "announce_frequency": float,
    "announce_start_delay": float,
    "expected_handle_seconds": float,
}
_NULLABLE = {"overflow_after", "max_penalty"}


async def _json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise ValidationError("send a JSON body (Content-Type: application/json)")
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError as err:
        raise ValidationError("the body is not valid JSON") from err
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object")
    return body


def _me(request: web.Request) -> User:
    user: User | None = request.get(USER)
    if user is None:
        raise AuthenticationError("log in first")
    return user


async def _agent(request: web.Request) -> User:
    me = _me(request)
    username = request.match_info["username"]
    if username != me.username and me.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise PermissionDeniedError("you may only change your own state")
    user = await User.get_or_none(username=username)
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return user


def _service(request: web.Request) -> Any:
    return request.app[QUEUE_SERVICE].current()


async def _state(user: User) -> web.Response:
    session = await AgentSession.get_or_none(user=user)
    if session is None:
        return web.json_response({"username": user.username, "state": "logged_out"})
    return web.json_response(
        {
            "username": user.username,
            "state": session.state,
            "pause_reason": session.pause_reason,
            "device": session.device,
            "queues": session.queues,
        }
    )


@routes.post("/api/agents/{username}/login")
async def agent_login(request: web.Request) -> web.StreamResponse:
    user = await _agent(request)
    body = await _json(request)
    queues = body.get("queues")
    if queues is not None and not (
        isinstance(queues, list) and all(isinstance(q, str) for q in queues)
    ):
        raise ValidationError("queues must be a list of queue names", field="queues")
    number = body.get("number")
    if number is not None and not isinstance(number, str):
        raise ValidationError("number must be a string", field="number")
    await agents.login(user, _service(request), queues=queues, number=number)
    return await _state(user)


@routes.post("/api/agents/{username}/logout")
async def agent_logout(request: web.Request) -> web.StreamResponse:
    user = await _agent(request)
    await _json(request)
    await agents.logout(user, _service(request))
    return await _state(user)


@routes.post("/api/agents/{username}/pause")
async def agent_pause(request: web.Request) -> web.StreamResponse:
    user = await _agent(request)
    reason = (await _json(request)).get("reason", "")
    if not isinstance(reason, str):
        raise ValidationError("reason must be a string", field="reason")
    await agents.pause(user, _service(request), reason)
    return await _state(user)


@routes.post("/api/agents/{username}/unpause")
async def agent_unpause(request: web.Request) -> web.StreamResponse:
    user = await _agent(request)
    await _json(request)
    await agents.unpause(user, _service(request))
    return await _state(user)


@routes.get("/api/agents/{username}")
async def agent_state(request: web.Request) -> web.StreamResponse:
    return await _state(await _agent(request))


@routes.put("/api/queues/{name}")
async def update_queue(request: web.Request) -> web.StreamResponse:
    if _me(request).role != Role.ADMIN:
        raise PermissionDeniedError("only admins change queues")
    queue = await Queue.get_or_none(name=request.match_info["name"])
    if queue is None:
        raise NotFoundError(f"no queue {request.match_info['name']!r}")
    body = await _json(request)
    for key, value in body.items():
        kind = QUEUE_SETTINGS.get(key)
        if kind is None:
            raise ValidationError(f"unknown queue setting {key!r}", field=key)
        if value is None and key in _NULLABLE:
            setattr(queue, key, None)
            continue
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValidationError(f"{key} must be a {kind.__name__}", field=key)
        setattr(queue, key, value)
    queue_config(queue)  # validates strategies, rules and targets before saving
    await queue.save()
    service = _service(request)
    if service is not None:
        await service.load_queues()
    return web.json_response({"name": queue.name, **{k: getattr(queue, k) for k in QUEUE_SETTINGS}})
