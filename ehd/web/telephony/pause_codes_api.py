"""JSON API for the site's pause codes: everyone logged in reads them (the console's choice),
admins replace the list."""

from __future__ import annotations

from aiohttp import web

from ehd.queueing import pause_codes
from ehd.web.auth import current_user, require_admin
from ehd.web.json_input import json_body

routes = web.RouteTableDef()


async def _listing() -> web.Response:
    return web.json_response([pause_codes.as_json(c) for c in await pause_codes.listed()])


@routes.get("/api/pause-codes")
async def list_pause_codes(request: web.Request) -> web.StreamResponse:
    current_user(request)
    return await _listing()


@routes.put("/api/pause-codes")
async def replace_pause_codes(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    body = await json_body(request)
    await pause_codes.replace(pause_codes.parse(body.get("codes")))
    return await _listing()
