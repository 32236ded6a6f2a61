"""Call control over JSON: hold, resume, record and transfer a connected call, consult a
colleague (switch, cancel, complete: an attended transfer), and the list of agents and queues
a call can be handed to.

The agent on the call may act on it, and so may a supervisor or an admin; everyone else gets
403. A call that is not connected (any more) is 404, a request its state does not allow 409.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.ari.client import AriHttpError
from ehd.calls.call_control import ConnectedCall
from ehd.calls.dialling import dial_decision
from ehd.calls.transfer_plan import SendOn, TransferKind, TransferTarget
from ehd.db.models import MonitorMode, Role, User
from ehd.errors import ConflictError, PermissionDeniedError, ValidationError
from ehd.queueing.call_controls import call_message
from ehd.queueing.service import QueueService
from ehd.stasis.monitoring import MONITOR
from ehd.stasis.outbound import CLICK_TO_DIAL
from ehd.web.auth import current_user, require_permission
from ehd.web.json_input import json_body
from ehd.web.keys import QUEUE_SERVICE, running_queues

routes = web.RouteTableDef()


async def _call_for(request: web.Request, doing: str) -> tuple[QueueService, str, dict[str, Any]]:
    """The queue service, the call in the path and the request's body, once the user may act
    on the call."""
    user = current_user(request)
    body = await json_body(request)
    service = running_queues(request.app[QUEUE_SERVICE])
    call_id = request.match_info["call_id"]
    supervisor = user.role in (Role.ADMIN, Role.SUPERVISOR)
    if not supervisor and not service.agent_on_call(user.username, call_id):
        raise PermissionDeniedError(f"only the agent on the call or a supervisor may {doing} it")
    return service, call_id, body


def _answer(service: QueueService, call: ConnectedCall) -> web.StreamResponse:
    """``{"call": {call_id, state, connected_at, hold_seconds}}``, as the console is told."""
    state: dict[str, Any] = call_message(call, service.clock())
    del state["type"]
    return web.json_response({"call": state})


@routes.post("/api/calls/{call_id}/hold")
async def hold_call(request: web.Request) -> web.StreamResponse:
    """The customer leaves the conversation and hears the queue's music."""
    service, call_id, _ = await _call_for(request, "hold")
    return _answer(service, await service.controls.hold(call_id))


@routes.post("/api/calls/{call_id}/resume")
async def resume_call(request: web.Request) -> web.StreamResponse:
    service, call_id, _ = await _call_for(request, "resume")
    return _answer(service, await service.controls.resume(call_id))


@routes.post("/api/calls/{call_id}/recording")
async def record_call(request: web.Request) -> web.StreamResponse:
    """Start recording the call (on demand; queues may record every call anyway)."""
    service, call_id, _ = await _call_for(request, "record")
    path = await service.start_recording(call_id)
    return web.json_response({"call_id": call_id, "recording": path})


@routes.post("/api/calls/{call_id}/transfer")
async def transfer_call(request: web.Request) -> web.StreamResponse:
    """Blind transfer, ``{"to": kind, "target": name, "keep_place": true}``; the agent is free
    at once. To a ``queue`` or an ``agent``, the customer waits for them; to a ``number`` (one
    of ours, a colleague's extension, an outside number the agent may dial) or a user's
    ``mailbox``, the call leaves the queues."""
    service, call_id, body = await _call_for(request, "transfer")
    plan = await service.transfers.blind(call_id, _transfer_target(body))
    if isinstance(plan, SendOn):
        return web.json_response({"call_id": call_id, "sent_to": plan.label})
    return web.json_response(
        {
            "call_id": call_id,
            "queue": plan.queue,
            "agent": plan.agent_id,
            "keep_place": plan.keep_place,
        }
    )


def _transfer_target(body: dict[str, Any]) -> TransferTarget:
    kind, name, keep_place = body.get("to"), body.get("target"), body.get("keep_place", True)
    kinds = [k.value for k in TransferKind]
    if kind not in kinds:
        raise ValidationError(f'"to" must be one of {", ".join(kinds)}')
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        raise ValidationError('"target" must name the queue, the agent, the number or the mailbox')
    if not isinstance(keep_place, bool):
        raise ValidationError('"keep_place" must be true or false')
    return TransferTarget(TransferKind(kind), name.strip(), keep_place)


@routes.get("/api/transfer-targets")
async def transfer_targets(request: web.Request) -> web.StreamResponse:
    """Where a call can go: logged-in agents with their state, queues with their line, and
    colleagues' mailboxes (a number is typed, not listed)."""
    require_permission(request, Permission.CALLS_TAKE)
    service = running_queues(request.app[QUEUE_SERVICE])
    agents = service.agent_figures()
    mailboxes = await User.filter(active=True, sip_extension__not_isnull=True).order_by("username")
    return web.json_response(
        {
            "agents": [
                {"username": name, "state": agents[name]["state"], "queues": agents[name]["queues"]}
                for name in sorted(agents)
            ],
            "queues": [
                {"name": name, "waiting": figures["waiting"]}
                for name, figures in sorted(service.figures().items())
            ],
            "mailboxes": [{"username": u.username, "name": u.name} for u in mailboxes],
        }
    )


