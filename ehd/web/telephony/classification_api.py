"""Classification: profiles of log codes attached to queues, and the code an agent picks for
each answered call (callbacks included)."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from ehd.db.models import CallRecord, ClassificationProfile, Queue, Role
from ehd.errors import NotFoundError, PermissionDeniedError, ValidationError
from ehd.web.auth import current_user, require_admin
from ehd.web.json_input import json_body

routes = web.RouteTableDef()
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}\Z")


def parse_codes(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        raise ValidationError("codes must be a non-empty list", field="codes")
    codes = []
    for item in raw:
        if not isinstance(item, dict) or not _CODE.match(str(item.get("code", ""))):
            raise ValidationError(
                "each code is {code: 1-32 letters/digits/._-, label}", field="codes"
            )
        codes.append({"code": str(item["code"]), "label": str(item.get("label", ""))[:128]})
    if len({c["code"] for c in codes}) != len(codes):
        raise ValidationError("codes must differ", field="codes")
    return codes


@routes.put("/api/classifications/{name}")
async def put_profile(request: web.Request) -> web.StreamResponse:
    """{"codes": [{"code": "SALE", "label": "Sale made"}]}; attach with a queue's
    {"classification": name}."""
    require_admin(request)
    name = request.match_info["name"][:64]
    codes = parse_codes((await json_body(request)).get("codes"))
    profile, _ = await ClassificationProfile.update_or_create(name=name, defaults={"codes": codes})
    return web.json_response({"name": profile.name, "codes": profile.codes})


@routes.post("/api/calls/{call_id}/classification")
async def classify_call(request: web.Request) -> web.StreamResponse:
    """The agent who answered the call (or a supervisor) sets its code: {"code": "SALE"}."""
    me = current_user(request)
    record = await CallRecord.get_or_none(call_id=request.match_info["call_id"])
    if record is None:
        raise NotFoundError("no such call")
    if record.agent != me.username and me.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise PermissionDeniedError("only the agent who answered may classify the call")
    code = (await json_body(request)).get("code")
    queue = await Queue.get_or_none(name=record.queue_name).prefetch_related("classification")
    profile = queue.classification if queue else None
    if profile is None:
        raise ValidationError("this call's queue has no classification profile")
    allowed = {item["code"] for item in profile.codes}
    if code not in allowed:
        raise ValidationError(f"code must be one of {', '.join(sorted(allowed))}", field="code")
    record.classification = str(code)
    await record.save(update_fields=["classification"])
    return web.json_response({"call_id": record.call_id, "classification": record.classification})
