"""Scheduled logins: what is due at a moment (pure), and carrying it out on the database.

The scheduler calls :func:`apply_due` every few seconds with the current time; tests call it
with any time they like, so starts and ends are checked without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ehd.db.models import AgentSchedule
from ehd.errors import EhdError
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
            row.state = "done"
        elif action == Due.EXPIRED:
            row.state = "done"
        else:
            try:
                await agents.login(
                    row.user,
                    service,
                    queues=row.queues or None,
                    number=row.number or None,
                    source="schedule",
                )
                row.state = "active"
            except EhdError as err:
                log.warning("scheduled login %s of %s failed: %s", row.id, row.user.username, err)
                row.state = "failed"
        await row.save(update_fields=["state"])
        log.info("schedule %s: %s %s", row.id, action.value, row.user.username)
    return actions
