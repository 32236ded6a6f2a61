"""The agent console and the mobile page: pages, and their live feed over a websocket (state,
queue figures, the offered call before the phone rings, screen pops).

A login made from the console ends when no console of that agent has been connected for
``console_grace_seconds`` (the desktop client's behaviour); web and mobile logins stay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from ehd.chat import service as chat
from ehd.db.models import AgentSession, CallRecord, QueueMember, User
from ehd.queueing import agents, pause_codes
from ehd.queueing.call_controls import call_message
from ehd.web.auth import current_user, user_in_path
from ehd.web.i18n import script_labels
from ehd.web.keys import CONFIG, CONSOLES, QUEUE_SERVICE
from ehd.web.peers import live_figures
from ehd.web.rendering import render
from ehd.web.telephony.console_grace import CONSOLE_GRACE

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

HEARTBEAT_SECONDS = 15.0
FIGURES_SECONDS = 3.0
# What web/static/agent.js writes on the page, translated for it (data-labels).
SCRIPT_TEXTS = ("failed", "unknown", "not known", "Classification saved.", "calls", "answered",
                "abandoned", "live", "reconnecting…", "waiting", "mine", "talking", "on hold",
                "ended", "Recording started.", "on hold for %s s", "Agents", "Queues",
                "Transferred.", "ringing", "talking to the colleague",
                "talking to the customer",
                "Choose an agent or a queue, or type a number to consult.",
                "all three talking", "Voicemail")  # fmt: skip


async def _page_context(request: web.Request, user: User) -> dict[str, Any]:
    members = await QueueMember.filter(user=user).prefetch_related("queue")
    session = await AgentSession.get_or_none(user=user)
    return {
        "labels": script_labels(request, user, SCRIPT_TEXTS),
        "queues": sorted(m.queue.name for m in members),
        "session": session,
        "sip_extension": user.sip_extension or "",
        "phone_kind": str(user.phone_kind),
        "remote_number": user.remote_number,
        "pause_codes": await pause_codes.listed(),
    }


@routes.get("/agent")
async def console_page(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    return render("agent_console.html", request, await _page_context(request, user))


@routes.get("/m")
async def mobile_page(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    return render("agent_mobile.html", request, await _page_context(request, user))


@routes.get("/api/overview")
async def overview(request: web.Request) -> web.StreamResponse:
    """Logged-in agents, calls waiting, today's calls (the mobile page's lists) and chats
    (waiting, and the user's own)."""
    me = current_user(request)
    sessions = await AgentSession.all().prefetch_related("user")
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    today = await CallRecord.filter(started_at__gte=midnight).exclude(route_type="callback")
    results = [record.result for record in today]
    return web.json_response(
        {
            "agents": sorted(
                (
                    {"username": s.user.username, "state": s.state, "queues": s.queues}
                    for s in sessions
                ),
                key=lambda a: str(a["username"]),
            ),
            "queues": live_figures(request.app),
            "chats": await chat.counts(me),
            "today": {
                "calls": len(results),
                "answered": results.count("answered"),
                "abandoned": results.count("abandoned"),
            },
        }  # fmt: skip
    )


@routes.get("/api/agents/{username}/events")
async def agent_events(request: web.Request) -> web.StreamResponse:
    me, user = await user_in_path(request, "console")
    username = user.username
    socket = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS)
    await socket.prepare(request)
    consoles = request.app[CONSOLES]
    feed = consoles.subscribe(username)
    grace = request.app[CONSOLE_GRACE]
    grace.cancel(username)  # the console came back in time
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
        service = request.app[QUEUE_SERVICE].current()
        call = service.controls.of_agent(username) if service is not None else None
        if service is not None and call is not None:  # opened (or reloaded) mid-call
            await socket.send_json(call_message(call, service.clock()))
        await _pump(request, socket, feed)
    finally:
        consoles.unsubscribe(username, feed)
        if not consoles.watching(username) and username == me.username:
            seconds = request.app[CONFIG].console_grace_seconds
            grace.start(username, lambda: _end_console_login(request, user), seconds)
    return socket


async def _pump(
    request: web.Request, socket: web.WebSocketResponse, feed: asyncio.Queue[dict[str, Any]]
) -> None:
    reader = asyncio.create_task(_drain(socket))
    try:
        while not reader.done():
            getter = asyncio.ensure_future(feed.get())
            done, _ = await asyncio.wait({getter, reader}, timeout=FIGURES_SECONDS,
                                         return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
            if getter in done:
                await socket.send_json(getter.result())
                continue
            getter.cancel()
            figures = live_figures(request.app)
            if not reader.done() and figures:
                await socket.send_json({"type": "figures", "queues": figures})
    except ConnectionResetError:
        pass
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


async def _end_console_login(request: web.Request, user: User) -> None:
    grace = request.app[CONFIG].console_grace_seconds
    if request.app[CONSOLES].watching(user.username):
        return
    session = await AgentSession.get_or_none(user=user)
    if session is not None and session.source == "console":
        log.info("console of %s gone for %d s: logging out", user.username, grace)
        await agents.logout(user, request.app[QUEUE_SERVICE].current())


async def _drain(socket: web.WebSocketResponse) -> None:
    """Read until the console goes away (it sends nothing we need)."""
    async for message in socket:
        if message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
            return
