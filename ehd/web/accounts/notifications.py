"""The notification centre: the page (unread first, each linking to what it is about, read
on opening or all at once) and the JSON the top bar's bell polls for its count, which also
raises a desktop notification and a sound when the user has allowed them."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from ehd.accounts.notification_texts import shown
from ehd.accounts.notifications import mark_read, newest, open_one, unread, unread_count
from ehd.db.models import Notification
from ehd.errors import ValidationError
from ehd.plain_numbers import row_id
from ehd.web.accounts.login import safe_next
from ehd.web.auth import current_user
from ehd.web.i18n import language_for, translations
from ehd.web.rendering import render

routes = web.RouteTableDef()
BELL_SIZE = 5  # the newest unread ones the bell's poll carries


def _texts(request: web.Request, notifications: Sequence[Notification]) -> dict[int, str]:
    """Each notification's sentence in the reader's language."""
    translate = translations(language_for(request, current_user(request))).gettext
    return {n.id: shown(n.kind, n.details, n.text, translate) for n in notifications}


@routes.get("/notifications")
async def notifications_page(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    listed = await newest(me)
    return render("notifications.html", request, {
        "notifications": listed, "texts": _texts(request, listed),
        "unread": await unread_count(me),
    })  # fmt: skip


@routes.post("/notifications/read")
async def read(request: web.Request) -> web.StreamResponse:
    """``id``: open that one (marked read, then its link); none: mark all read."""
    me = current_user(request)
    form = await request.post()
    if "id" not in form:
        await mark_read(me)
        raise web.HTTPSeeOther("/notifications")
    chosen = row_id(str(form["id"]))
    if chosen is None:
        raise ValidationError("id is a notification's number", field="id")
    link = await open_one(me, chosen)
    raise web.HTTPSeeOther(safe_next(link) if link else "/notifications")


@routes.get("/api/notifications")
async def bell(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    latest = await unread(me, BELL_SIZE)
    texts = _texts(request, latest)
    return web.json_response({
        "unread": await unread_count(me),
        "latest": [{"id": n.id, "kind": n.kind, "text": texts[n.id], "link": n.link, "by": n.by,
                    "at": n.created_at.isoformat()} for n in latest],
    })  # fmt: skip
