"""Ticket SLA clocks in opening hours, paused while waiting for the customer; escalations."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ehd.calendars.model import CalendarRules, parse_weekly
from ehd.errors import ValidationError
from ehd.tickets.sla import (
    ClockState,
    Escalation,
    EscalationAction,
    History,
    Metric,
    Policy,
    choose,
    evaluate,
    raised,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OFFICE = CalendarRules(
    weekly=parse_weekly({d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")})
)
HOUR = 3600


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=STOCKHOLM)  # 7 Dec 2026 is a Monday


def policy(first: int | None = 60, resolution: int | None = 8 * 60, **kw: object) -> Policy:
    return Policy(id=1, name="standard", first_response_minutes=first,
                  resolution_minutes=resolution, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_the_first_matching_policy_applies_and_an_unconditional_one_is_the_default() -> None:
    urgent = Policy(2, "urgent", 15, 120, priority="high")
    billing = Policy(3, "billing", 30, 240, template_id=7, ticket_type="invoice")
    default = Policy(4, "default", 60, 480)
    chain = [urgent, billing, default]
    assert choose(chain, 7, "invoice", "high") is urgent
    assert choose(chain, 7, "invoice", "low") is billing
    assert choose(chain, 7, "refund", "low") is default
    assert choose([urgent, billing], None, "", "medium") is None


def test_a_clock_counts_opening_hours_only() -> None:
    # Created Friday 16:00; by Monday 09:00 two opening hours have passed.
    history = History(at(11, 16), ((at(11, 16), "new"),))
    sla = evaluate(policy(), OFFICE, history, now=at(14, 9))
    first = sla.clock(Metric.FIRST_RESPONSE)
    assert first is not None
    assert first.used_seconds == 2 * HOUR
    assert first.state is ClockState.BREACHED
    assert first.due_at == at(11, 17)  # the hour ran out at Friday's close
    resolution = sla.clock(Metric.RESOLUTION)
    assert resolution is not None and resolution.state is ClockState.RUNNING
    assert resolution.remaining_seconds == 6 * HOUR
    assert resolution.due_at == at(14, 15)


def test_waiting_for_the_customer_stops_the_clock_and_a_reply_restarts_it() -> None:
    history = History(
        at(7, 8),
        ((at(7, 8), "new"), (at(7, 9), "with_contact"), (at(8, 9), "open")),
        first_response_at=at(7, 9),
    )
    paused = evaluate(policy(), OFFICE, history, now=at(8, 8))
    resolution = paused.clock(Metric.RESOLUTION)
    assert resolution is not None
    assert resolution.state is ClockState.PAUSED
    assert resolution.used_seconds == HOUR
    assert resolution.due_at is None  # standing still, so no deadline yet
    running = evaluate(policy(), OFFICE, history, now=at(8, 12))
    resolution = running.clock(Metric.RESOLUTION)
    assert resolution is not None and resolution.used_seconds == 4 * HOUR
    assert resolution.due_at == at(8, 16)
    first = running.clock(Metric.FIRST_RESPONSE)
    assert first is not None and first.state is ClockState.MET
    assert first.stopped_at == at(7, 9) and first.used_seconds == HOUR


def test_solving_stops_the_clock_and_reopening_runs_it_on() -> None:
    history = History(at(7, 8), ((at(7, 8), "open"), (at(7, 12), "solved")),
                      first_response_at=at(7, 10))  # fmt: skip
    solved = evaluate(policy(resolution=3 * 60), OFFICE, history, now=at(9, 8))
    clock = solved.clock(Metric.RESOLUTION)
    assert clock is not None and clock.state is ClockState.MISSED  # 4 h against 3 h
    assert clock.stopped_at == at(7, 12)
    first = solved.clock(Metric.FIRST_RESPONSE)
    assert first is not None and first.state is ClockState.MISSED  # 2 h against 1 h
    reopened = History(history.created_at, (*history.statuses, (at(9, 8), "open")),
                       first_response_at=at(7, 10))  # fmt: skip
    again = evaluate(policy(), OFFICE, reopened, now=at(9, 10))
    clock = again.clock(Metric.RESOLUTION)
    assert clock is not None and clock.used_seconds == 6 * HOUR
    assert clock.state is ClockState.RUNNING and clock.due_at == at(9, 12)


def test_a_policy_without_a_goal_has_no_clock() -> None:
    sla = evaluate(policy(first=None), OFFICE, History(at(7, 8), ((at(7, 8), "new"),)), at(7, 9))
    assert sla.clock(Metric.FIRST_RESPONSE) is None
    assert [c.metric for c in sla.clocks] == [Metric.RESOLUTION]


def test_escalations_fall_due_before_and_at_the_breach_once_each() -> None:
    warn = Escalation(Metric.RESOLUTION, 60, EscalationAction.NOTIFY)
    breach = Escalation(Metric.RESOLUTION, 0, EscalationAction.RAISE_PRIORITY)
    mail = Escalation(Metric.FIRST_RESPONSE, 0, EscalationAction.MAIL, ("boss@example.com",))
    rules = policy(escalations=(warn, breach, mail))
    history = History(at(7, 8), ((at(7, 8), "new"),))
    early = evaluate(rules, OFFICE, history, now=at(7, 8, 30))
    assert early.due(frozenset(), at(7, 8, 30)) == []
    assert early.next_check(frozenset(), at(7, 8, 30)) == at(7, 9)  # the first response goal
    later = evaluate(rules, OFFICE, history, now=at(7, 15, 30))
    assert later.due(frozenset(), at(7, 15, 30)) == [mail, warn]  # first response's steps first
    assert later.due(frozenset({warn.key, mail.key}), at(7, 15, 30)) == []
    assert later.next_check(frozenset({warn.key, mail.key}), at(7, 15, 30)) == at(7, 16)


def test_a_finished_clock_escalates_no_more() -> None:
    step = Escalation(Metric.FIRST_RESPONSE, 0, EscalationAction.NOTIFY)
    history = History(at(7, 8), ((at(7, 8), "new"),), first_response_at=at(7, 8, 30))
    sla = evaluate(policy(escalations=(step,)), OFFICE, history, now=at(8, 12))
    assert sla.due(frozenset(), at(8, 12)) == []
    assert sla.next_check(frozenset(), at(8, 12)) is None


def test_escalation_steps_are_checked_when_read() -> None:
    with pytest.raises(ValidationError):
        Escalation.parse({"metric": "resolution", "action": "mail"})  # no recipients
    with pytest.raises(ValidationError):
        Escalation.parse({"metric": "lunch", "action": "notify"})
    with pytest.raises(ValidationError):
        Escalation.parse({"metric": "resolution", "action": "notify", "minutes_before": -5})
    step = Escalation.parse({"metric": "resolution", "action": "notify", "minutes_before": 30})
    assert Escalation.parse(step.dump()) == step


def test_priority_rises_one_step_and_stops_at_the_top() -> None:
    assert raised("low") == "medium"
    assert raised("medium") == "high"
    assert raised("high") is None


def test_the_clock_before_creation_is_empty() -> None:
    history = History(at(7, 8), ((at(7, 8), "new"),))
    sla = evaluate(policy(), OFFICE, history, now=at(7, 8) - timedelta(minutes=1))
    clock = sla.clock(Metric.RESOLUTION)
    assert clock is not None and clock.used_seconds == 0
