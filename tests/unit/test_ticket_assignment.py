"""Pick next, locks and the assignment options."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ehd.errors import ConflictError, ValidationError
from ehd.tickets.assignment import Candidate, check_agent_change, check_work, pick_next

T0 = datetime(2026, 11, 23, 8, tzinfo=UTC)


def test_pick_next_prefers_priority_then_age_within_the_agents_groups() -> None:
    tickets = [
        Candidate(1, 10, None, "new", "low", T0),
        Candidate(2, 10, None, "open", "high", T0 + timedelta(hours=2)),
        Candidate(3, 10, None, "new", "high", T0 + timedelta(hours=1)),
        Candidate(4, 99, None, "new", "high", T0),  # another group
        Candidate(5, 10, 7, "new", "high", T0),  # taken
        Candidate(6, 10, None, "with_contact", "high", T0),  # waiting
        Candidate(7, None, None, "new", "medium", T0),  # no group: anyone
    ]
    assert pick_next(tickets, {10}) == 3
    assert pick_next([t for t in tickets if t.id != 3], {10}) == 2
    assert pick_next([t for t in tickets if t.id in (1, 7)], {10}) == 7
    assert pick_next([tickets[3]], {10}) is None


def test_locks_and_options() -> None:
    check_work(1, 1, locked=True, supervisor=False)
    check_work(1, None, locked=True, supervisor=False)
    check_work(1, 2, locked=True, supervisor=True)
    with pytest.raises(ConflictError, match="locked"):
        check_work(1, 2, locked=True, supervisor=False)
    check_agent_change(None, assign_required=False)
    with pytest.raises(ValidationError, match="must have an agent"):
        check_agent_change(None, assign_required=True)
