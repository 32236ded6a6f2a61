"""Call statistics per period: the one door the page, its downloads and (later) mailed reports
and the REST API go through. A request names days on the site's clock, a granularity, a
grouping and the queues; the report holds one row per period and group plus the total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ehd.db.models import Queue
from ehd.stats import agent_time_store, interval_store
from ehd.stats.agent_time import AgentSlotTime
from ehd.stats.intervals import SLOT_SECONDS, Measures, SlotCounts, SlotKey
from ehd.stats.rollup import Granularity, Grouping, period_start, roll_up, total
from ehd.stats.staffing import StaffingRow, agents_needed
from ehd.stats.view_query import chosen, days

ONE_DAY = timedelta(days=1)
# The longest period each granularity may cover: a longer one would be thousands of rows.
MAX_DAYS = {
    Granularity.QUARTER: 31,
    Granularity.HOUR: 93,
    Granularity.DAY: 400,
    Granularity.WEEK: 400,
    Granularity.MONTH: 800,
}
LABEL_FORMATS = {
    Granularity.QUARTER: "%Y-%m-%d %H:%M",
    Granularity.HOUR: "%Y-%m-%d %H:%M",
    Granularity.DAY: "%Y-%m-%d",
    Granularity.WEEK: "%G-W%V",
    Granularity.MONTH: "%Y-%m",
}


@dataclass(frozen=True)
class CallReportRequest:
    first: date
    last: date  # included
    granularity: Granularity = Granularity.DAY
    grouping: Grouping = Grouping.TOTAL
    queues: tuple[str, ...] = ()  # empty: every queue

    def as_query(self) -> dict[str, str]:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "granularity": self.granularity.value,
            "group": self.grouping.value,
            **({"queue": ",".join(self.queues)} if self.queues else {}),
        }


def parse_request(query: Mapping[str, str], today: date) -> CallReportRequest:
    """From a page's or an API's parameters; the default is the last seven days by day."""
    granularity = chosen(Granularity, query, "granularity", Granularity.DAY)
    grouping = chosen(Grouping, query, "group", Grouping.TOTAL)
    first, last = days(query, today, 7, MAX_DAYS[granularity], granularity.value)
    queues = tuple(sorted({q.strip() for q in query.get("queue", "").split(",") if q.strip()}))
    return CallReportRequest(first, last, granularity, grouping, queues)


@dataclass(frozen=True)
class CallReportRow:
    start: datetime  # the period's start on the site's clock
    label: str
    group: str  # the queue or agent; "" in total
    counts: SlotCounts

    @property
    def measures(self) -> dict[str, object]:
        return Measures(self.counts).as_dict()


@dataclass(frozen=True)
class CallReport:
    request: CallReportRequest
    zone: ZoneInfo
    periods: list[CallReportRow]  # every period of the request, in total (for charts)
    rows: list[CallReportRow]  # per period and group (the periods again, in total)
    total: SlotCounts
    agent_times: dict[str, AgentSlotTime] = field(default_factory=dict)  # grouped by agent
    staffing: list[StaffingRow] = field(default_factory=list)  # per 15 minutes or hour

    @property
    def totals(self) -> dict[str, object]:
        return Measures(self.total).as_dict()


def _epoch(day: date, zone: ZoneInfo) -> int:
    return int(datetime.combine(day, time(), zone).timestamp())


STEPS = {Granularity.QUARTER: SLOT_SECONDS, Granularity.HOUR: 3600}


def period_starts(request: CallReportRequest, zone: ZoneInfo) -> list[datetime]:
    """Every period of the request, an empty one too: charts keep their time axis."""
    if request.granularity in STEPS:
        first, end = _epoch(request.first, zone), _epoch(request.last + ONE_DAY, zone)
        moments: Sequence[int] = range(first, end, STEPS[request.granularity])
    else:
        days = (request.last - request.first).days + 1
        moments = [_epoch(request.first + timedelta(days=n), zone) for n in range(days)]
    return sorted({period_start(moment, request.granularity, zone) for moment in moments})


def _rows(
    sums: list[tuple[SlotKey, SlotCounts]], request: CallReportRequest, zone: ZoneInfo,
    grouping: Grouping,
) -> list[CallReportRow]:  # fmt: skip
    fmt = LABEL_FORMATS[request.granularity]
    return [
        CallReportRow(start, start.strftime(fmt), group, counts)
        for (start, group), counts in roll_up(sums, request.granularity, zone, grouping).items()
    ]


async def _service_settings(queues: tuple[str, ...]) -> tuple[float, float, float, float]:
    """(goal seconds, target percent, expected handling seconds, wrap-up seconds) of the
    chosen queues; of several, the strictest goal and target and the longest times."""
    chosen = Queue.filter(name__in=list(queues)) if queues else Queue.all()
    rows = await chosen.values_list(
        "sl_goal_seconds", "sl_target_percent", "expected_handle_seconds", "wrapup_seconds"
    )
    if not rows:
        return 20.0, 80.0, 180.0, 0.0
    return (
        min(row[0] for row in rows),
        max(row[1] for row in rows),
        max(row[2] for row in rows),
        max(row[3] for row in rows),
    )


async def _staffing(
    request: CallReportRequest, zone: ZoneInfo, periods: list[CallReportRow], first: int,
    end: int,
) -> list[StaffingRow]:  # fmt: skip
    goal, target, expected, wrapup = await _service_settings(request.queues)
    available: dict[datetime, float] = {}
    for slot, seconds in (await agent_time_store.available_per_slot(first, end)).items():
        start = period_start(slot, request.granularity, zone)
        available[start] = available.get(start, 0.0) + seconds
    length = STEPS[request.granularity]
    rows = []
    for period in periods:
        counts = period.counts
        handled = counts.completed + counts.transferred
        handle = counts.talk_seconds / handled + wrapup if handled else expected
        needed = agents_needed(counts.offered, length, handle, goal, target)
        present = round(available.get(period.start, 0.0) / length, 1)
        rows.append(StaffingRow(period.label, counts.offered, round(handle), needed, present))
    return rows


async def call_report(request: CallReportRequest, zone: ZoneInfo) -> CallReport:
    first = _epoch(request.first, zone)
    end = _epoch(request.last + ONE_DAY, zone)
    granularity = request.granularity
    totals = await interval_store.sums(first, end, granularity, zone, request.queues)
    found = {row.start: row for row in _rows(totals, request, zone, Grouping.TOTAL)}
    fmt = LABEL_FORMATS[request.granularity]
    periods = [
        found.get(start) or CallReportRow(start, start.strftime(fmt), "", SlotCounts())
        for start in period_starts(request, zone)
    ]
    agent_times: dict[str, AgentSlotTime] = {}
    if request.grouping is Grouping.TOTAL:
        rows = periods
    else:
        grouped = await interval_store.sums(
            first, end, granularity, zone, request.queues, request.grouping
        )
        rows = _rows(grouped, request, zone, request.grouping)
        if request.grouping is Grouping.AGENT:
            agent_times = await agent_time_store.agent_totals(first, end)
    staffing = await _staffing(request, zone, periods, first, end) if granularity in STEPS else []
    total_counts = total(row.counts for row in periods)
    return CallReport(request, zone, periods, rows, total_counts, agent_times, staffing)


def report_json(report: CallReport) -> dict[str, object]:
    """The report for scripts and other tools: the same figures as the page."""
    return {
        "request": report.request.as_query(),
        "totals": report.totals,
        "rows": [
            {"period": row.start.isoformat(), "group": row.group, **row.measures}
            for row in report.rows
        ],
        "agents": {
            agent: {
                "logged_in": round(spent.logged_in),
                "ready": round(spent.ready),
                "busy": round(spent.busy),
                "wrapup": round(spent.wrapup),
                "paused": round(spent.paused),
                "pauses": {k: round(v) for k, v in spent.pauses.items()},
            }
            for agent, spent in report.agent_times.items()
        },  # fmt: skip
        "staffing": [
            {
                "period": row.label,
                "offered": row.offered,
                "needed": row.needed,
                "available": row.available,
            }
            for row in report.staffing
        ],  # fmt: skip
    }
