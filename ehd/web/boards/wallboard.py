"""The wallboard page, its JSON snapshot and the live websocket."""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import WSMsgType, web

from ehd.accounts.permissions import Permission
from ehd.plain_numbers import whole_number
from ehd.wallboard.feed import WallboardFeed
from ehd.wallboard.snapshot import LiveQueues, snapshot
from ehd.web.auth import require_permission
from ehd.web.i18n import script_labels
from ehd.web.keys import QUEUE_SERVICE
from ehd.web.peers import PEERS
from ehd.web.rendering import render

routes = web.RouteTableDef()
WALLBOARD = web.AppKey("wallboard_feed", WallboardFeed)
# Texts the board's script draws, handed to it translated.
SCRIPT_TEXTS = ("Calls in queue", "Agents logged in", "Avg. queue time", "Service level",
                "Answered", "Lost", "Total", "live", "reconnecting…", "Slide show",
                "Stop slide show", "overdue")  # fmt: skip
VIEWS = {"queues": "Queues and agents", "agents": "Agents", "toplist": "Top list",
         "tickets": "Tickets today", "sites": "Sites", "sla": "Ticket SLA"}  # fmt: skip


def feed_for(app: web.Application) -> WallboardFeed:
    return WallboardFeed(lambda: snapshot(_live(app)))


def _live(app: web.Application) -> LiveQueues:
    """The live figures: this process's own when it runs the calls, else as heard."""
    return app[QUEUE_SERVICE].current() or app[PEERS]


@routes.get("/wallboard")
async def page(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.WALLBOARD)
    seconds = request.query.get("seconds", "15")
    return render("wallboard.html", request, {
        "labels": script_labels(request, me, SCRIPT_TEXTS),
        "views": VIEWS, "slideshow": request.query.get("slideshow") == "1",
        "seconds": whole_number(seconds, low=3, high=600) or 15,
    })  # fmt: skip


@routes.get("/api/wallboard")
async def current(request: web.Request) -> web.StreamResponse:
    require_permission(request, Permission.WALLBOARD)
    return web.json_response(await snapshot(_live(request.app)))


@routes.get("/api/wallboard/live")
async def live(request: web.Request) -> web.StreamResponse:
    require_permission(request, Permission.WALLBOARD)
    socket = web.WebSocketResponse(heartbeat=30)
    await socket.prepare(request)
    feed = request.app[WALLBOARD]
    board = feed.subscribe()
    reader = asyncio.create_task(_until_closed(socket))
    try:
        while not reader.done():
            getter = asyncio.ensure_future(board.get())
            done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            await socket.send_json(getter.result())
    except ConnectionResetError:
        pass
    finally:
        feed.unsubscribe(board)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    return socket


async def _until_closed(socket: web.WebSocketResponse) -> None:
    async for message in socket:
        if message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
            return
