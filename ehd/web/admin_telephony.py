"""Admin screens for telephony: the DID table and queues (settings and members). Forms are
turned into the same settings the JSON API takes and checked by the same functions, so a
screen can never save what the API would refuse."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ehd.acd.model import Strategy
from ehd.db.models import (
    Calendar,
    ClassificationProfile,
    Did,
    IvrMenu,
    Queue,
    QueueMember,
    Role,
    RouteType,
    SurveyProfile,
    User,
)
from ehd.errors import NotFoundError, ValidationError
from ehd.plain_numbers import whole_number
from ehd.queueing.config import RECORDING_MODES
from ehd.queueing.http import NULLABLE_SETTINGS, QUEUE_SETTINGS, save_did, save_queue
from ehd.web.keys import QUEUE_SERVICE
from ehd.web.rendering import render
from ehd.web.views import require_role

routes = web.RouteTableDef()

# The settings the queue screen edits, in the order shown.
QUEUE_FORM = ("number", "greeting", "language", "strategy", "ring_timeout", "wrapup_seconds",
              "misses_before_pause", "max_length", "sl_goal_seconds", "sl_target_percent",
              "announce_frequency", "overflow_after", "overflow_kind", "overflow_target",
              "recording", "screen_pop_url")  # fmt: skip
QUEUE_FORM_LINKS = ("calendar", "survey", "classification")
TARGET_OF = {RouteType.QUEUE: "queue", RouteType.IVR: "menu", RouteType.SIP_ACCOUNT: "user",
             RouteType.SIP_VOICEMAIL: "user"}  # fmt: skip


def settings_from_form(form: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Form text as typed settings: numbers parsed (empty keeps the old value, or clears a
    setting that may be empty), text as given. Pure."""
    values: dict[str, Any] = {}
    for key in keys:
        if key not in form:
            continue
        text = str(form[key]).strip()
        kind = QUEUE_SETTINGS[key]
        if kind is str:
            values[key] = text
        elif not text:
            if key in NULLABLE_SETTINGS:
                values[key] = None
        else:
            try:
                values[key] = kind(text)
            except ValueError as err:
                raise ValidationError(f"{key} must be a {kind.__name__}", field=key) from err
    return values


async def _reload(request: web.Request) -> None:
    service = request.app[QUEUE_SERVICE].current()
    if service is not None:
        await service.load_queues()


async def _names(model: Any, field: str = "name") -> list[str]:
    return [str(n) for n in await model.all().order_by(field).values_list(field, flat=True)]


async def _dids_page(request: web.Request, error: str = "", form: dict[str, str] | None = None,
                     status: int = 200) -> web.Response:  # fmt: skip
    dids = await Did.all().order_by("number").prefetch_related("queue", "user", "menu")
    return render("admin_dids.html", request, {
        "dids": dids, "route_types": list(RouteType), "queues": await _names(Queue),
        "users": await _names(User, "username"), "menus": await _names(IvrMenu),
        "error": error, "form": form or {}, "saved": request.query.get("saved", ""),
    }, status=status)  # fmt: skip


