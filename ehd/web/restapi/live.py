"""Agent state and call control for scripts: the console's own JSON doors (one owner each),
reached with the REST API's Basic authentication instead of a browser session.

``/agents/{username}`` (GET the state; POST ``login``, ``logout``, ``pause``, ``unpause``) and
``/livecalls/{call_id}/{action}`` for a connected call (``hold``, ``resume``, ``recording``,
``transfer``, ``consult``, ``consult/toggle``, ``consult/join``, ``consult/cancel``,
``consult/complete``, ``monitor``). Bodies are the console's JSON; call control answers 503
while telephony is not running.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from aiohttp import web

from ehd.errors import NotFoundError
from ehd.web.keys import USER
from ehd.web.restapi.http import BASE, basic_admin
from ehd.web.restapi.openapi import document
from ehd.web.telephony import call_control_api, queue_api

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

AGENT_ACTIONS: dict[str, Handler] = {
    "login": queue_api.agent_login,
    "logout": queue_api.agent_logout,
    "pause": queue_api.agent_pause,
    "unpause": queue_api.agent_unpause,
}
CALL_ACTIONS: dict[str, Handler] = {
    "hold": call_control_api.hold_call,
    "resume": call_control_api.resume_call,
    "recording": call_control_api.record_call,
    "transfer": call_control_api.transfer_call,
    "consult": call_control_api.consult,
    "consult/toggle": call_control_api.toggle_consult,
    "consult/join": call_control_api.join_consult,
    "consult/cancel": call_control_api.cancel_consult,
    "consult/complete": call_control_api.complete_consult,
    "monitor": call_control_api.monitor_call,
}

routes = web.RouteTableDef()


@routes.get(f"{BASE}/openapi.json")
async def openapi(request: web.Request) -> web.StreamResponse:
    return web.json_response(_whole_document())


@cache
def _whole_document() -> dict[str, Any]:
    """The resources' document with these routes added."""
    resources = document()
    return {**resources, "paths": {**resources["paths"], **openapi_paths()}}


async def _as_rest_user(request: web.Request) -> None:
    request[USER] = await basic_admin(request)


@routes.get(BASE + "/agents/{username}")
async def agent_state(request: web.Request) -> web.StreamResponse:
    await _as_rest_user(request)
    return await queue_api.agent_state(request)


@routes.post(BASE + "/agents/{username}/{action}")
async def agent_action(request: web.Request) -> web.StreamResponse:
    await _as_rest_user(request)
    handler = AGENT_ACTIONS.get(request.match_info["action"])
    if handler is None:
        raise NotFoundError(f"agents have no action {request.match_info['action']!r}")
    return await handler(request)


@routes.post(BASE + "/livecalls/{call_id}/{action:consult/[a-z]+|[a-z]+}")
async def call_action(request: web.Request) -> web.StreamResponse:
    await _as_rest_user(request)
    handler = CALL_ACTIONS.get(request.match_info["action"])
    if handler is None:
        raise NotFoundError(f"calls have no action {request.match_info['action']!r}")
    return await handler(request)


def openapi_paths() -> dict[str, Any]:
    """These routes in the OpenAPI document."""
    text = {"type": "string"}
    state = {"type": "object", "properties": {"username": text, "state": text,
             "pause_reason": text, "device": text,
             "queues": {"type": "array", "items": text}}}  # fmt: skip
    errors = {code: {"$ref": "#/components/responses/Error"} for code in
              ("400", "401", "403", "404", "409", "429", "503")}  # fmt: skip
    body = {"content": {"application/json": {"schema": {"type": "object"}}}, "required": True}

    def answer(schema: dict[str, Any], status: str = "200") -> dict[str, Any]:
        return {status: {"description": "OK", "content": {"application/json": {"schema": schema}}},
                **errors}  # fmt: skip

    def path_param(name: str) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "schema": text}

    paths: dict[str, Any] = {
        f"{BASE}/agents/{{username}}": {"get": {
            "summary": "An agent's state (logged out, ready, paused, busy…)",
            "parameters": [path_param("username")], "responses": answer(state)}},
    }  # fmt: skip
    for action in AGENT_ACTIONS:
        paths[f"{BASE}/agents/{{username}}/{action}"] = {"post": {
            "summary": f"Agent {action} (the console's body: queues, number, reason)",
            "parameters": [path_param("username")], "requestBody": body,
            "responses": answer(state)}}  # fmt: skip
    for action in CALL_ACTIONS:
        paths[f"{BASE}/livecalls/{{call_id}}/{action}"] = {"post": {
            "summary": f"Call control: {action} (the console's body)",
            "parameters": [path_param("call_id")], "requestBody": body,
            "responses": {**answer({"type": "object"}),
                          **answer({"type": "object"}, "202")}}}  # fmt: skip
    return paths
