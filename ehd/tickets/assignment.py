"""Who works on a ticket: pick next, pick own (locked), dispatching, the installation's
"assign agent" and "auto assigned" options. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ehd.errors import ConflictError, ValidationError

PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}
WORKABLE = frozenset({"new", "open"})


@dataclass(frozen=True)
class Candidate:
    id: int
    group_id: int | None
    agent_id: int | None
    status: str
    priority: str
    created_at: datetime


def pick_next(candidates: Iterable[Candidate], groups: set[int]) -> int | None:
    """The ticket an agent should take next: unassigned, workable, in their groups (or in no
    group), highest priority first, then the oldest."""
    free = [
        c
        for c in candidates
        if c.agent_id is None
        and c.status in WORKABLE
        and (c.group_id is None or c.group_id in groups)
    ]
    free.sort(key=lambda c: (PRIORITY_ORDER.get(c.priority, 1), c.created_at, c.id))
    return free[0].id if free else None


def check_work(agent_id: int, ticket_agent: int | None, locked: bool, supervisor: bool) -> None:
    """A ticket picked as own is locked to its agent; supervisors may still step in."""
    if locked and ticket_agent not in (None, agent_id) and not supervisor:
        raise ConflictError("the ticket is locked to another agent")


def check_agent_change(new_agent: int | None, assign_required: bool) -> None:
    if assign_required and new_agent is None:
        raise ValidationError("tickets must have an agent here", field="agent")
