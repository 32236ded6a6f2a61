"""JSON API for the inbound call flow: calendars, menus, hot prompts, the audio library and
on-demand call recording. Admins change the flow here as data; nothing needs a restart.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from ehd.audio.library import MAX_BYTES, delete_sound, format_of, import_sound
from ehd.calendars.editing import calendar_view, save_calendar
from ehd.calendars.evaluate import check as check_calendar
from ehd.calendars.store import rules_for
from ehd.callflow.menu import MenuSpec
from ehd.callflow.survey import parse_questions
from ehd.db.models import (
    Calendar,
    HotPrompt,
    IvrMenu,
    Queue,
    Sound,
    SurveyProfile,
)
from ehd.errors import (
    NotFoundError,
    PayloadTooLargeError,
    ValidationError,
)
from ehd.moments import aware_datetime
from ehd.web.auth import current_user, require_admin
from ehd.web.json_input import json_body
from ehd.web.keys import CONFIG

routes = web.RouteTableDef()


# --- calendars ----------------------------------------------------------------------------
@routes.put("/api/calendars/{name}")
async def put_calendar(request: web.Request) -> web.StreamResponse:
    """Create or change a calendar; ``variations`` (when given) replaces the list, in order."""
    require_admin(request)
    calendar = await save_calendar(request.match_info["name"], await json_body(request))
    return web.json_response(await calendar_view(calendar))


@routes.get("/api/calendars/{name}")
async def get_calendar(request: web.Request) -> web.StreamResponse:
    current_user(request)
    calendar = await Calendar.get_or_none(name=request.match_info["name"])
    if calendar is None:
        raise NotFoundError("no such calendar")
    return web.json_response(await calendar_view(calendar))


@routes.get("/api/calendars/{name}/check")
async def calendar_check(request: web.Request) -> web.StreamResponse:
    current_user(request)
    calendar = await Calendar.get_or_none(name=request.match_info["name"])
    if calendar is None:
        raise NotFoundError("no such calendar")
    rules = await rules_for(calendar)
    try:
        at = datetime.fromisoformat(request.query["at"])
    except (KeyError, ValueError) as err:
        raise ValidationError("give ?at= as an ISO date-time", field="at") from err
    at = at if at.tzinfo else at.replace(tzinfo=rules.zone)
    return web.json_response(check_calendar(rules, at).as_json())


# --- menus --------------------------------------------------------------------------------
@routes.put("/api/menus/{name}")
async def put_menu(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    name = request.match_info["name"]
    body = await json_body(request)
    menu = await IvrMenu.get_or_none(name=name) or IvrMenu(name=name[:64], prompt="")
    for key, kind in (
        ("prompt", str),
        ("invalid_prompt", str),
        ("options", dict),
        ("fallback", dict),
        ("timeout_seconds", (int, float)),
        ("retries", int),
    ):
        if key in body:
            if not isinstance(body[key], kind) or isinstance(body[key], bool):
                raise ValidationError(f"{key} has the wrong type", field=key)
            setattr(menu, key, body[key])
    if not menu.prompt:
        raise ValidationError("a menu needs a prompt (a sound name)", field="prompt")
    spec = MenuSpec.parse(
        menu.name,
        menu.prompt,
        menu.options,
        menu.fallback,
        timeout_seconds=float(menu.timeout_seconds),
        retries=menu.retries,
        invalid_prompt=menu.invalid_prompt,
    )
    await menu.save()
    return web.json_response(
        {
            "name": spec.name,
            "prompt": spec.prompt,
            "options": {key: dest.dump() for key, dest in spec.options.items()},
            "fallback": spec.fallback.dump(),
            "timeout_seconds": spec.timeout_seconds,
            "retries": spec.retries,
            "invalid_prompt": spec.invalid_prompt,
        }
    )


# --- surveys ------------------------------------------------------------------------------
@routes.put("/api/surveys/{name}")
async def put_survey(request: web.Request) -> web.StreamResponse:
    """{"intro": "survey-intro", "questions": [{"id": "csat", "prompt": "…", "low": 1,
    "high": 5}], "thanks": "survey-thanks"}; attach it to a queue with {"survey": name}."""
    require_admin(request)
    name = request.match_info["name"]
    body = await json_body(request)
    profile = await SurveyProfile.get_or_none(name=name) or SurveyProfile(name=name[:64])
    if "questions" in body:
        profile.questions = [
            {"id": q.id, "prompt": q.prompt, "low": q.low, "high": q.high}
            for q in parse_questions(body["questions"])
        ]
    for key in ("intro", "thanks"):
        if key in body:
            setattr(profile, key, str(body[key] or "")[:64])
    if not profile.questions:
        raise ValidationError("a survey needs questions", field="questions")
    await profile.save()
    return web.json_response(
        {"name": profile.name, "intro": profile.intro, "questions": profile.questions,
         "thanks": profile.thanks}
    )  # fmt: skip


# --- hot prompts --------------------------------------------------------------------------
def _moment(value: Any, field: str) -> datetime | None:
    return None if value in (None, "") else aware_datetime(value, field)


def _hot_prompt_json(row: HotPrompt, queue_name: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "queue": queue_name,
        "sound": row.sound,
        "active": row.active,
        "starts_at": row.starts_at.isoformat() if row.starts_at else None,
        "ends_at": row.ends_at.isoformat() if row.ends_at else None,
        "description": row.description,
    }


async def hot_prompt_values(body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    values: dict[str, Any] = {}
    queue_name = body.get("queue")
    if "queue" in body:
        if queue_name is None:
            values["queue"] = None
        else:
            queue = await Queue.get_or_none(name=str(queue_name))
            if queue is None:
                raise ValidationError(f"no queue {queue_name!r}", field="queue")
            values["queue"] = queue
    if "sound" in body:
        values["sound"] = str(body["sound"])[:64]
    if "active" in body:
        values["active"] = bool(body["active"])
    if "description" in body:
        values["description"] = str(body["description"])[:255]
    for key in ("starts_at", "ends_at"):
        if key in body:
            values[key] = _moment(body[key], key)
    return values, queue_name


@routes.post("/api/hot-prompts")
async def create_hot_prompt(request: web.Request) -> web.StreamResponse:
    """{"sound": "storm-warning", "queue": "support" or null for all, "active": true, ...}"""
    require_admin(request)
    values, queue_name = await hot_prompt_values(await json_body(request))
    if not values.get("sound"):
        raise ValidationError("a hot prompt needs a sound", field="sound")
    row = await HotPrompt.create(**values)
    return web.json_response(_hot_prompt_json(row, queue_name), status=201)


@routes.patch("/api/hot-prompts/{id:[0-9]{1,9}}")
async def change_hot_prompt(request: web.Request) -> web.StreamResponse:
    """Switch on or off, or change the times."""
    require_admin(request)
    row = await HotPrompt.get_or_none(id=int(request.match_info["id"])).prefetch_related("queue")
    if row is None:
        raise NotFoundError("no such hot prompt")
    values, _ = await hot_prompt_values(await json_body(request))
    row.update_from_dict(values)
    await row.save()
    await row.fetch_related("queue")
    return web.json_response(_hot_prompt_json(row, row.queue.name if row.queue else None))


@routes.delete("/api/hot-prompts/{id:[0-9]{1,9}}")
async def delete_hot_prompt(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    if not await HotPrompt.filter(id=int(request.match_info["id"])).delete():
        raise NotFoundError("no such hot prompt")
    return web.json_response({"deleted": True})


# --- audio library ------------------------------------------------------------------------
def _sound_json(sound: Sound) -> dict[str, Any]:
    return {
        "id": sound.id,
        "name": sound.name,
        "language": sound.language,
        "description": sound.description,
        "wording": sound.wording,
        "source": sound.source,
        "created_by": sound.created_by,
    }


@routes.get("/api/sounds")
async def list_sounds(request: web.Request) -> web.StreamResponse:
    current_user(request)
    sounds = await Sound.all().order_by("name", "language")
    return web.json_response({"sounds": [_sound_json(s) for s in sounds]})


@routes.post("/api/sounds")
async def upload_sound(request: web.Request) -> web.StreamResponse:
    """A multipart form: file (wav, gsm or au, up to 5 MB), name, language, description,
    wording, and csrf_token (from GET /api/me; checked by the session middleware, as every
    form is): a form can be posted cross-site, JSON cannot."""
    user = require_admin(request)
    if not request.content_type.startswith("multipart/form-data"):
        raise ValidationError("upload the sound as multipart/form-data")
    sound = await store_upload(request, await request.post(), user.username)
    return web.json_response(_sound_json(sound), status=201)


async def store_upload(request: web.Request, form: MultiMapping[Any], username: str) -> Sound:
    """The sound in an upload form, checked (size, format, decodable) and converted."""
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise ValidationError("no file in the form (field 'file')", field="file")
    fmt = format_of(upload.filename or "")
    data = await asyncio.to_thread(upload.file.read, MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PayloadTooLargeError(f"the file is over {MAX_BYTES // (1024 * 1024)} MB")
    folder = await asyncio.to_thread(tempfile.mkdtemp, prefix="ehd-upload-")
    try:
        source = Path(folder) / f"upload.{fmt}"
        await asyncio.to_thread(source.write_bytes, data)
        sound = await import_sound(
            request.app[CONFIG].paths.sounds,
            source,
            fmt,
            name=str(form.get("name", "")),
            language=str(form.get("language", "en")),
            description=str(form.get("description", "")),
            wording=str(form.get("wording", "")),
            created_by=username,
        )
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)
    return sound


@routes.delete("/api/sounds/{language}/{name}")
async def remove_sound(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    await json_body(request)
    info = request.match_info
    await delete_sound(request.app[CONFIG].paths.sounds, info["name"], info["language"])
    return web.json_response({"deleted": True})
