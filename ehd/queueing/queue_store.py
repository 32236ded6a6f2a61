"""Queue and DID settings: every value checked (types, names of linked objects, strategies,
rules and targets) before anything is saved. The admin screens and the JSON API both save
through here; the caller reloads the queue service."""

from __future__ import annotations

import re
from typing import Any

from ehd.db.models import (
    Calendar,
    ClassificationProfile,
    Did,
    IvrMenu,
    Queue,
    RouteType,
    Site,
    SurveyProfile,
    User,
)
from ehd.errors import ValidationError
from ehd.queueing.config import queue_config, validate_flow_settings

QUEUE_SETTINGS = {
    "number": str,
    "greeting": str,
    "moh_class": str,
    "language": str,
    "strategy": str,
    "weight": int,
    "ring_timeout": float,
    "misses_before_pause": int,
    "wrapup_seconds": float,
    "max_length": int,
    "join_when": str,
    "leave_when": str,
    "overflow_after": float,
    "overflow_kind": str,
    "overflow_target": str,
    "max_penalty": int,
    "penalty_rules": list,
    "exit_keys": dict,
    "sl_goal_seconds": float,
    "sl_target_percent": float,
    "announce_frequency": float,
    "announce_start_delay": float,
    "expected_handle_seconds": float,
    "languages": list,
    "closed_audio": str,
    "customer_number": str,
    "customer_number_min": int,
    "customer_number_max": int,
    "customer_number_checksum": str,
    "recording": str,
    "screen_pop_url": str,
    "callback_offer_after": float,
    "callback_offer_position": int,
}
# Settings that name another object: the queue's calendar, menu and closed-hours mailbox.
QUEUE_LINKS = ("calendar", "menu", "closed_voicemail", "survey", "classification")
NULLABLE_SETTINGS = {"callback_offer_after", "overflow_after", "max_penalty"}
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")


async def save_queue(name: str, body: dict[str, Any]) -> Queue:
    """Create the queue or change the settings given, all checked before anything is saved
    (the caller reloads the queue service)."""
    if not _NAME.match(name):
        raise ValidationError("queue names are 1-64 letters, digits, - or _", field="name")
    queue = await Queue.get_or_none(name=name) or Queue(name=name)
    body = dict(body)
    for key in QUEUE_LINKS:
        if key in body:
            setattr(queue, key, await _linked(key, body.pop(key)))
    for key, value in body.items():
        kind = QUEUE_SETTINGS.get(key)
        if kind is None:
            raise ValidationError(f"unknown queue setting {key!r}", field=key)
        if value is None and key in NULLABLE_SETTINGS:
            setattr(queue, key, None)
            continue
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValidationError(f"{key} must be a {kind.__name__}", field=key)
        setattr(queue, key, value)
    queue_config(queue)  # validates strategies, rules and targets before saving
    validate_flow_settings(queue)
    await queue.save()
    return queue


async def _linked(key: str, value: Any) -> Any:
    """The object a link setting names (None clears it)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{key} must be a name or null", field=key)
    if key == "calendar":
        found: Any = await Calendar.get_or_none(name=value)
    elif key == "menu":
        found = await IvrMenu.get_or_none(name=value)
    elif key == "survey":
        found = await SurveyProfile.get_or_none(name=value)
    elif key == "classification":
        found = await ClassificationProfile.get_or_none(name=value)
    else:
        found = await User.get_or_none(username=value)
    if found is None:
        raise ValidationError(f"{key}: nothing named {value!r}", field=key)
    return found


async def save_did(number: str, body: dict[str, Any]) -> Did:
    if not re.fullmatch(r"\+?[0-9]{2,20}", number):
        raise ValidationError("a DID is 2-20 digits, optionally with a leading +", field="number")
    try:
        route_type = RouteType(body.get("route_type", "unused"))
    except ValueError as err:
        raise ValidationError(
            f"unknown route_type {body.get('route_type')!r}", field="route_type"
        ) from err
    values: dict[str, Any] = {
        "route_type": route_type,
        "queue": None,
        "user": None,
        "menu": None,
    }
    if "menu" in body:
        values["menu"] = await IvrMenu.get_or_none(name=str(body["menu"]))
        if values["menu"] is None:
            raise ValidationError(f"no menu {body['menu']!r}", field="menu")
    if "queue" in body:
        values["queue"] = await Queue.get_or_none(name=str(body["queue"]))
        if values["queue"] is None:
            raise ValidationError(f"no queue {body['queue']!r}", field="queue")
    if "user" in body:
        values["user"] = await User.get_or_none(username=str(body["user"]))
        if values["user"] is None:
            raise ValidationError(f"no user {body['user']!r}", field="user")
    for key in ("priority", "ring_seconds"):
        if key in body:
            if not isinstance(body[key], int) or isinstance(body[key], bool):
                raise ValidationError(f"{key} must be a whole number", field=key)
            values[key] = body[key]
    if "site" in body:  # a site's code; "" for none
        code = str(body["site"] or "")
        site = await Site.get_or_none(code=code) if code else None
        if code and site is None:
            raise ValidationError(f"no site {code!r}", field="site")
        values["site_id"] = site.id if site else 0
    if "description" in body:
        values["description"] = str(body["description"])[:255]
    did, _ = await Did.update_or_create(number=number, defaults=values)
    return did
