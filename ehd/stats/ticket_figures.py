"""Ticket statistics as counters per local day and per ticket attributes (channel, site,
response group, agent, template): what happened to tickets folded into sums that any period
and grouping adds up, and the measures read from them. Pure: events in, counters out.

A ticket event counts on the day it happened, under the ticket's attributes at that moment:
creation, a solve (a move from an open status to solved or closed), a reopening (back from
solved or closed), and the first answer the customer could see. Times are the SLA clocks'
(``ehd.tickets.sla``): opening hours of the ticket's calendar, less the time spent waiting
for the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Dimension(StrEnum):
    TOTAL = "total"
    CHANNEL = "channel"
    SITE = "site"
    GROUP = "group"
    AGENT = "agent"
    TEMPLATE = "template"


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, order=True)
class Attributes:
    """A ticket's attributes an event counts under (0: none)."""

    channel: str = ""
    site_id: int = 0
    group_id: int = 0
    agent_id: int = 0
    template_id: int = 0


COLUMNS = (
    "created", "solved", "reopened", "first_responses", "first_response_seconds",
    "resolution_seconds", "first_response_goals", "first_response_met", "resolution_goals",
    "resolution_met",
)  # fmt: skip


@dataclass
class TicketCounts:
    created: int = 0
    solved: int = 0
    reopened: int = 0
    first_responses: int = 0
    first_response_seconds: int = 0
    resolution_seconds: int = 0  # over the solves
    # Of the events with an SLA goal: how many had one, and how many were within it.
    first_response_goals: int = 0
    first_response_met: int = 0
    resolution_goals: int = 0
    resolution_met: int = 0

    def add(self, other: TicketCounts) -> None:
        for name in COLUMNS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def values(self) -> list[int]:
        return [getattr(self, name) for name in COLUMNS]

    @property
    def average_first_response(self) -> float | None:
        return self.first_response_seconds / self.first_responses if self.first_responses else None

    @property
    def average_resolution(self) -> float | None:
        return self.resolution_seconds / self.solved if self.solved else None

    @property
    def first_response_compliance(self) -> float | None:
        return _share(self.first_response_met, self.first_response_goals)

    @property
    def resolution_compliance(self) -> float | None:
        return _share(self.resolution_met, self.resolution_goals)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Created:
    at: datetime
    attributes: Attributes


@dataclass(frozen=True)
class Solved:
    at: datetime
    attributes: Attributes
    seconds: float  # the resolution clock's time
    met: bool | None  # within the SLA goal; None: no goal


@dataclass(frozen=True)
class Reopened:
    at: datetime
    attributes: Attributes


@dataclass(frozen=True)
class FirstAnswer:
    at: datetime
    attributes: Attributes
    seconds: float
    met: bool | None


TicketEvent = Created | Solved | Reopened | FirstAnswer


@dataclass(frozen=True, order=True)
class DayKey:
    day: date
    attributes: Attributes = field(default_factory=Attributes)


def fold(events: list[TicketEvent], zone: ZoneInfo) -> dict[DayKey, TicketCounts]:
    """The counters the events add, per local day and attributes."""
    deltas: dict[DayKey, TicketCounts] = {}
    for event in events:
        key = DayKey(event.at.astimezone(zone).date(), event.attributes)
        counts = deltas.setdefault(key, TicketCounts())
        match event:
            case Created():
                counts.created += 1
            case Reopened():
                counts.reopened += 1
            case Solved(seconds=seconds, met=met):
                counts.solved += 1
                counts.resolution_seconds += round(seconds)
                if met is not None:
                    counts.resolution_goals += 1
                    counts.resolution_met += int(met)
            case FirstAnswer(seconds=seconds, met=met):
                counts.first_responses += 1
                counts.first_response_seconds += round(seconds)
                if met is not None:
                    counts.first_response_goals += 1
                    counts.first_response_met += int(met)
    return deltas


def period_start(day: date, period: Period) -> date:
    match period:
        case Period.DAY:
            return day
        case Period.WEEK:
            return day - timedelta(days=day.weekday())
        case Period.MONTH:
            return day.replace(day=1)


def periods(first: date, last: date, period: Period) -> list[date]:
    """Every period start from the one holding ``first`` to the one holding ``last``."""
    starts: list[date] = []
    day = period_start(first, period)
    while day <= last:
        starts.append(day)
        match period:
            case Period.DAY:
                day += timedelta(days=1)
            case Period.WEEK:
                day += timedelta(days=7)
            case Period.MONTH:
                day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return starts


def backlog(open_now: int, changes_after: int, per_period: list[TicketCounts]) -> list[int]:
    """Tickets open at the end of each period: today's open count walked back through the
    periods' own changes (``changes_after``: the net change since the last period ended).
    Anchored on today's true count, so tickets older than the counters still count."""
    end = open_now - changes_after
    ends: list[int] = []
    for counts in reversed(per_period):
        ends.append(end)
        end -= counts.created - counts.solved + counts.reopened
    return list(reversed(ends))
