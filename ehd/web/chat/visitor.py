"""The visitor's side of live chat: a page sites embed (per-site frame-ancestors, like the
contact form) that starts a chat while chat is open, and the chat itself at an address whose
token is its only key. The page works as plain forms; web/static/chat.js makes it live."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from aiohttp import web

from ehd.accounts.login_guard import AttemptLimiter
from ehd.chat import service as chat
from ehd.crm.directory import EMAIL
from ehd.db.models import ChatSession, Site
from ehd.errors import EhdError, NotFoundError
from ehd.plain_numbers import row_id
from ehd.web.client_address import client_of
from ehd.web.middleware import frame_policy
from ehd.web.rendering import render

routes = web.RouteTableDef()
CHAT_STARTS = web.AppKey("chat_starts", AttemptLimiter)
START_FIELDS = ("name", "email", "message")
SEEN_EVERY = timedelta(seconds=15)  # well inside chat.VISITOR_TIMEOUT


def _embeddable(response: web.Response, site: Site | None) -> web.Response:
    response.headers["Content-Security-Policy"] = frame_policy(site.embed_origins if site else [])
    return response


async def _site(request: web.Request) -> Site:
    site = await Site.get_or_none(code=request.match_info["site"])
    if site is None:
        raise NotFoundError("no such chat")
    return site


async def _start_page(request: web.Request, site: Site, status: int = 200, error: str = "",
                      form: dict[str, str] | None = None) -> web.Response:  # fmt: skip
    available = await chat.availability(datetime.now(UTC))
    return _embeddable(render("chat_start.html", request, {
        "site": site, "available": available, "error": error, "form": form or {},
    }, status=status), site)  # fmt: skip


@routes.get("/chat/{site}")
async def start_page(request: web.Request) -> web.StreamResponse:
    return await _start_page(request, await _site(request))


@routes.post("/chat/{site}")
async def start(request: web.Request) -> web.StreamResponse:
    site = await _site(request)
    form = await request.post()
    values = {key: str(form.get(key, "")).strip() for key in START_FIELDS}
    if not request.app[CHAT_STARTS].spend(client_of(request), time.monotonic()):
        return await _start_page(request, site, 429, "Too many chats; try again soon.", values)
    if form.get("website"):  # the hidden field only robots fill
        return await _start_page(request, site, 400, "Your chat could not start.", values)
    if values["email"] and not EMAIL.fullmatch(values["email"]):
        return await _start_page(request, site, 400, "That email address looks wrong.", values)
    if not (await chat.availability(datetime.now(UTC))).open:
        return await _start_page(request, site, 409, "Chat has just closed.", values)
    try:
        session = await chat.start_chat(site, values["name"], values["email"], values["message"])
    except EhdError as err:
        return await _start_page(request, site, err.status, err.message, values)
    raise web.HTTPSeeOther(f"/chat/s/{session.token}")


async def _session(request: web.Request) -> ChatSession:
    session = await ChatSession.get_or_none(token=request.match_info["token"])
    if session is None:
        raise NotFoundError("no such chat")
    now, seen = datetime.now(UTC), session.visitor_seen_at
    if session.state != chat.ENDED and (seen is None or now - seen > SEEN_EVERY):
        session.visitor_seen_at = now  # the visitor is still here (written now and then)
        await session.save(update_fields=["visitor_seen_at"])
    return session


async def _chat_page(request: web.Request, session: ChatSession, status: int = 200,
                     error: str = "") -> web.Response:  # fmt: skip
    await session.fetch_related("site")
    site = session.site
    return _embeddable(render("chat_visitor.html", request, {
        "session": session, "site": site, "error": error,
        "messages": await chat.messages_after(session, 0),
    }, status=status), site)  # fmt: skip


@routes.get("/chat/s/{token}")
async def chat_page(request: web.Request) -> web.StreamResponse:
    return await _chat_page(request, await _session(request))


@routes.get("/chat/s/{token}/messages")
async def messages(request: web.Request) -> web.StreamResponse:
    session = await _session(request)
    found = await chat.messages_after(session, after_id(request))
    return web.json_response({"state": session.state, "messages": found})


def after_id(request: web.Request) -> int:
    """The ``after`` parameter: the last message id a page has (0 when missing or odd)."""
    raw = request.query.get("after", "0")
    return row_id(raw) or 0


@routes.post("/chat/s/{token}/send")
async def send(request: web.Request) -> web.StreamResponse:
    session = await _session(request)
    try:
        await chat.visitor_says(session, str((await request.post()).get("text", "")))
    except EhdError as err:
        return await _chat_page(request, session, err.status, err.message)
    raise web.HTTPSeeOther(f"/chat/s/{session.token}")


@routes.post("/chat/s/{token}/end")
async def end(request: web.Request) -> web.StreamResponse:
    session = await _session(request)
    await chat.end(session, "The visitor ended the chat.")
    raise web.HTTPSeeOther(f"/chat/s/{session.token}")
