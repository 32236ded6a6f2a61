"""Voicemail in the browser: a user's messages, newest first, played (which marks them
heard) or downloaded through the app, and deleted with their file. Only the mailbox's owner
reaches its messages; an admin may open anyone's (``?user=``), as for a colleague away.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from ehd.db.models import Role, User, VoicemailMessage
from ehd.errors import NotFoundError, PermissionDeniedError
from ehd.plain_numbers import row_id
from ehd.web.auth import current_user
from ehd.web.rendering import render
from ehd.web.telephony.recordings import audio_file

routes = web.RouteTableDef()


async def _mailbox_owner(request: web.Request) -> User:
    me = current_user(request)
    wanted = request.query.get("user", "").strip()[:64]
    if not wanted or wanted == me.username:
        return me
    if me.role != Role.ADMIN:
        raise PermissionDeniedError("only admins open other users' voicemail")
    owner = await User.get_or_none(username=wanted)
    if owner is None:
        raise NotFoundError(f"no user {wanted}")
    return owner


async def _message(request: web.Request) -> VoicemailMessage:
    """The message in the path, if the user may reach it (else 404: no hint it exists)."""
    me = current_user(request)
    ident = row_id(request.match_info["id"])
    message = await VoicemailMessage.get_or_none(id=ident) if ident is not None else None
    if message is None or (message.user_id != me.id and me.role != Role.ADMIN):
        raise NotFoundError("no such voicemail message")
    return message


@routes.get("/voicemail")
async def voicemail_page(request: web.Request) -> web.StreamResponse:
    owner = await _mailbox_owner(request)
    messages = await VoicemailMessage.filter(user=owner).order_by("-id").limit(200)
    context = {"owner": owner, "messages": messages, "unheard": sum(not m.heard for m in messages)}
    return render("voicemail.html", request, context)


@routes.get("/voicemail/{id}/audio")
async def voicemail_audio(request: web.Request) -> web.StreamResponse:
    """The message's WAV (range requests answer 206); listening marks it heard."""
    message = await _message(request)
    if not message.heard:
        message.heard = True
        await message.save(update_fields=["heard"])
    return await audio_file(request, Path(message.path), f"voicemail-{message.id}.wav")


@routes.post("/voicemail/{id}/delete")
async def delete_voicemail(request: web.Request) -> web.StreamResponse:
    """The message and its file (the form's CSRF token is checked by the middleware)."""
    message = await _message(request)
    await asyncio.to_thread(Path(message.path).unlink, missing_ok=True)
    await message.delete()
    owner = await User.get(id=message.user_id)
    suffix = "" if owner.id == current_user(request).id else f"?user={owner.username}"
    raise web.HTTPSeeOther(f"/voicemail{suffix}")
