"""A ticket's SLA clocks as people read them: time left in opening hours, when it runs out
in local time, and a level for colour (ok, at risk, breached). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ehd.tickets.sla import Clock, ClockState, Sla

AT_RISK_SHARE = 0.25  # the last quarter of a goal is shown as at risk


@dataclass(frozen=True)
class ClockView:
    metric: str
    state: str
    level: str  # "ok", "risk", "breached" or "done"
    left: str  # opening hours left ("2 h 05 min"), or overdue ("−0 h 40 min")
    due: str  # local time it runs (ran) out, or "" while it stands still short of it
    goal_minutes: int


def duration(seconds: float) -> str:
    sign = "−" if seconds < 0 else ""
    minutes = int(abs(seconds) // 60)
    return f"{sign}{minutes // 60} h {minutes % 60:02d} min"


def level_of(clock: Clock) -> str:
    match clock.state:
        case ClockState.MET | ClockState.MISSED:
            return "done"
        case ClockState.BREACHED:
            return "breached"
        case ClockState.RUNNING | ClockState.PAUSED:
            at_risk = clock.remaining_seconds <= clock.goal_seconds * AT_RISK_SHARE
            return "risk" if at_risk else "ok"


def view_of(clock: Clock, zone: ZoneInfo) -> ClockView:
    due = clock.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if clock.due_at else ""
    return ClockView(clock.metric.value, clock.state.value, level_of(clock),
                     duration(clock.remaining_seconds), due, clock.goal_seconds // 60)  # fmt: skip


def clock_views(sla: Sla | None, zone: ZoneInfo) -> list[ClockView]:
    return [view_of(clock, zone) for clock in sla.clocks] if sla else []


def most_urgent(sla: Sla | None, zone: ZoneInfo) -> ClockView | None:
    """The clock still going with the least time left: what a list shows for the ticket."""
    going = [c for c in sla.clocks if not c.done] if sla else []
    if not going:
        return None
    return view_of(min(going, key=lambda c: c.remaining_seconds), zone)
