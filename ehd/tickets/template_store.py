"""Saving ticket templates: defaults, guidance for agents (types, steps, suggested solutions)
and the rules that choose a template for new tickets. Shared by the JSON API and the screen."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from ehd.db.models import Calendar, Queue, Site, TicketTemplate
from ehd.errors import ValidationError
from ehd.tickets.filters import parse_filter
from ehd.tickets.status import Priority, Status


async def save_template(name: str, body: dict[str, Any]) -> TicketTemplate:
    """Create or change a template from {"subject", "description", "solution",
    "suggested_solutions": [...], "types": [{"name", "instruction"}], "steps": [...],
    "sla_goal_minutes", "default_status", "default_priority", "group", "site", "calendar",
    "match_rules": {"rules": [...]}}; nothing is stored unless all of it is valid."""
    name = name.strip()[:128]
    if not name:
        raise ValidationError("name the template", field="name")
    values: dict[str, Any] = {}
    for key, limit in (("subject", 255), ("description", 4000), ("solution", 4000)):
        if key in body:
            values[key] = str(body[key])[:limit]
    for key in ("suggested_solutions", "steps"):
        if key in body:
            if not isinstance(body[key], list):
                raise ValidationError(f"{key} must be a list of texts", field=key)
            values[key] = [str(item)[:4000] for item in body[key]]
    if "types" in body:
        types = body["types"]
        all_named = isinstance(types, list) and all(
            isinstance(t, dict) and t.get("name") for t in types
        )
        if not all_named:
            raise ValidationError("types is a list of {name, instruction}", field="types")
        values["types"] = [
            {"name": str(t["name"])[:64], "instruction": str(t.get("instruction", ""))[:2000]}
            for t in types
        ]
    if "sla_goal_minutes" in body:
        goal = body["sla_goal_minutes"]
        if goal is not None and (not isinstance(goal, int) or goal <= 0):
            raise ValidationError("sla_goal_minutes must be positive", field="sla_goal_minutes")
        values["sla_goal_minutes"] = goal
    try:
        if "default_status" in body:
            values["default_status"] = Status(str(body["default_status"])).value
        if "default_priority" in body:
            values["default_priority"] = Priority(str(body["default_priority"])).value
    except ValueError as err:
        raise ValidationError(f"unknown default: {err}", field="default_status") from err
    if "group" in body:
        values["group"] = await named(Queue.get_or_none(name=str(body["group"])), body, "group")
    if "site" in body:
        values["site"] = await named(Site.get_or_none(code=str(body["site"])), body, "site")
    if "calendar" in body:
        found = Calendar.get_or_none(name=str(body["calendar"]))
        values["calendar"] = await named(found, body, "calendar")
    if "match_rules" in body:
        rules = body["match_rules"] or {}
        if rules:  # the same rule rows as a filter's, checked the same way
            parse_filter(0, name, {**rules, "actions": []})
        values["match_rules"] = rules
    template, _ = await TicketTemplate.update_or_create(name=name, defaults=values)
    return template


async def named(lookup: Awaitable[Any], body: dict[str, Any], key: str) -> Any:
    """The object a setting names; null clears it, an unknown name is refused."""
    if not body[key]:
        return None
    found = await lookup
    if found is None:
        raise ValidationError(f"no {key} {body[key]!r}", field=key)
    return found
