"""The agent console's live feed: a websocket of the agent's state, offered calls (sent as the
agent is chosen, before the phone rings) and screen pops. The console page itself is built on
this feed."""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import WSMsgType, web

from ehd.db.models import AgentSession, Role, User
from ehd.errors import NotFoundError, PermissionDeniedError
from ehd.web.api_common import current_user
from ehd.web.keys import CONSOLES

routes = web.RouteTableDef()

HEARTBEAT_SECONDS = 15.0


@routes.get("/api/agents/{username}/events")
async def agent_events(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    username = request.match_info["username"]
    if username != me.username and me.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise PermissionDeniedError("you may only follow your own console")
    user = await User.get_or_none(username=username)
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    socket = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS)
    await socket.prepare(request)
    consoles = request.app[CONSOLES]
    feed = consoles.subscribe(username)
    try:
        session = await AgentSession.get_or_none(user=user)
        await socket.send_json(
            {
                "type": "hello",
                "username": username,
                "state": session.state if session else "logged_out",
                "queues": session.queues if session else [],
            }
        )
        reader = asyncio.create_task(_drain(socket))
        try:
            while not reader.done():
                getter = asyncio.ensure_future(feed.get())
                done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
                if getter in done:
                    await socket.send_json(getter.result())
                else:
                    getter.cancel()
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    finally:
        consoles.unsubscribe(username, feed)
    return socket


async def _drain(socket: web.WebSocketResponse) -> None:
    """Read until the console goes away (it sends nothing we need)."""
    async for message in socket:
        if message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
            return
