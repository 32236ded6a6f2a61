"""What a user may do. Pure.

Each access group (role) brings a preset; an admin may grant or revoke single permissions per
user on top of it. Admin access itself is the admin role, never a single grant, so the
control panel and the REST API stay with the people chosen as admins.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from ehd.db.models import Role, User


class Permission(StrEnum):
    TICKETS_WORK = "tickets.work"  # reply, write notes, change tickets
    TICKETS_DISPATCH = "tickets.dispatch"  # assign others' tickets, mass edit
    CRM_EDIT = "crm.edit"  # create and change contacts and companies
    CALLS_TAKE = "calls.take"  # log in to queues and take calls
    CALLS_INTERNATIONAL = "calls.international"  # dial numbers abroad
    CALLS_PREMIUM = "calls.premium"  # dial premium-rate numbers
    CALLS_MONITOR = "calls.monitor"  # listen to, whisper to and barge into agents' calls
    STAFFING = "callcenter.staffing"  # plan other agents' logins
    STATISTICS = "statistics"
    WALLBOARD = "wallboard"


LABELS = {
    Permission.TICKETS_WORK: "Work on tickets",
    Permission.TICKETS_DISPATCH: "Dispatch tickets (assign, mass edit)",
    Permission.CRM_EDIT: "Edit contacts and companies",
    Permission.CALLS_TAKE: "Take calls",
    Permission.CALLS_INTERNATIONAL: "Call numbers abroad",
    Permission.CALLS_PREMIUM: "Call premium-rate numbers",
    Permission.CALLS_MONITOR: "Listen to and whisper into agents' calls",
    Permission.STAFFING: "Plan staffing",
    Permission.STATISTICS: "See statistics",
    Permission.WALLBOARD: "See the wallboard",
}

PRESETS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SUPERVISOR: frozenset(Permission),
    Role.AGENT: frozenset(
        {Permission.TICKETS_WORK, Permission.CRM_EDIT, Permission.CALLS_TAKE, Permission.WALLBOARD}
    ),  # fmt: skip
    Role.READONLY: frozenset({Permission.WALLBOARD, Permission.STATISTICS}),
}


def parse(names: Iterable[str]) -> frozenset[Permission]:
    """Known permission names only (unknown ones, e.g. from an older version, are ignored)."""
    known = {p.value for p in Permission}
    return frozenset(Permission(name) for name in names if name in known)


def effective(role: Role, granted: Iterable[str], revoked: Iterable[str]) -> frozenset[Permission]:
    return (PRESETS[role] | parse(granted)) - parse(revoked)


def may(user: User, permission: Permission) -> bool:
    return permission in effective(user.role, user.granted, user.revoked)
