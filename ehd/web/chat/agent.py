"""The agent's side of live chat: logging in to chat, the list of waiting chats (kept current
by web/static/chat.js), taking one, and the chat page with its transcript, replies and end.
The chat's ticket holds the whole conversation."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.accounts.site_scope import visible_chats
from ehd.chat import service as chat
from ehd.db.models import ChatSession, Role, User
from ehd.errors import EhdError, NotFoundError, PermissionDeniedError
from ehd.tickets.standard_texts import standard_texts
from ehd.web.auth import current_user, require_permission
from ehd.web.chat.visitor import after_id
from ehd.web.rendering import render

routes = web.RouteTableDef()


async def _list(request: web.Request, me: User, error: str = "", status: int = 200) -> web.Response:
    now = datetime.now(UTC)
    await chat.end_abandoned(now)
    waiting = await visible_chats(me).filter(state=chat.WAITING).order_by("started_at", "id") \
        .prefetch_related("site")  # fmt: skip
    mine = await ChatSession.filter(state=chat.ACTIVE, agent_id=me.id).order_by("answered_at") \
        .prefetch_related("site")  # fmt: skip
    return render("chats.html", request, {
        "me": me, "waiting": [(s, round((now - s.started_at).total_seconds())) for s in waiting],
        "mine": mine, "available": await chat.availability(now), "error": error,
        "max_active": chat.MAX_ACTIVE,
    }, status=status)  # fmt: skip


@routes.get("/chats")
async def chats(request: web.Request) -> web.StreamResponse:
    return await _list(request, require_permission(request, Permission.CALLS_TAKE))


@routes.get("/api/chats/counts")
async def counts(request: web.Request) -> web.StreamResponse:
    """Waiting chats and the user's own: what the agent console polls (a cheap query)."""
    return web.json_response(await chat.counts(current_user(request)))


@routes.post("/chats/ready")
async def ready(request: web.Request) -> web.StreamResponse:
    """Log in to chat, or out of it."""
    me = require_permission(request, Permission.CALLS_TAKE)
    me.chat_ready = (await request.post()).get("ready") == "on"
    await me.save(update_fields=["chat_ready"])
    raise web.HTTPSeeOther("/chats")


async def _session(request: web.Request, me: User, *, own: bool = True) -> ChatSession:
    raw = request.match_info["id"]
    session = await visible_chats(me).get_or_none(id=int(raw)) if len(raw) < 12 else None
    if session is None:
        raise NotFoundError("no such chat")
    supervising = me.role in (Role.ADMIN, Role.SUPERVISOR)
    if own and session.agent_id != me.id and not supervising:
        raise PermissionDeniedError("this chat is another agent's")
    return session


@routes.post("/chats/{id:[0-9]{1,9}}/take")
async def take(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.CALLS_TAKE)
    session = await _session(request, me, own=False)
    try:
        await chat.take(session, me)
    except EhdError as err:
        return await _list(request, me, err.message, err.status)
    raise web.HTTPSeeOther(f"/chats/{session.id}")


async def _chat_page(request: web.Request, me: User, session: ChatSession, status: int = 200,
                     error: str = "") -> web.Response:  # fmt: skip
    await session.fetch_related("ticket", "site", "agent")
    return render("chat_agent.html", request, {
        "session": session, "messages": await chat.messages_after(session, 0), "error": error,
        "writing": session.agent_id == me.id and session.state == chat.ACTIVE,
        "standard_texts": await standard_texts(session.site_id),
    }, status=status)  # fmt: skip


@routes.get("/chats/{id:[0-9]{1,9}}")
async def chat_page(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.CALLS_TAKE)
    return await _chat_page(request, me, await _session(request, me))


@routes.get("/chats/{id:[0-9]{1,9}}/messages")
async def messages(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.CALLS_TAKE)
    session = await _session(request, me)
    if chat.visitor_gone(session.visitor_seen_at, datetime.now(UTC)):
        await chat.end(session, "The visitor left the chat.")
    found = await chat.messages_after(session, after_id(request))
    return web.json_response({"state": session.state, "messages": found})


@routes.post("/chats/{id:[0-9]{1,9}}/send")
async def send(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.CALLS_TAKE)
    session = await _session(request, me)
    try:
        await chat.agent_says(session, me, str((await request.post()).get("text", "")))
    except EhdError as err:
        return await _chat_page(request, me, session, err.status, err.message)
    raise web.HTTPSeeOther(f"/chats/{session.id}")


@routes.post("/chats/{id:[0-9]{1,9}}/end")
async def end(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.CALLS_TAKE)
    session = await _session(request, me)
    await chat.end(session, f"{me.alias or me.name or me.username} ended the chat.")
    raise web.HTTPSeeOther(f"/chats/{session.id}")
