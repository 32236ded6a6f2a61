"""Admin screens for the sound library (upload, delete) and hot prompts (messages played to
callers in one queue or all, switched on and off, with optional start and end)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiohttp import web

from ehd.audio.library import delete_sound
from ehd.calendars.store import ensure_default_calendar
from ehd.db.models import HotPrompt, Queue, Role, Sound
from ehd.errors import EhdError, NotFoundError, ValidationError
from ehd.moments import local_to_iso
from ehd.web.auth import require_role
from ehd.web.keys import CONFIG
from ehd.web.rendering import render
from ehd.web.telephony.inbound_api import hot_prompt_values, store_upload

routes = web.RouteTableDef()


async def _page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    prompts = await HotPrompt.all().order_by("-id").prefetch_related("queue")
    return render("admin_sounds.html", request, {
        "sounds": await Sound.all().order_by("name", "language"),
        "prompts": [(p, p.starts_at.astimezone(zone) if p.starts_at else None,
                     p.ends_at.astimezone(zone) if p.ends_at else None) for p in prompts],
        "queues": await Queue.all().order_by("name").values_list("name", flat=True),
        "zone": zone.key, "error": error,
    }, status=status)  # fmt: skip


@routes.get("/admin/sounds")
async def sounds(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _page(request)


@routes.post("/admin/sounds")
async def upload(request: web.Request) -> web.StreamResponse:
    me = require_role(request, Role.ADMIN)
    try:
        await store_upload(request, await request.post(), me.username)
    except EhdError as err:  # bad format, undecodable audio, too large: said on the page
        return await _page(request, err.message, err.status)
    raise web.HTTPSeeOther("/admin/sounds")


@routes.post("/admin/sounds/{language}/{name}/delete")
async def remove(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    info = request.match_info
    try:
        await delete_sound(request.app[CONFIG].paths.sounds, info["name"], info["language"])
    except EhdError as err:
        return await _page(request, err.message, err.status)
    raise web.HTTPSeeOther("/admin/sounds")


@routes.post("/admin/hot-prompts")
async def add_prompt(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    form = await request.post()
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    body: dict[str, object] = {"sound": str(form.get("sound", "")).strip(), "active": True,
                               "queue": str(form.get("queue", "")) or None,
                               "description": str(form.get("description", ""))}  # fmt: skip
    if not body["sound"] or not await Sound.exists(name=body["sound"]):
        return await _page(request, "Choose a sound from the library.", 400)
    try:
        for key in ("starts_at", "ends_at"):
            text = str(form.get(key, "")).strip()
            body[key] = local_to_iso(text, zone, key) if text else None
        values, _ = await hot_prompt_values(body)
    except ValidationError as err:
        return await _page(request, err.message, 400)
    await HotPrompt.create(**values)
    raise web.HTTPSeeOther("/admin/sounds")


@routes.post("/admin/hot-prompts/{id:[0-9]{1,9}}")
async def switch_prompt(request: web.Request) -> web.StreamResponse:
    """Switch a hot prompt on or off, or delete it."""
    require_role(request, Role.ADMIN)
    form = await request.post()
    prompt = await HotPrompt.get_or_none(id=int(request.match_info["id"]))
    if prompt is None:
        raise NotFoundError("no such hot prompt")
    action = form.get("action")
    if action == "delete":
        await prompt.delete()
    else:
        prompt.active = action == "on"
        await prompt.save(update_fields=["active"])
    raise web.HTTPSeeOther("/admin/sounds")
