"""Admin screen for the IMAP mailboxes that turn mail into tickets: where to fetch, what to do
with fetched mail, whether new tickets wait for review, and each box's last error."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ehd.db.models import Mailbox, QuarantinedMail, Role, Site
from ehd.errors import ValidationError
from ehd.mailboxes.mailbox_store import save_mailbox
from ehd.plain_numbers import whole_number
from ehd.web.auth import require_role
from ehd.web.keys import MAILBOXES
from ehd.web.rendering import render

routes = web.RouteTableDef()
TEXT_FIELDS = ("host", "username", "folder", "security", "after_import", "creation", "site")


async def _page(request: web.Request, error: str = "", form: dict[str, str] | None = None,
                status: int = 200) -> web.Response:  # fmt: skip
    boxes = await Mailbox.all().order_by("name").prefetch_related("site")
    sites = await Site.all().order_by("code").values_list("code", flat=True)
    quarantined = await QuarantinedMail.filter(released_at=None).count()
    return render("admin_mailboxes.html", request, {"boxes": boxes, "sites": list(sites),
                                                    "error": error, "form": form or {},
                                                    "quarantined": quarantined},
                  status=status)  # fmt: skip


@routes.get("/admin/mailboxes")
async def mailboxes(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _page(request)


@routes.post("/admin/mailboxes")
async def save(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    form = await request.post()
    text = {key: str(form.get(key, "")).strip() for key in ("name", "port", *TEXT_FIELDS)}
    body: dict[str, Any] = {key: text[key] for key in TEXT_FIELDS if text[key] or key == "site"}
    body["active"] = bool(form.get("active"))
    password = str(form.get("password", ""))
    if password:  # empty keeps the stored password
        body["password"] = password
    if text["port"]:  # anything but a number is refused by save_mailbox
        port = whole_number(text["port"], high=99999)
        body["port"] = text["port"] if port is None else port
    try:
        box = await save_mailbox(text["name"][:64], body)
    except ValidationError as err:
        return await _page(request, err.message, text, 400)
    pollers = request.app.get(MAILBOXES)
    if pollers is not None:
        await pollers.restart(box)
    raise web.HTTPSeeOther("/admin/mailboxes")
