"""Service-level goals for tickets: which goals apply, how far each clock has run, when it
breaches, and which escalations are due. Pure: the ticket's history and a calendar in, plain
values out (the database side is ``ehd.tickets.sla_tracking``).

Two clocks run from the ticket's creation: *first response* stops at the first answer the
customer can see, *resolution* when the ticket is solved or closed (a reopened ticket's clock
runs on from where it stopped). Both count only the calendar's opening hours and stand still
while the ticket waits for the customer (the policy's pause statuses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ehd.calendars.business_time import after_business_seconds, business_seconds
from ehd.calendars.model import CalendarRules
from ehd.errors import ValidationError
from ehd.tickets.status import DONE, Priority, Status


class Metric(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class ClockState(StrEnum):
    RUNNING = "running"  # counting towards the goal (in opening hours)
    PAUSED = "paused"  # waiting for the customer, within the goal
    BREACHED = "breached"  # not done, and the goal has passed
    MET = "met"  # done within the goal
    MISSED = "missed"  # done, after the goal


class EscalationAction(StrEnum):
    NOTIFY = "notify"  # the ticket's agent, else its group's members
    MAIL = "mail"  # the given addresses
    RAISE_PRIORITY = "raise_priority"  # one step up


DEFAULT_PAUSE = frozenset({Status.WITH_CONTACT.value})
_DONE = frozenset(s.value for s in DONE)


@dataclass(frozen=True)
class Escalation:
    metric: Metric
    minutes_before: int  # 0: at the breach itself
    action: EscalationAction
    recipients: tuple[str, ...] = ()  # mail addresses, for MAIL

    @property
    def key(self) -> str:
        """Names the step in the record of what has fired, so a step fires once per ticket."""
        return f"{self.metric.value}/{self.minutes_before}/{self.action.value}"

    def dump(self) -> dict[str, object]:
        return {"metric": self.metric.value, "minutes_before": self.minutes_before,
                "action": self.action.value, "recipients": list(self.recipients)}  # fmt: skip

    @classmethod
    def parse(cls, raw: object) -> Escalation:
        if not isinstance(raw, dict):
            raise ValidationError("an escalation is {metric, minutes_before, action, recipients}")
        try:
            metric = Metric(str(raw.get("metric")))
            action = EscalationAction(str(raw.get("action")))
        except ValueError as err:
            raise ValidationError(
                "escalation metric is first_response or resolution; action is notify, mail "
                "or raise_priority", field="escalations",
            ) from err  # fmt: skip
        before = raw.get("minutes_before", 0)
        if not isinstance(before, int) or isinstance(before, bool) or not 0 <= before <= 100_000:
            raise ValidationError("minutes_before is a whole number of minutes, 0 or more",
                                  field="escalations")  # fmt: skip
        recipients = raw.get("recipients") or []
        if not isinstance(recipients, list) or not all(
            isinstance(r, str) and "@" in r for r in recipients
        ):
            raise ValidationError("recipients are mail addresses", field="escalations")
        if action is EscalationAction.MAIL and not recipients:
            raise ValidationError("a mail escalation needs recipients", field="escalations")
        return cls(metric, before, action, tuple(r.strip() for r in recipients))


@dataclass(frozen=True)
class Policy:
    """Goals for the tickets it matches; an empty condition matches every ticket, so a policy
    without conditions is the general default (policies are tried in order)."""

    id: int
    name: str
    first_response_minutes: int | None
    resolution_minutes: int | None
    template_id: int | None = None
    ticket_type: str = ""
    priority: str = ""
    calendar_id: int | None = None  # None: the template's calendar, else the default one
    pause_statuses: frozenset[str] = DEFAULT_PAUSE
    escalations: tuple[Escalation, ...] = ()

    def matches(self, template_id: int | None, ticket_type: str, priority: str) -> bool:
        return (
            (self.template_id is None or self.template_id == template_id)
            and (not self.ticket_type or self.ticket_type == ticket_type)
            and (not self.priority or self.priority == priority)
        )

    def goal_minutes(self, metric: Metric) -> int | None:
        match metric:
            case Metric.FIRST_RESPONSE:
                return self.first_response_minutes
            case Metric.RESOLUTION:
                return self.resolution_minutes


def choose(
    policies: Sequence[Policy], template_id: int | None, ticket_type: str, priority: str
) -> Policy | None:
    return next((p for p in policies if p.matches(template_id, ticket_type, priority)), None)


@dataclass(frozen=True)
class History:
    """What the clocks need to know of a ticket: its statuses over time (the first at its
    creation) and its first answer to the customer."""

    created_at: datetime
    statuses: tuple[tuple[datetime, str], ...]
    first_response_at: datetime | None = None


@dataclass(frozen=True)
class Clock:
    metric: Metric
    goal_seconds: int
    used_seconds: float  # opening-hours seconds counted so far
    state: ClockState
    due_at: datetime | None  # when it breaches (or breached); None while paused short of it
    stopped_at: datetime | None  # when it was met or missed

    @property
    def remaining_seconds(self) -> float:
        """Opening-hours seconds left; negative once breached."""
        return self.goal_seconds - self.used_seconds

    @property
    def done(self) -> bool:
        return self.state in (ClockState.MET, ClockState.MISSED)

    def as_json(self) -> dict[str, object]:
        return {
            "metric": self.metric.value,
            "goal_minutes": self.goal_seconds // 60,
            "used_seconds": round(self.used_seconds),
            "remaining_seconds": round(self.remaining_seconds),
            "state": self.state.value,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "stopped_at": self.stopped_at.isoformat() if self.stopped_at else None,
        }


# A run of counting time: from a start to an end, or on into the future (end None).
Run = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class _Track:
    runs: tuple[Run, ...]
    stopped_at: datetime | None

    def used(self, rules: CalendarRules, now: datetime) -> float:
        return sum(business_seconds(rules, start, end or now) for start, end in self.runs)

    def reaches(self, rules: CalendarRules, seconds: float) -> datetime | None:
        """When the count reached (or will reach, running on) ``seconds``; None if it never
        does (stopped or paused short of it)."""
        counted = 0.0
        for start, end in self.runs:
            if end is None:
                return after_business_seconds(rules, start, seconds - counted)
            span = business_seconds(rules, start, end)
            if counted + span >= seconds:
                return after_business_seconds(rules, start, seconds - counted)
            counted += span
        return None


def _track(metric: Metric, history: History, pause: frozenset[str], now: datetime) -> _Track:
    # As of ``now``: what happened later is not known yet.
    stop = history.first_response_at if metric is Metric.FIRST_RESPONSE else None
    if stop is not None and stop > now:
        stop = None
    runs: list[Run] = []
    stopped_at: datetime | None = None
    statuses = sorted(s for s in history.statuses if s[0] <= now) or [
        (history.created_at, Status.NEW.value)
    ]
    for index, (at, status) in enumerate(statuses):
        if stop is not None and at >= stop:
            break
        until = statuses[index + 1][0] if index + 1 < len(statuses) else None
        if stop is not None and (until is None or until > stop):
            until = stop
        if status in _DONE:
            stopped_at = at if until is None else None
            continue
        if status in pause:
            continue
        runs.append((at, until))
        if until is None:
            break
    if stop is not None:
        stopped_at = stop
    return _Track(tuple(runs), stopped_at)


@dataclass(frozen=True)
class Sla:
    policy: Policy
    clocks: tuple[Clock, ...]
    # When each escalation step is (or was) due; None while its clock stands still short of it.
    escalation_times: tuple[tuple[Escalation, datetime | None], ...]

    def clock(self, metric: Metric) -> Clock | None:
        return next((c for c in self.clocks if c.metric is metric), None)

    def due(self, fired: frozenset[str], now: datetime) -> list[Escalation]:
        """The steps to run now: due, not yet run, on a clock that is still going."""
        return [
            step for step, at in self.escalation_times
            if at is not None and at <= now and step.key not in fired
            and not self._done(step.metric)
        ]  # fmt: skip

    def next_check(self, fired: frozenset[str], now: datetime) -> datetime | None:
        """The next moment a step falls due, for the job that runs them."""
        ahead = [
            at for step, at in self.escalation_times
            if at is not None and at > now and step.key not in fired
            and not self._done(step.metric)
        ]  # fmt: skip
        return min(ahead, default=None)

    def due_at(self) -> datetime | None:
        """When the first clock still running breaches (or breached)."""
        going = (ClockState.RUNNING, ClockState.BREACHED)
        return min((c.due_at for c in self.clocks if c.due_at and c.state in going), default=None)

    def _done(self, metric: Metric) -> bool:
        clock = self.clock(metric)
        return clock is None or clock.done


def clock_seconds(
    metric: Metric, rules: CalendarRules, history: History, now: datetime,
    pause: frozenset[str] = DEFAULT_PAUSE,
) -> float:  # fmt: skip
    """How long a clock has run as of ``now``, goal or none (for statistics)."""
    return _track(metric, history, pause, now).used(rules, now)


def evaluate(policy: Policy, rules: CalendarRules, history: History, now: datetime) -> Sla:
    clocks: list[Clock] = []
    times: list[tuple[Escalation, datetime | None]] = []
    for metric in Metric:
        minutes = policy.goal_minutes(metric)
        if minutes is None:
            continue
        goal = minutes * 60
        track = _track(metric, history, policy.pause_statuses, now)
        used = track.used(rules, now)
        due_at = track.reaches(rules, goal)
        running = bool(track.runs) and track.runs[-1][1] is None
        if track.stopped_at is not None:
            state = ClockState.MET if used <= goal else ClockState.MISSED
        elif used >= goal:
            state = ClockState.BREACHED
        else:
            state = ClockState.RUNNING if running else ClockState.PAUSED
        clocks.append(Clock(metric, goal, used, state, due_at, track.stopped_at))
        for step in policy.escalations:
            if step.metric is metric:
                times.append((step, track.reaches(rules, max(goal - step.minutes_before * 60, 0))))
    return Sla(policy, tuple(clocks), tuple(times))


def raised(priority: str) -> str | None:
    """One step up, or None at the top."""
    order = [Priority.LOW.value, Priority.MEDIUM.value, Priority.HIGH.value]
    if priority not in order or priority == order[-1]:
        return None
    return order[order.index(priority) + 1]
