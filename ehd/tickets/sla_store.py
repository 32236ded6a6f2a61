"""Saving SLA policies, shared by the admin screen and the JSON API: all of a policy is
checked before any of it is stored."""

from __future__ import annotations

from typing import Any

from ehd.db.models import Calendar, SlaPolicy, TicketTemplate
from ehd.errors import NotFoundError, ValidationError
from ehd.tickets.sla import Escalation
from ehd.tickets.status import Priority, Status

MAX_GOAL_MINUTES = 366 * 24 * 60


def _minutes(body: dict[str, Any], key: str) -> int | None:
    raw = body.get(key)
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValidationError(f"{key} is a number of minutes", field=key)
    if isinstance(raw, str):
        raw = raw.strip()
        if not (raw.isascii() and raw.isdigit()):  # int() would take "²" or "٣"
            raise ValidationError(f"{key} is a number of minutes", field=key)
    if not isinstance(raw, (int, str)) or not 1 <= int(raw) <= MAX_GOAL_MINUTES:
        raise ValidationError(f"{key} is between 1 and {MAX_GOAL_MINUTES} minutes", field=key)
    return int(raw)


def policy_json(row: SlaPolicy) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "position": row.position, "active": row.active,
        "template": row.template.name if row.template else None,
        "ticket_type": row.ticket_type, "priority": row.priority,
        "first_response_minutes": row.first_response_minutes,
        "resolution_minutes": row.resolution_minutes,
        "calendar": row.calendar.name if row.calendar else None,
        "pause_statuses": row.pause_statuses, "escalations": row.escalations,
    }  # fmt: skip


async def save_policy(row: SlaPolicy | None, body: dict[str, Any]) -> SlaPolicy:
    """Create (``row`` None) or change a policy from {"name", "position", "active",
    "template", "ticket_type", "priority", "first_response_minutes", "resolution_minutes",
    "calendar", "pause_statuses": [...], "escalations": [{"metric", "minutes_before",
    "action", "recipients"}]}; names refer to templates and calendars."""
    values: dict[str, Any] = {}
    name = str(body.get("name", row.name if row else "")).strip()[:128]
    if not name:
        raise ValidationError("name the policy", field="name")
    clash = SlaPolicy.filter(name=name)
    if await (clash.exclude(id=row.id) if row else clash).exists():
        raise ValidationError(f"a policy named {name!r} exists", field="name")
    values["name"] = name
    if "position" in body:
        position = body["position"]
        if isinstance(position, str) and position.strip().isascii() and position.strip().isdigit():
            position = int(position)
        if (
            not isinstance(position, int)
            or isinstance(position, bool)
            or not 0 <= position < 10_000
        ):
            raise ValidationError("position is a whole number from 0", field="position")
        values["position"] = position
    if "active" in body:
        values["active"] = bool(body["active"])
    if "template" in body:
        values["template"] = await _named(TicketTemplate, body["template"], "template")
    if "calendar" in body:
        values["calendar"] = await _named(Calendar, body["calendar"], "calendar")
    if "ticket_type" in body:
        values["ticket_type"] = str(body["ticket_type"] or "").strip()[:64]
    if "priority" in body:
        priority = str(body["priority"] or "")
        if priority and priority not in {p.value for p in Priority}:
            raise ValidationError("priority is low, medium, high or empty", field="priority")
        values["priority"] = priority
    for key in ("first_response_minutes", "resolution_minutes"):
        if key in body:
            values[key] = _minutes(body, key)
    if "pause_statuses" in body:
        pause = body["pause_statuses"]
        allowed = {s.value for s in Status} - {Status.SOLVED.value, Status.CLOSED.value}
        if not isinstance(pause, list) or not all(s in allowed for s in pause):
            raise ValidationError("pause_statuses are ticket statuses (not solved or closed)",
                                  field="pause_statuses")  # fmt: skip
        values["pause_statuses"] = sorted(set(pause))
    if "escalations" in body:
        steps = body["escalations"]
        if not isinstance(steps, list) or len(steps) > 20:
            raise ValidationError("escalations is a list of up to 20 steps", field="escalations")
        parsed = [Escalation.parse(step) for step in steps]
        if len({step.key for step in parsed}) < len(parsed):
            raise ValidationError("two escalation steps are the same", field="escalations")
        values["escalations"] = [step.dump() for step in parsed]
    goals = {**({} if row is None else {"first_response_minutes": row.first_response_minutes,
                                        "resolution_minutes": row.resolution_minutes}),
             **{k: v for k, v in values.items() if k.endswith("_minutes")}}  # fmt: skip
    if not any(goals.values()):
        raise ValidationError("give a first-response or a resolution goal",
                              field="resolution_minutes")  # fmt: skip
    if row is None:
        row = await SlaPolicy.create(**values)
    else:
        row.update_from_dict(values)
        await row.save()
    await row.fetch_related("template", "calendar")
    return row


async def _named(model: type[TicketTemplate] | type[Calendar], raw: object, field: str) -> Any:
    if raw is None or raw == "":
        return None
    found = await model.get_or_none(name=str(raw))
    if found is None:
        raise ValidationError(f"no {field} named {raw!r}", field=field)
    return found


async def policy_by_id(raw: str) -> SlaPolicy:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise NotFoundError("no such SLA policy")
    row = await SlaPolicy.get_or_none(id=int(raw)).prefetch_related("template", "calendar")
    if row is None:
        raise NotFoundError("no such SLA policy")
    return row
