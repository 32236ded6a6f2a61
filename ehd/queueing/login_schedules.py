"""Scheduled logins: what is due at a moment (pure), and carrying it out on the database.

The scheduler calls :func:`apply_due` every few seconds with the current time; tests call it
with any time they like, so starts and ends are checked without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ehd.db.models import AgentSchedule, ScheduleState, User
from ehd.errors import EhdError, ValidationError
from ehd.moments import aware_datetime
from ehd.phone_numbers import to_e164
from ehd.queueing import agents
from ehd.queueing.service import QueueService

log = logging.getLogger(__name__)


class Due(StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    EXPIRED = "expired"  # its whole range passed while ehd was not running


@dataclass(frozen=True)
class Slot:
    id: int
    starts_at: datetime
    ends_at: datetime
    state: str


def due(slots: Iterable[Slot], now: datetime) -> list[tuple[int, Due]]:
    actions = []
    for slot in slots:
        if slot.state == "planned" and now >= slot.ends_at:
            actions.append((slot.id, Due.EXPIRED))
        elif slot.state == "planned" and slot.starts_at <= now:
            actions.append((slot.id, Due.LOGIN))
        elif slot.state == "active" and now >= slot.ends_at:
            actions.append((slot.id, Due.LOGOUT))
    # Logouts first: an agent whose next shift starts as the last one ends stays logged in.
    return sorted(actions, key=lambda action: action[1] != Due.LOGOUT)


async def apply_due(service: QueueService | None, now: datetime) -> list[tuple[int, Due]]:
    rows = await AgentSchedule.filter(state__in=("planned", "active")).prefetch_related("user")
    by_id = {row.id: row for row in rows}
    actions = due((Slot(r.id, r.starts_at, r.ends_at, r.state) for r in rows), now)
    for schedule_id, action in actions:
        row = by_id[schedule_id]
        if action == Due.LOGOUT:
            await agents.logout(row.user, service)
            row.state = ScheduleState.DONE
        elif action == Due.EXPIRED:
            row.state = ScheduleState.DONE
        else:
            try:
                await agents.login(
                    row.user,
                    service,
                    queues=row.queues or None,
                    number=row.number or None,
                    source="schedule",
                )
                row.state = ScheduleState.ACTIVE
            except EhdError as err:
                log.warning("scheduled login %s of %s failed: %s", row.id, row.user.username, err)
                row.state = ScheduleState.FAILED
        await row.save(update_fields=["state"])
        log.info("schedule %s: %s %s", row.id, action.value, row.user.username)
    return actions


async def plan_login(
    username: str,
    starts_at: Any,
    ends_at: Any,
    number: Any,
    queues: Any,
    planned_by: str,
) -> AgentSchedule:
    """Check and store a planned login. The number defaults to the agent's remote number,
    then to their SIP phone."""
    user = await User.get_or_none(username=username)
    if user is None:
        raise ValidationError("no such agent", field="username")
    starts, ends = aware_datetime(starts_at, "starts_at"), aware_datetime(ends_at, "ends_at")
    if ends <= starts:
        raise ValidationError("ends_at must be after starts_at", field="ends_at")
    if ends <= datetime.now(UTC):
        raise ValidationError("the range is already over", field="ends_at")
    raw_number = number or user.remote_number
    e164 = to_e164(str(raw_number)) if raw_number else ""
    if raw_number and e164 is None:
        raise ValidationError(f"{raw_number!r} is not a phone number", field="number")
    if not isinstance(queues, list) or not all(isinstance(q, str) for q in queues):
        raise ValidationError("queues must be a list of queue names", field="queues")
    staffed = await agents.memberships(user, queues or None)
    if not staffed:
        raise ValidationError(f"{user.username} is not a member of any queue", field="queues")
    agents.device_for(user, e164 or None)  # a phone to ring exists
    row = await AgentSchedule.create(
        user=user,
        starts_at=starts,
        ends_at=ends,
        number=e164 or "",
        queues=queues,
        created_by=planned_by,
    )
    row.user = user
    return row