@routes.post("/api/calls/{call_id}/consult")
async def consult(request: web.Request) -> web.StreamResponse:
    """``{"agent": username}``, ``{"queue": name}`` or ``{"number": "08-123 456 78"}``: the
    customer holds while the agent's colleague (whoever of the queue's agents is free, or the
    number, as the agent may dial it) is rung."""
    service, call_id, body = await _call_for(request, "consult on")
    agent, number, queue = body.get("agent"), body.get("number"), body.get("queue")
    if isinstance(number, str) and number.strip() and len(number) <= 64 and agent is None:
        return _answer(service, await service.controls.consult_number(call_id, number.strip()))
    if isinstance(queue, str) and queue.strip() and len(queue) <= 64 and agent is None:
        return _answer(service, await service.controls.consult_queue(call_id, queue.strip()))
    if not isinstance(agent, str) or not agent.strip() or len(agent) > 64:
        raise ValidationError(
            '"agent" must name a logged-in agent, "queue" a queue, or "number" a number'
        )
    return _answer(service, await service.controls.consult(call_id, agent.strip()))


@routes.post("/api/calls/{call_id}/consult/toggle")
async def toggle_consult(request: web.Request) -> web.StreamResponse:
    """Switch between the customer and the colleague; the other one holds."""
    service, call_id, _ = await _call_for(request, "switch")
    return _answer(service, await service.controls.toggle(call_id))


@routes.post("/api/calls/{call_id}/consult/join")
async def join_consult(request: web.Request) -> web.StreamResponse:
    """A conference: customer, agent and colleague all hear each other. The colleague leaves
    with ``/consult/cancel``, the agent with ``/consult/complete`` (or by hanging up)."""
    service, call_id, _ = await _call_for(request, "join")
    return _answer(service, await service.controls.conference(call_id))


@routes.post("/api/calls/{call_id}/consult/cancel")
async def cancel_consult(request: web.Request) -> web.StreamResponse:
    """Hang up on the colleague and go back to the customer."""
    service, call_id, _ = await _call_for(request, "cancel the consultation on")
    return _answer(service, await service.controls.cancel_consult(call_id))


@routes.post("/api/calls/{call_id}/consult/complete")
async def complete_consult(request: web.Request) -> web.StreamResponse:
    """The attended transfer: customer and colleague talk, the agent is free."""
    service, call_id, _ = await _call_for(request, "transfer")
    return _answer(service, await service.controls.complete(call_id))


@routes.post("/api/calls/dial")
async def click_to_dial(request: web.Request) -> web.StreamResponse:
    """``{"number": "08-123 456 78"}``: ehd rings the user's own phone (the one they take
    queue calls on, else their SIP phone, else their mobile), then the number once they
    answer. A number they may not call is refused here, before any phone rings."""
    user = require_permission(request, Permission.CALLS_TAKE)
    number = (await json_body(request)).get("number")
    if not isinstance(number, str) or not number.strip() or len(number) > 40:
        raise ValidationError('"number" must be a phone number or an extension')
    decision = await dial_decision(user, number)
    if not decision.allowed:
        raise ValidationError(f"{number} cannot be called: {decision.reason}")
    service = running_queues(request.app[QUEUE_SERVICE])
    channel_id, device = await _ring_own_phone(
        service, user, "ehd-click", f"{CLICK_TO_DIAL},{decision.target},{user.username}",
        f'"{decision.target}" <{decision.target}>',
    )  # fmt: skip
    return web.json_response(
        {"call_id": channel_id, "number": decision.target, "ringing": device}, status=202
    )


async def _ring_own_phone(
    service: QueueService,
    user: User,
    prefix: str,
    app_args: str,
    caller_id: str,
    beside: str = "",
) -> tuple[str, str]:
    """Ring the user's own phone into Stasis with ``app_args`` (``beside``: the channel it
    will be bridged with); the new channel and what was rung."""
    device = await _own_phone(service, user.username, user.sip_extension, user.remote_number)
    channel_id = f"{prefix}-{uuid.uuid4().hex[:16]}"
    try:
        await service.ari.originate(device, channel_id=channel_id, app=service.app_name,
                                    app_args=app_args, caller_id=caller_id,
                                    timeout=30, beside=beside)  # fmt: skip
    except AriHttpError as err:
        raise ConflictError("your phone could not be rung") from err
    return channel_id, device


async def _own_phone(
    service: QueueService, username: str, extension: str | None, remote: str
) -> str:
    logged_in = service.floor.devices.get(username)
    if logged_in is not None:
        return logged_in.device
    if extension:
        try:
            state = await service.ari.endpoint_state("PJSIP", extension)
        except AriHttpError:
            state = "unknown"
        if state != "online":
            raise ConflictError(f"your SIP phone ({extension}) is not registered")
        return f"PJSIP/{extension}"
    if remote:
        return f"PJSIP/{remote}@trunk"
    raise ConflictError("you have no phone to ring: a SIP phone or a number of your own")


@routes.post("/api/calls/{call_id}/monitor")
async def monitor_call(request: web.Request) -> web.StreamResponse:
    """``{"mode": "listen" | "whisper" | "barge"}``: ehd rings the supervisor's own phone and,
    once answered, they hear the agent's call (and the agent, or both sides, hear them)."""
    user = require_permission(request, Permission.CALLS_MONITOR)
    mode = (await json_body(request)).get("mode", "listen")
    if mode not in {m.value for m in MonitorMode}:
        raise ValidationError('"mode" must be "listen", "whisper" or "barge"')
    service = running_queues(request.app[QUEUE_SERVICE])
    call_id = request.match_info["call_id"]
    call = service.controls.get(call_id)  # 404 when not connected
    if call.agent_id == user.username:
        raise ConflictError("you cannot monitor your own call")
    _, device = await _ring_own_phone(
        service, user, "ehd-mon", f"{MONITOR},{call_id},{mode},{user.username}",
        f'"{mode}: {call.agent_id}" <{call.agent_id}>', beside=call.agent_channel,
    )  # fmt: skip
    return web.json_response({"call_id": call_id, "mode": mode, "ringing": device}, status=202)
