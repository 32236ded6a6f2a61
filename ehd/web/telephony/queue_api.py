"""JSON API for agent state and queue settings (the consoles and tests use it).

Cookie sessions are accepted only with a JSON body, which a cross-site form cannot send.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from ehd.accounts.service import set_phone_pin
from ehd.db.models import (
    AgentSchedule,
    AgentSession,
    Queue,
    QueueMember,
    Role,
    Site,
    User,
)
from ehd.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ehd.phone_numbers import to_e164
from ehd.queueing import agents, pause_codes
from ehd.queueing.login_schedules import plan_login
from ehd.queueing.queue_store import QUEUE_SETTINGS, save_did, save_queue
from ehd.web.auth import current_user, require_admin, user_in_path
from ehd.web.json_input import json_body
from ehd.web.keys import QUEUE_SERVICE

routes = web.RouteTableDef()

LOGIN_SOURCES = ("web", "console", "mobile", "api")


async def _agent(request: web.Request) -> User:
    return (await user_in_path(request, "state"))[1]


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
    body = await json_body(request)
    queues = body.get("queues")
    if queues is not None and not (
        isinstance(queues, list) and all(isinstance(q, str) for q in queues)
    ):
        raise ValidationError("queues must be a list of queue names", field="queues")
    number = body.get("number")
    if number is not None and not isinstance(number, str):
        raise ValidationError("number must be a string", field="number")
    source = body.get("source", "web")
    if source not in LOGIN_SOURCES:
        raise ValidationError(f"source must be one of {', '.join(LOGIN_SOURCES)}", field="source")
    await agents.login(user, _service(request), queues=queues, number=number, source=source)
    return await _state(user)


@routes.post("/api/agents/{username}/logout")
async def agent_logout(request: web.Request) -> web.StreamResponse:
    user = await _agent(request)
    await json_body(request)
    await agents.logout(user, _service(request))
    return await _state(user)


@routes.post("/api/agents/{username}/pause")
async def agent_pause(request: web.Request) -> web.StreamResponse:
    user = await _agent(request)
    reason = (await json_body(request)).get("reason", "")
    if not isinstance(reason, str):
        raise ValidationError("reason must be a string", field="reason")
    await agents.pause(user, _service(request), await pause_codes.checked_reason(reason))
    return await _state(user)


@routes.post("/api/agents/{username}/unpause")
async def agent_unpause(request: web.Request) -> web.StreamResponse:
    user = await _agent(request)
    await json_body(request)
    await agents.unpause(user, _service(request))
    return await _state(user)


@routes.put("/api/users/{username}/pin")
async def put_pin(request: web.Request) -> web.StreamResponse:
    """Set the PIN for phone services: {"pin": "2468"} (your own, or anyone's as admin)."""
    _, user = await user_in_path(request, "PIN", roles=(Role.ADMIN,))
    pin = (await json_body(request)).get("pin")
    await set_phone_pin(user, pin if isinstance(pin, str) else "")
    return web.json_response({"username": user.username, "pin_set": True})


@routes.put("/api/users/{username}/remote")
async def put_remote(request: web.Request) -> web.StreamResponse:
    """Remote login settings: {"number": "+4670…", "alt_number": "…", "queues": ["support"]}."""
    _, user = await user_in_path(request, "remote login")
    body = await json_body(request)
    for key, field in (("number", "remote_number"), ("alt_number", "alt_number")):
        if key in body:
            raw = body[key] or ""
            number = to_e164(str(raw)) if raw else ""
            if raw and number is None:
                raise ValidationError(f"{key} {raw!r} is not a phone number", field=key)
            setattr(user, field, number)
    if "queues" in body:
        queues = body["queues"]
        if not isinstance(queues, list) or not all(isinstance(q, str) for q in queues):
            raise ValidationError("queues must be a list of queue names", field="queues")
        await agents.memberships(user, queues)  # only queues the agent belongs to
        user.remote_queues = queues
    await user.save(update_fields=["remote_number", "alt_number", "remote_queues"])
    return web.json_response(
        {
            "username": user.username,
            "number": user.remote_number,
            "alt_number": user.alt_number,
            "queues": user.remote_queues,
        }
    )


@routes.get("/api/agents/{username}")
async def agent_state(request: web.Request) -> web.StreamResponse:
    return await _state(await _agent(request))


@routes.put("/api/queues/{name}")
async def put_queue(request: web.Request) -> web.StreamResponse:
    """Create the queue, or change the settings given (others stay)."""
    require_admin(request)
    queue = await save_queue(request.match_info["name"], await json_body(request))
    service = _service(request)
    if service is not None:
        await service.load_queues()
    return web.json_response({"name": queue.name, **{k: getattr(queue, k) for k in QUEUE_SETTINGS}})


@routes.put("/api/queues/{name}/members/{username}")
async def put_member(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    queue = await Queue.get_or_none(name=request.match_info["name"])
    user = await User.get_or_none(username=request.match_info["username"])
    if queue is None or user is None:
        raise NotFoundError("no such queue or user")
    penalty = (await json_body(request)).get("penalty", 0)
    if not isinstance(penalty, int) or isinstance(penalty, bool) or not 0 <= penalty <= 100:
        raise ValidationError("penalty must be a whole number from 0 to 100", field="penalty")
    await QueueMember.update_or_create(user=user, queue=queue, defaults={"penalty": penalty})
    return web.json_response({"queue": queue.name, "username": user.username, "penalty": penalty})


@routes.put("/api/dids/{number}")
async def put_did(request: web.Request) -> web.StreamResponse:
    """Route a dialled number: {"route_type": "queue", "queue": "support", "priority": 5,
    "site": "north"} (the site's code: its calls count in that site's statistics)."""
    require_admin(request)
    did = await save_did(request.match_info["number"], await json_body(request))
    site = await Site.get_or_none(id=did.site_id)
    return web.json_response({
        "number": did.number, "route_type": did.route_type.value, "priority": did.priority,
        "site": site.code if site else "",
    })  # fmt: skip


@routes.get("/api/queues/metrics")
async def queue_metrics(request: web.Request) -> web.StreamResponse:
    """Internal timings for benchmarks: agent-ready to originate, in milliseconds."""
    require_admin(request)
    service = _service(request)
    samples = list(service.ready_to_originate) if service is not None else []
    return web.json_response({"ready_to_originate_ms": [round(s * 1000, 3) for s in samples]})


# --- scheduled logins ---------------------------------------------------------------------
def _supervisor(request: web.Request) -> User:
    me = current_user(request)
    if me.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise PermissionDeniedError("only supervisors plan logins")
    return me


def _schedule_json(row: AgentSchedule, username: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "username": username,
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat(),
        "number": row.number,
        "queues": row.queues,
        "state": row.state,
    }


@routes.post("/api/schedules")
async def create_schedule(request: web.Request) -> web.StreamResponse:
    """{"username": "bob", "starts_at": ISO, "ends_at": ISO, "number": optional, "queues": [...]}
    The number defaults to the agent's remote number, then to their SIP phone."""
    me = _supervisor(request)
    body = await json_body(request)
    row = await plan_login(
        str(body.get("username", "")),
        body.get("starts_at"),
        body.get("ends_at"),
        body.get("number"),
        body.get("queues") or [],
        me.username,
    )
    return web.json_response(_schedule_json(row, row.user.username), status=201)


@routes.get("/api/schedules")
async def list_schedules(request: web.Request) -> web.StreamResponse:
    """The staffing overview: planned and running logins, soonest first."""
    _supervisor(request)
    rows = await AgentSchedule.filter(state__in=("planned", "active")).order_by("starts_at")
    users = {u.id: u.username for u in await User.all()}
    return web.json_response(
        {"schedules": [_schedule_json(r, users.get(r.user_id, "")) for r in rows]}
    )


@routes.delete("/api/schedules/{id:[0-9]{1,9}}")
async def delete_schedule(request: web.Request) -> web.StreamResponse:
    _supervisor(request)
    row = await AgentSchedule.get_or_none(id=int(request.match_info["id"]))
    if row is None:
        raise NotFoundError("no such schedule")
    if row.starts_at <= datetime.now(UTC):
        raise ConflictError("only future schedules can be deleted")
    await row.delete()
    return web.json_response({"deleted": True})
