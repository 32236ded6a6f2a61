"""Admin screens for telephony: the DID table and queues (settings and members). Forms are
turned into the same settings the JSON API takes and checked by the same functions, so a
screen can never save what the API would refuse."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ehd.db.models import (
    Calendar,
    ClassificationProfile,
    Did,
    IvrMenu,
    Queue,
    QueueMember,
    Role,
    RouteType,
    Site,
    SurveyProfile,
    User,
)
from ehd.errors import NotFoundError, ValidationError
from ehd.plain_numbers import whole_number
from ehd.queueing.queue_store import QUEUE_LINKS, save_did, save_queue
from ehd.web.auth import require_role
from ehd.web.keys import QUEUE_SERVICE
from ehd.web.rendering import render
from ehd.web.telephony.queue_form import CHOICES, SECTIONS, form_values, settings_from_form

routes = web.RouteTableDef()

TARGET_OF = {RouteType.QUEUE: "queue", RouteType.IVR: "menu", RouteType.SIP_ACCOUNT: "user",
             RouteType.SIP_VOICEMAIL: "user"}  # fmt: skip


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
        "sites": dict(await Site.all().order_by("code").values_list("id", "code")),
        "users": await _names(User, "username"), "menus": await _names(IvrMenu),
        "error": error, "form": form or {}, "saved": request.query.get("saved", ""),
    }, status=status)  # fmt: skip


@routes.get("/admin/dids")
async def dids(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _dids_page(request)


DID_FORM = ("number", "route_type", "target", "site", "priority", "ring_seconds", "description")


def did_settings(text: dict[str, str]) -> dict[str, Any]:
    """The DID form's text as the settings ``save_did`` takes. Pure."""
    body: dict[str, Any] = {
        "route_type": text["route_type"], "description": text["description"], "site": text["site"],
    }  # fmt: skip
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


async def _queue_page(request: web.Request, queue: Queue, error: str = "", status: int = 200,
                      form: Mapping[str, Any] | None = None) -> web.Response:  # fmt: skip
    members = await QueueMember.filter(queue=queue).prefetch_related("user").order_by("id")
    await queue.fetch_related(*QUEUE_LINKS)
    users = await _names(User, "username")
    values = form_values(queue)
    if form is not None:  # refused input is shown again as typed
        values.update({k: str(form[k]) for k in values if k in form})
    return render("admin_queue.html", request, {
        "queue": queue, "sections": SECTIONS, "values": values, "choices": CHOICES,
        "members": members, "users": users, "error": error,
        "links": {"calendar": await _names(Calendar), "menu": await _names(IvrMenu),
                  "closed_voicemail": users, "survey": await _names(SurveyProfile),
                  "classification": await _names(ClassificationProfile)},
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
        await save_queue(queue.name, settings_from_form(form))
    except ValidationError as err:
        queue = await _queue(request)  # as stored: the refused values are not
        return await _queue_page(request, queue, err.message, 400, form)
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
