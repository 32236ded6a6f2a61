"""JSON API for agent state and queue settings (the consoles and tests use it).

Cookie sessions are accepted only with a JSON body, which a cross-site form cannot send.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from ehd.db.models import AgentSession, Did, Queue, QueueMember, Role, RouteType, User
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
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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


def _admin(request: web.Request) -> User:
    me = _me(request)
    if me.role != Role.ADMIN:
        raise PermissionDeniedError("only admins change this")
    return me


@routes.put("/api/queues/{name}")
async def put_queue(request: web.Request) -> web.StreamResponse:
    """Create the queue, or change the settings given (others stay)."""
    _admin(request)
    name = request.match_info["name"]
    if not _NAME.match(name):
        raise ValidationError("queue names are 1-64 letters, digits, - or _", field="name")
    queue = await Queue.get_or_none(name=name) or Queue(name=name)
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


@routes.put("/api/queues/{name}/members/{username}")
async def put_member(request: web.Request) -> web.StreamResponse:
    _admin(request)
    queue = await Queue.get_or_none(name=request.match_info["name"])
    user = await User.get_or_none(username=request.match_info["username"])
    if queue is None or user is None:
        raise NotFoundError("no such queue or user")
    penalty = (await _json(request)).get("penalty", 0)
    if not isinstance(penalty, int) or isinstance(penalty, bool) or not 0 <= penalty <= 100:
        raise ValidationError("penalty must be a whole number from 0 to 100", field="penalty")
    await QueueMember.update_or_create(user=user, queue=queue, defaults={"penalty": penalty})
    return web.json_response({"queue": queue.name, "username": user.username, "penalty": penalty})


@routes.put("/api/dids/{number}")
async def put_did(request: web.Request) -> web.StreamResponse:
    """Route a dialled number: {"route_type": "queue", "queue": "support", "priority": 5}."""
    _admin(request)
    number = request.match_info["number"]
    if not re.fullmatch(r"\+?[0-9]{2,20}", number):
        raise ValidationError("a DID is 2-20 digits, optionally with a leading +", field="number")
    body = await _json(request)
    try:
        route_type = RouteType(body.get("route_type", "unused"))
    except ValueError as err:
        raise ValidationError(
            f"unknown route_type {body.get('route_type')!r}", field="route_type"
        ) from err
    values: dict[str, Any] = {"route_type": route_type, "queue": None, "user": None}
    if "queue" in body:
        values["queue"] = await Queue.get_or_none(name=str(body["queue"]))
        if values["queue"] is None:
            raise ValidationError(f"no queue {body['queue']!r}", field="queue")
    if "user" in body:
        values["user"] = await User.get_or_none(username=str(body["user"]))
        if values["user"] is None:
            raise ValidationError(f"no user {body['user']!r}", field="user")
    for key in ("priority", "ring_seconds"):
        if key in body:
            if not isinstance(body[key], int) or isinstance(body[key], bool):
                raise ValidationError(f"{key} must be a whole number", field=key)
            values[key] = body[key]
    did, _ = await Did.update_or_create(number=number, defaults=values)
    return web.json_response(
        {"number": did.number, "route_type": did.route_type.value, "priority": did.priority}
    )


@routes.get("/api/queues/metrics")
async def queue_metrics(request: web.Request) -> web.StreamResponse:
    """Internal timings for benchmarks: agent-ready to originate, in milliseconds."""
    _admin(request)
    service = _service(request)
    samples = list(service.ready_to_originate) if service is not None else []
    return web.json_response({"ready_to_originate_ms": [round(s * 1000, 3) for s in samples]})
