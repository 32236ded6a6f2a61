"""The browser phone: an agent's choice of phone, the settings the console's phone registers
with, and the relay that carries its SIP over the page's own origin to Asterisk.

Relaying (rather than pointing the browser at Asterisk's HTTP server) keeps one origin and
one certificate for the page, lets only logged-in users reach the SIP socket, and leaves
Asterisk's HTTP server, ARI included, on its own address. Media does not pass here: it flows
between the browser and Asterisk over ICE and DTLS-SRTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web
from yarl import URL

from ehd.accounts.service import choose_phone
from ehd.asterisk.endpoints import WILDCARDS
from ehd.config import Config
from ehd.db.models import PhoneKind, Role, User
from ehd.errors import (
    NotFoundError,
    PermissionDeniedError,
    TelephonyDownError,
    ValidationError,
)
from ehd.web.auth import current_user, user_in_path
from ehd.web.i18n import script_labels
from ehd.web.json_input import json_body
from ehd.web.keys import ACCOUNTS_CHANGED, CONFIG
from ehd.web.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

# What web/static/phone.js writes on the page, translated for it (data-labels).
PHONE_TEXTS = ("Microphone", "Speaker", "The browser phone needs HTTPS: open",
               "The browser phone needs HTTPS or localhost.",
               "The browser refused the microphone: allow it for this site, then reload the page.",
               "No microphone was found: connect one, then reload the page.",
               "The connection to the phone server was lost: reconnecting…",
               "The phone library is missing on the server: run make setup there.",
               "The phone server refused the phone's password: reload the page.",
               "The phone could not register: trying again…",
               "connecting…", "desk phone", "failed", "in call", "not known", "off", "ready",
               "ringing", "Mute", "Unmute", "Hold", "Resume", "In call with", "Call from",
               "Calling", "calling…")  # fmt: skip
SOCKET_PATH = "/phone/socket"
SIP_PROTOCOL = "sip"  # RFC 7118: the websocket subprotocol of SIP
HEARTBEAT_SECONDS = 20.0


def asterisk_socket_url(config: Config) -> str:
    host = "127.0.0.1" if config.bind_host in WILDCARDS else config.bind_host
    return f"ws://{host}:{config.ari_port}/ws"


def ice_servers(config: Config) -> list[dict[str, Any]]:
    """What the browser offers ICE: the same STUN and TURN servers Asterisk uses."""
    servers: list[dict[str, Any]] = []
    if config.stun_server:
        servers.append({"urls": f"stun:{config.stun_server}"})
    if config.turn_server:
        servers.append({"urls": f"turn:{config.turn_server}", "username": config.turn_user,
                        "credential": config.turn_password})  # fmt: skip
    return servers


def phone_settings(user: User, config: Config) -> dict[str, Any]:
    return {
        "kind": str(user.phone_kind),
        "extension": user.sip_extension or "",
        "password": (user.sip_password or "") if user.phone_kind is PhoneKind.BROWSER else "",
        "display_name": user.name or user.username,
        "socket": SOCKET_PATH,
        "ice_servers": ice_servers(config),
    }


@routes.get("/phone")
async def phone_page(request: web.Request) -> web.StreamResponse:
    """The phone window: agents keep it open while they work in other pages."""
    user = current_user(request)
    context = {
        "labels": script_labels(request, user, PHONE_TEXTS),
        "phone_kind": str(user.phone_kind),
        "https_url": request.app[CONFIG].https_url,
    }
    return render("phone.html", request, context)


@routes.get("/api/agents/{username}/phone")
async def get_phone(request: web.Request) -> web.StreamResponse:
    """The user's phone; the browser phone's SIP password only to the user themself."""
    me, user = await user_in_path(request, "phone")
    settings = phone_settings(user, request.app[CONFIG])
    if me.id != user.id:
        settings["password"] = ""
    return web.json_response(settings)


@routes.put("/api/agents/{username}/phone")
async def set_phone(request: web.Request) -> web.StreamResponse:
    """Choose the desk phone or the browser phone: the SIP account is rewritten at once."""
    _, user = await user_in_path(request, "phone", roles=(Role.ADMIN,))
    body = await json_body(request)
    try:
        kind = PhoneKind(str(body.get("kind")))
    except ValueError:
        raise ValidationError("kind is desk or browser", field="kind") from None
    if await choose_phone(user, kind):
        await request.app[ACCOUNTS_CHANGED]()
    return web.json_response(phone_settings(user, request.app[CONFIG]))


@routes.get(SOCKET_PATH)
async def phone_socket(request: web.Request) -> web.StreamResponse:
    """Relay the console phone's SIP messages to Asterisk's websocket transport and back."""
    user = current_user(request)
    if not user.sip_extension:
        raise NotFoundError("you have no SIP extension")
    if not _same_origin(request):
        raise PermissionDeniedError("the phone socket is for this site's pages only")
    browser = web.WebSocketResponse(protocols=(SIP_PROTOCOL,), heartbeat=HEARTBEAT_SECONDS)
    url = asterisk_socket_url(request.app[CONFIG])
    async with aiohttp.ClientSession() as session:
        try:
            asterisk = await session.ws_connect(url, protocols=(SIP_PROTOCOL,))
        except (aiohttp.ClientError, OSError) as err:
            # Before the upgrade: the phone sees a failed connection and tries again later.
            log.warning("browser phone of %s: Asterisk's websocket is down (%s)", user, err)
            raise TelephonyDownError("the phone server is not reachable") from err
        async with asterisk:
            await browser.prepare(request)
            await _relay(browser, asterisk)
    return browser


def _same_origin(request: web.Request) -> bool:
    """A page of another site must not open the socket with this user's cookie."""
    origin = request.headers.get("Origin")
    return origin is None or URL(origin).raw_authority == request.host


async def _relay(browser: web.WebSocketResponse, asterisk: aiohttp.ClientWebSocketResponse) -> None:
    """Pass text frames both ways until either side closes; then close the other."""

    async def pump(
        source: AsyncIterator[aiohttp.WSMessage], send: Callable[[str], Awaitable[None]]
    ) -> None:
        async for message in source:
            if message.type is WSMsgType.TEXT:
                await send(message.data)
            elif message.type is WSMsgType.BINARY:
                await send(message.data.decode("utf-8", errors="replace"))
            else:
                return

    tasks = [
        asyncio.create_task(pump(browser, asterisk.send_str)),
        asyncio.create_task(pump(asterisk, browser.send_str)),
    ]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionResetError):
                await task
        await browser.close()
        await asterisk.close()
