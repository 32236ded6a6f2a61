"""Signatures: each user sets their own (for every site, or one per site) with an optional
image; admins also set the shared ones (for everyone, or per site). The most specific one is
used when mail goes out (ehd.tickets.signatures)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.db.models import Role, Signature, Site, User
from ehd.errors import EhdError, NotFoundError, PayloadTooLargeError, ValidationError
from ehd.tickets.signatures import (
    MAX_IMAGE_BYTES,
    save_signature,
    signature_folder,
)
from ehd.web.auth import require_permission
from ehd.web.keys import CONFIG
from ehd.web.rendering import render

routes = web.RouteTableDef()
IMAGE_NAME = r"signature-[0-9a-f]{12}\.(png|jpg|gif)"


@dataclass(frozen=True)
class Scope:
    """Whose signature (``mine`` or ``shared``) and for which site ("" = every site)."""

    owner: str
    site: str
    text: str = ""
    image: str = ""


async def _scopes(user: User | None, owner: str) -> list[Scope]:
    query = Signature.filter(user_id=user.id) if user else Signature.filter(user_id__isnull=True)
    rows = await query.prefetch_related("site")
    found = {(row.site.code if row.site else ""): row for row in rows}
    scopes = [Scope(owner, code, row.text, row.image) for code, row in found.items()]
    if "" not in found:  # the one for every site is always offered
        scopes.append(Scope(owner, ""))
    return sorted(scopes, key=lambda scope: scope.site)


async def _page(request: web.Request, me: User, *, error: str = "", status: int = 200,
                typed: Scope | None = None, saved: bool = False) -> web.Response:  # fmt: skip
    blocks: dict[str, list[Scope]] = {"mine": await _scopes(me, "mine")}
    if me.role == Role.ADMIN:
        blocks["shared"] = await _scopes(None, "shared")
    if typed is not None:  # a refused form shows what was typed
        scopes = [s for s in blocks[typed.owner] if s.site != typed.site]
        blocks[typed.owner] = sorted([*scopes, typed], key=lambda s: s.site)
    sites = await Site.all().order_by("code").values_list("code", flat=True)
    return render("signatures.html", request, {
        "blocks": blocks, "sites": sites, "error": error, "saved": saved,
        "max_kb": MAX_IMAGE_BYTES // 1024,
    }, status=status)  # fmt: skip


@routes.get("/signatures")
async def signatures(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.TICKETS_WORK)
    return await _page(request, me, saved="saved" in request.query)


@routes.post("/signatures")
async def save(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.TICKETS_WORK)
    form = await request.post()
    owner = str(form.get("owner", "mine"))
    if owner == "shared" and me.role != Role.ADMIN:
        raise web.HTTPForbidden(text="only admins set the shared signatures")
    code = str(form.get("site", ""))
    typed = Scope("shared" if owner == "shared" else "mine", code, str(form.get("text", "")))
    try:
        site = await _site(code)
        image = await _image(form.get("image"))
        await save_signature(me if typed.owner == "mine" else None, site, typed.text,
                             signature_folder(request.app[CONFIG]), image=image,
                             remove_image=bool(form.get("remove_image")))  # fmt: skip
    except EhdError as err:
        return await _page(request, me, error=err.message, status=err.status, typed=typed)
    raise web.HTTPSeeOther("/signatures?saved=1")


async def _site(code: str) -> Site | None:
    if not code:
        return None
    site = await Site.get_or_none(code=code)
    if site is None:
        raise ValidationError(f"no site {code!r}", field="site")
    return site


async def _image(upload: Any) -> bytes | None:
    if not isinstance(upload, web.FileField) or not upload.filename:
        return None  # no file chosen: the image stays as it is
    data = await asyncio.to_thread(upload.file.read, MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLargeError(f"the image is over {MAX_IMAGE_BYTES // 1024} kB")
    return bytes(data)


@routes.get(r"/signatures/images/{name:" + IMAGE_NAME + "}")
async def image(request: web.Request) -> web.StreamResponse:
    require_permission(request, Permission.TICKETS_WORK)
    name = request.match_info["name"]
    if not await Signature.exists(image=name):
        raise NotFoundError("no such image")
    return web.FileResponse(signature_folder(request.app[CONFIG]) / name)
