"""Access groups and single permissions."""

from __future__ import annotations

from ehd.accounts.permissions import PRESETS, Permission, effective, parse
from ehd.db.models import Role


def test_presets_widen_from_read_only_to_admin() -> None:
    assert PRESETS[Role.READONLY] < PRESETS[Role.AGENT] | PRESETS[Role.READONLY]
    assert Permission.TICKETS_WORK not in PRESETS[Role.READONLY]
    assert Permission.TICKETS_DISPATCH not in PRESETS[Role.AGENT]
    assert PRESETS[Role.SUPERVISOR] == PRESETS[Role.ADMIN] == frozenset(Permission)


def test_grants_and_revocations_adjust_the_preset() -> None:
    agent = effective(Role.AGENT, ["tickets.dispatch"], ["calls.take"])
    assert Permission.TICKETS_DISPATCH in agent and Permission.CALLS_TAKE not in agent
    assert effective(Role.READONLY, [], ["wallboard"]) == {Permission.STATISTICS}


def test_unknown_names_are_ignored() -> None:
    assert parse(["tickets.work", "admin", "root"]) == {Permission.TICKETS_WORK}