@routes.get("/admin/dids")
async def dids(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _dids_page(request)


DID_FORM = ("number", "route_type", "target", "priority", "ring_seconds", "description")


def did_settings(text: dict[str, str]) -> dict[str, Any]:
    """The DID form's text as the settings ``save_did`` takes. Pure."""
    body: dict[str, Any] = {"route_type": text["route_type"], "description": text["description"]}
    known = text["route_type"] in {r.value for r in RouteType}
    link = TARGET_OF.get(RouteType(text["route_type"])) if known else None
    if link is not None:
        if not text["target"]:
            raise ValidationError(f"choose the {link} this number goes to", field="target")
        body[link] = text["target"]
    for key in ("priority", "ring_seconds"):
        if text[key]:
            number = whole_number(text[key], low=-99999, high=999999)
            if number is None:
                raise ValidationError(f"{key} must be a whole number", field=key)
            body[key] = number
    return body


@routes.post("/admin/dids")
async def save_did_form(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    form = await request.post()
    text = {key: str(form.get(key, "")).strip() for key in DID_FORM}
    try:
        await save_did(text["number"], did_settings(text))
    except ValidationError as err:
        return await _dids_page(request, err.message, text, 400)
    raise web.HTTPSeeOther(f"/admin/dids?saved={text['number']}")


@routes.get("/admin/queues")
async def queues(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _queues_page(request)


async def _queues_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    rows = await Queue.all().order_by("name").prefetch_related("calendar")
    return render("admin_queues.html", request, {"queues": rows, "error": error}, status=status)


async def _queue_page(request: web.Request, queue: Queue, error: str = "",
                      status: int = 200) -> web.Response:  # fmt: skip
    members = await QueueMember.filter(queue=queue).prefetch_related("user").order_by("id")
    await queue.fetch_related("calendar", "survey", "classification")
    return render("admin_queue.html", request, {
        "queue": queue, "fields": QUEUE_FORM, "kinds": {k: QUEUE_SETTINGS[k].__name__
                                                         for k in QUEUE_FORM},
        "strategies": list(Strategy), "recording_modes": RECORDING_MODES, "members": members,
        "links": {"calendar": await _names(Calendar), "survey": await _names(SurveyProfile),
                  "classification": await _names(ClassificationProfile)},
        "users": await _names(User, "username"), "error": error,
        "saved": request.query.get("saved") == "1",
    }, status=status)  # fmt: skip


async def _queue(request: web.Request) -> Queue:
    queue = await Queue.get_or_none(name=request.match_info["name"])
    if queue is None:
        raise NotFoundError("no such queue")
    return queue


@routes.get("/admin/queues/{name}")
async def queue_page(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _queue_page(request, await _queue(request))


@routes.post("/admin/queues")
async def create_queue(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    form = await request.post()
    name = str(form.get("name", "")).strip()
    error = f"A queue {name!r} exists already." if await Queue.exists(name=name) else ""
    if not error:
        try:
            await save_queue(name, {})
        except ValidationError as err:
            error = err.message
    if error:
        return await _queues_page(request, error, 400)
    await _reload(request)
    raise web.HTTPSeeOther(f"/admin/queues/{name}")


@routes.post("/admin/queues/{name}")
async def save_queue_form(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    queue = await _queue(request)
    form = await request.post()
    try:
        body = settings_from_form(form, QUEUE_FORM)
        for link in QUEUE_FORM_LINKS:
            if link in form:
                body[link] = str(form[link]) or None
        await save_queue(queue.name, body)
    except ValidationError as err:
        return await _queue_page(request, queue, err.message, 400)
    await _reload(request)
    raise web.HTTPSeeOther(f"/admin/queues/{queue.name}?saved=1")


@routes.post("/admin/queues/{name}/members")
async def save_member(request: web.Request) -> web.StreamResponse:
    """Add a member, change their penalty, or remove them (penalty "remove")."""
    require_role(request, Role.ADMIN)
    queue = await _queue(request)
    form = await request.post()
    user = await User.get_or_none(username=str(form.get("username", "")))
    penalty = str(form.get("penalty", "0")).strip()
    if user is None:
        return await _queue_page(request, queue, "Choose a user.", 400)
    if penalty == "remove":
        await QueueMember.filter(queue=queue, user=user).delete()
    elif whole_number(penalty, high=100) is None:
        return await _queue_page(request, queue, "A penalty is a whole number 0-100.", 400)
    else:
        await QueueMember.update_or_create(queue=queue, user=user,
                                           defaults={"penalty": int(penalty)})  # fmt: skip
    await _reload(request)
    raise web.HTTPSeeOther(f"/admin/queues/{queue.name}?saved=1")
