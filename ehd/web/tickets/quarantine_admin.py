"""Admin screen for quarantined mail (``ehd.mailboxes.quarantine``): what could not become a
ticket and why; each message can be downloaded as it came, retried or discarded."""

from __future__ import annotations

from aiohttp import web

from ehd.db.models import QuarantinedMail, Role
from ehd.errors import NotFoundError
from ehd.mailboxes.quarantine import Quarantined, raw_of, retry
from ehd.plain_numbers import row_id
from ehd.web.auth import require_role
from ehd.web.keys import CONFIG, TICKET_MAIL
from ehd.web.rendering import render

routes = web.RouteTableDef()
RELEASED_SHOWN = 20


async def _page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    waiting = await QuarantinedMail.filter(released_at=None).order_by("-id")
    released = (
        await QuarantinedMail.exclude(released_at=None)
        .order_by("-released_at")
        .limit(RELEASED_SHOWN)
    )
    return render("admin_quarantine.html", request,
                  {"waiting": waiting, "released": released, "error": error},
                  status=status)  # fmt: skip


async def _kept(request: web.Request) -> QuarantinedMail:
    number = row_id(request.match_info["id"])
    kept = await QuarantinedMail.get_or_none(id=number) if number is not None else None
    if kept is None:
        raise NotFoundError("no such quarantined message")
    return kept


@routes.get("/admin/mail-quarantine")
async def quarantine_page(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _page(request)


@routes.get("/admin/mail-quarantine/{id}/raw")
async def download(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    kept = await _kept(request)
    raw = await raw_of(kept, request.app[CONFIG].paths.mail)
    return web.Response(body=raw, content_type="message/rfc822", headers={
        "Content-Disposition": f'attachment; filename="quarantined-{kept.id}.eml"',
    })  # fmt: skip


@routes.post("/admin/mail-quarantine/{id}/retry")
async def retry_one(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    kept = await _kept(request)
    if kept.released_at is not None:
        raise web.HTTPSeeOther(f"/tickets/{kept.ticket_number}")
    ticket_mail = request.app[TICKET_MAIL]
    result = await retry(kept, ticket_mail.key, request.app[CONFIG].paths.mail)
    if isinstance(result, Quarantined):
        return await _page(request, f"Message {kept.id} failed again; the error is updated.", 409)
    await ticket_mail.after_ingest(result)  # the confirmation it would have had
    raise web.HTTPSeeOther(f"/tickets/{result.ticket_number}")


@routes.post("/admin/mail-quarantine/{id}/discard")
async def discard(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    await (await _kept(request)).delete()
    raise web.HTTPSeeOther("/admin/mail-quarantine")
