"""Call control over JSON: hold, resume and record a connected call.

The agent on the call may act on it, and so may a supervisor or an admin; everyone else gets
403. A call that is not connected (any more) is 404, a request its state does not allow 409.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ehd.calls.call_control import ConnectedCall
from ehd.db.models import Role
from ehd.errors import PermissionDeniedError
from ehd.queueing.call_controls import call_message
from ehd.queueing.service import QueueService
from ehd.web.auth import current_user
from ehd.web.json_input import json_body
from ehd.web.keys import QUEUE_SERVICE, running_queues

routes = web.RouteTableDef()


async def _call_for(request: web.Request, doing: str) -> tuple[QueueService, str]:
    """The queue service and the call in the path, once the user may act on it."""
    user = current_user(request)
    await json_body(request)
    service = running_queues(request.app[QUEUE_SERVICE])
    call_id = request.match_info["call_id"]
    supervisor = user.role in (Role.ADMIN, Role.SUPERVISOR)
    if not supervisor and not service.agent_on_call(user.username, call_id):
        raise PermissionDeniedError(f"only the agent on the call or a supervisor may {doing} it")
    return service, call_id


def _answer(service: QueueService, call: ConnectedCall) -> web.StreamResponse:
    """``{"call": {call_id, state, connected_at, hold_seconds}}``, as the console is told."""
    state: dict[str, Any] = call_message(call, service.clock())
    del state["type"]
    return web.json_response({"call": state})


@routes.post("/api/calls/{call_id}/hold")
async def hold_call(request: web.Request) -> web.StreamResponse:
    """The customer leaves the conversation and hears the queue's music."""
    service, call_id = await _call_for(request, "hold")
    return _answer(service, await service.controls.hold(call_id))


@routes.post("/api/calls/{call_id}/resume")
async def resume_call(request: web.Request) -> web.StreamResponse:
    service, call_id = await _call_for(request, "resume")
    return _answer(service, await service.controls.resume(call_id))


@routes.post("/api/calls/{call_id}/recording")
async def record_call(request: web.Request) -> web.StreamResponse:
    """Start recording the call (on demand; queues may record every call anyway)."""
    service, call_id = await _call_for(request, "record")
    path = await service.start_recording(call_id)
    return web.json_response({"call_id": call_id, "recording": path})
