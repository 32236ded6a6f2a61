"""Ticket statistics per day, week or month, in total or per channel, site, response group,
agent or template: the one door the page, its downloads, mailed reports and the REST API go
through. Read from the daily counters (``ticket_days``), so a year answers at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ehd.db.models import Queue, Site, Ticket, TicketTemplate, User
from ehd.stats import ticket_store
from ehd.stats.ticket_figures import (
    Dimension,
    Period,
    TicketCounts,
    backlog,
    period_start,
    periods,
)
from ehd.stats.view_query import chosen, days
from ehd.tickets.status import DONE

MAX_DAYS = {Period.DAY: 400, Period.WEEK: 800, Period.MONTH: 1200}
LABEL_FORMATS = {Period.DAY: "%Y-%m-%d", Period.WEEK: "%G-W%V", Period.MONTH: "%Y-%m"}
# What each row holds, in order (the downloads' column names).
MEASURES = (
    "created", "solved", "reopened", "backlog", "average_first_response_hours",
    "average_resolution_hours", "first_response_sla", "resolution_sla",
)  # fmt: skip
# A filter by a dimension's value, as a query parameter.
FILTERS = {
    Dimension.CHANNEL: "channel", Dimension.SITE: "site", Dimension.GROUP: "group_name",
    Dimension.AGENT: "agent", Dimension.TEMPLATE: "template",
}  # fmt: skip


@dataclass(frozen=True)
class TicketReportRequest:
    first: date
    last: date  # included
    period: Period = Period.DAY
    dimension: Dimension = Dimension.TOTAL
    only: tuple[tuple[Dimension, str], ...] = ()  # (dimension, name) pairs

    def as_query(self) -> dict[str, str]:
        return {
            "from": self.first.isoformat(), "to": self.last.isoformat(),
            "granularity": self.period.value, "group": self.dimension.value,
            **{FILTERS[d]: name for d, name in self.only},
        }  # fmt: skip


def parse_request(query: Mapping[str, str], today: date) -> TicketReportRequest:
    """From a page's or an API's parameters; the default is the last 30 days by day."""
    period = chosen(Period, query, "granularity", Period.DAY)
    dimension = chosen(Dimension, query, "group", Dimension.TOTAL)
    first, last = days(query, today, 30, MAX_DAYS[period], period.value)
    only = tuple(
        (dimension_, str(query[name]).strip()[:128])
        for dimension_, name in FILTERS.items()
        if str(query.get(name) or "").strip()
    )  # fmt: skip
    return TicketReportRequest(first, last, period, dimension, only)


@dataclass
class TicketRow:
    label: str
    group: str
    counts: TicketCounts
    backlog: int | None = None

    @property
    def measures(self) -> dict[str, Any]:
        return measures(self.counts, self.backlog)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def measures(counts: TicketCounts, open_at_end: int | None) -> dict[str, Any]:
    return {
        "created": counts.created, "solved": counts.solved, "reopened": counts.reopened,
        "backlog": open_at_end,
        "average_first_response_hours": _hours(counts.average_first_response),
        "average_resolution_hours": _hours(counts.average_resolution),
        "first_response_sla": counts.first_response_compliance,
        "resolution_sla": counts.resolution_compliance,
    }  # fmt: skip


@dataclass
class TicketReport:
    request: TicketReportRequest
    rows: list[TicketRow]
    totals: dict[str, Any]
    # per period in total, for the charts
    labels: list[str] = field(default_factory=list)
    per_period: list[TicketCounts] = field(default_factory=list)
    backlog: list[int] = field(default_factory=list)


async def _ids(only: tuple[tuple[Dimension, str], ...]) -> dict[Dimension, Any] | None:
    """The filters as stored values; None when a name matches nothing (an empty report)."""
    found: dict[Dimension, Any] = {}
    for dimension, name in only:
        match dimension:
            case Dimension.CHANNEL:
                found[dimension] = name
                continue
            case Dimension.SITE:
                row: Any = await Site.get_or_none(code=name)
            case Dimension.GROUP:
                row = await Queue.get_or_none(name=name)
            case Dimension.AGENT:
                row = await User.get_or_none(username=name)
            case Dimension.TEMPLATE:
                row = await TicketTemplate.get_or_none(name=name)
            case Dimension.TOTAL:
                continue
        if row is None:
            return None
        found[dimension] = row.id
    return found


async def _names(dimension: Dimension, values: set[str]) -> dict[str, str]:
    """What the page shows for each stored value of the dimension."""
    ids = [int(v) for v in values if v.isdigit() and v != "0"]
    match dimension:
        case Dimension.TOTAL | Dimension.CHANNEL:
            return {v: v for v in values}
        case Dimension.SITE:
            pairs = await Site.filter(id__in=ids).values_list("id", "code")
        case Dimension.GROUP:
            pairs = await Queue.filter(id__in=ids).values_list("id", "name")
        case Dimension.AGENT:
            pairs = await User.filter(id__in=ids).values_list("id", "username")
        case Dimension.TEMPLATE:
            pairs = await TicketTemplate.filter(id__in=ids).values_list("id", "name")
    named = {str(i): str(n) for i, n in pairs}
    return {v: named.get(v, "" if v == "0" else f"#{v}") for v in values}


async def ticket_report(request: TicketReportRequest) -> TicketReport:
    starts = periods(request.first, request.last, request.period)
    labels = [start.strftime(LABEL_FORMATS[request.period]) for start in starts]
    filters = await _ids(request.only)
    rows_by_day = (
        await ticket_store.sums(request.first, request.last, request.period, request.dimension,
                                filters)  # fmt: skip
        if filters is not None else []
    )  # fmt: skip
    per_group: dict[tuple[date, str], TicketCounts] = {}
    per_period = {start: TicketCounts() for start in starts}
    for day, group, counts in rows_by_day:
        start = period_start(day, request.period)
        per_group.setdefault((start, group), TicketCounts()).add(counts)
        per_period[start].add(counts)
    if request.dimension is Dimension.TOTAL:  # every period a row, quiet ones too
        per_group = {(start, ""): counts for start, counts in per_period.items()}
    names = await _names(request.dimension, {group for _, group in per_group})
    totals = TicketCounts()
    for counts in per_period.values():
        totals.add(counts)
    # The backlog is the floor's: filtered views and groupings show none (a ticket moves
    # between agents and groups, so their open counts of the past are not known).
    ends: list[int] = []
    if not request.only:
        open_now = await Ticket.exclude(status__in=[s.value for s in DONE]).count()
        ends = backlog(open_now, await ticket_store.net_change_after(request.last),
                       list(per_period.values()))  # fmt: skip
    end_of = dict(zip(starts, ends, strict=False))
    ordered = sorted(per_group.items(), key=lambda item: (item[0][0], names[item[0][1]]))
    rows = [
        TicketRow(start.strftime(LABEL_FORMATS[request.period]), names[group], counts,
                  end_of.get(start) if request.dimension is Dimension.TOTAL else None)
        for (start, group), counts in ordered
    ]  # fmt: skip
    return TicketReport(
        request, rows, measures(totals, ends[-1] if ends else None), labels,
        list(per_period.values()), ends,
    )  # fmt: skip


def report_json(report: TicketReport) -> dict[str, object]:
    return {
        "request": report.request.as_query(),
        "totals": report.totals,
        "rows": [{"period": row.label, "group": row.group, **row.measures} for row in report.rows],
    }
