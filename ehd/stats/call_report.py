"""Call statistics per period: the one door the page, its downloads and (later) mailed reports
and the REST API go through. A request names days on the site's clock, a granularity, a
grouping and the queues; the report holds one row per period and group plus the total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ehd.db.models import Queue, Site
from ehd.errors import ValidationError
from ehd.stats import agent_time_store, call_slice_store, interval_store
from ehd.stats.agent_time import AgentSlotTime
from ehd.stats.agent_work import AgentWork, agent_work
from ehd.stats.call_slices import (
    CALL_COUNTERS,
    CALL_MEASURE_NAMES,
    CallCounts,
    CallMeasures,
    Dimension,
)
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
    if queues and grouping in FROM_CALL_RECORDS:
        raise ValidationError(
            "rows per site or number count the calls of every queue: choose all queues",
            field="queue",
        )
    return CallReportRequest(first, last, granularity, grouping, queues)


# Rows of these come from the call records alone (ehd.stats.call_slices).
FROM_CALL_RECORDS = frozenset({Grouping.SITE, Grouping.DID})
SLICE_OF = {
    Grouping.TOTAL: Dimension.TOTAL, Grouping.QUEUE: Dimension.QUEUE,
    Grouping.AGENT: Dimension.AGENT, Grouping.SITE: Dimension.SITE, Grouping.DID: Dimension.DID,
}  # fmt: skip
# What the call records add to a queue's figures: what happened outside the queue, and hold;
# and the counters those measures (and the page's test for an empty period) read.
FROM_RECORDS_TOO = ("closed", "voicemail", "callback_requests", "average_hold", "held",
                    "outbound")  # fmt: skip
COUNTERS_TOO = ("inbound", "answered", "closed", "voicemail", "callback_requests",
                "hold_seconds", "held", "outbound")  # fmt: skip


def queue_measures(counts: SlotCounts, calls: CallCounts | None) -> dict[str, object]:
    """A queue's (or agent's, or all queues') figures from queue_log, with the call records'
    own where they are known for the same rows (None: not known)."""
    measures = Measures(counts).as_dict()
    extra = CallMeasures(calls).as_dict() if calls is not None else {}
    measures.update((name, extra.get(name)) for name in FROM_RECORDS_TOO)
    return measures


QUEUE_MEASURE_NAMES = tuple(queue_measures(SlotCounts(), None))


def time_measures(spent: AgentSlotTime) -> dict[str, object]:
    """An agent's time in a period, in whole seconds."""
    return {
        "logged_in": round(spent.logged_in), "ready": round(spent.ready),
        "paused": round(spent.paused), "busy": round(spent.busy), "wrapup": round(spent.wrapup),
    }  # fmt: skip


AGENT_TIME_NAMES = tuple(time_measures(AgentSlotTime()))


@dataclass(frozen=True)
class CallReportRow:
    start: datetime  # the period's start on the site's clock
    label: str
    group: str  # the queue, agent, site (its code) or number; "" in total
    counts: SlotCounts  # from queue_log (empty in rows per site or number)
    calls: CallCounts | None = None  # from the call records; None: not known for this row
    by_call_records: bool = False  # a row per site or number: the call records' figures only
    time: AgentSlotTime | None = None  # in a row per agent: the agent's time in the period

    @property
    def measures(self) -> dict[str, object]:
        if self.by_call_records:
            return CallMeasures(self.calls or CallCounts()).as_dict()
        measures = queue_measures(self.counts, self.calls)
        if self.time is not None:
            measures.update(time_measures(self.time))
        return measures


@dataclass(frozen=True)
class CallReport:
    request: CallReportRequest
    zone: ZoneInfo
    periods: list[CallReportRow]  # every period of the request, in total (for charts)
    rows: list[CallReportRow]  # per period and group (the periods again, in total)
    total: SlotCounts
    agent_times: dict[str, AgentSlotTime] = field(default_factory=dict)  # grouped by agent
    staffing: list[StaffingRow] = field(default_factory=list)  # per 15 minutes or hour
    call_total: CallCounts | None = None  # the call records' figures for the whole request
    agent_work: dict[str, AgentWork] = field(default_factory=dict)  # grouped by agent

    @property
    def agents(self) -> list[str]:
        """Everyone with time or other work in the period, by name."""
        return sorted({*self.agent_times, *self.agent_work})

    @property
    def by_call_records(self) -> bool:
        return self.request.grouping in FROM_CALL_RECORDS

    @property
    def totals(self) -> dict[str, object]:
        if self.by_call_records:
            return CallMeasures(self.call_total or CallCounts()).as_dict()
        totals = queue_measures(self.total, self.call_total)
        if self.request.grouping is Grouping.AGENT:
            everyone = AgentSlotTime()
            for spent in self.agent_times.values():
                everyone.add(spent)
            totals.update(time_measures(everyone))
        return totals

    @property
    def measure_names(self) -> tuple[str, ...]:
        if self.by_call_records:
            return CALL_MEASURE_NAMES
        if self.request.grouping is Grouping.AGENT:
            return (*QUEUE_MEASURE_NAMES, *AGENT_TIME_NAMES)
        return QUEUE_MEASURE_NAMES


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


async def _call_counts(
    request: CallReportRequest, zone: ZoneInfo, first: int, end: int, grouping: Grouping
) -> dict[tuple[datetime, str], CallCounts] | None:
    """The call records' counters per (period start, group) for ``grouping``; None where
    they cannot be cut the way the request is (an agent's calls of chosen queues)."""
    dimension, values = SLICE_OF[grouping], tuple[str, ...]()
    if request.queues:
        if grouping is Grouping.AGENT:
            return None
        if grouping is Grouping.TOTAL:  # all chosen queues together
            dimension, values = Dimension.QUEUE, request.queues
        else:
            values = request.queues
    counters = CALL_COUNTERS if grouping in FROM_CALL_RECORDS else COUNTERS_TOO
    rows = await call_slice_store.sums(
        first, end, request.granularity, zone, dimension, values, counters
    )
    summed: dict[tuple[datetime, str], CallCounts] = {}
    for moment, value, counts in rows:
        group = "" if grouping is Grouping.TOTAL else value
        key = (period_start(moment, request.granularity, zone), group)
        summed.setdefault(key, CallCounts()).add(counts)
    return summed


async def site_codes() -> dict[str, str]:
    """Site id (as text) -> code: rows per site are named by code."""
    codes = {str(site_id): code for site_id, code in await Site.all().values_list("id", "code")}
    return {"0": "", **codes}


def _total_calls(counts: dict[tuple[datetime, str], CallCounts] | None) -> CallCounts | None:
    if counts is None:
        return None
    summed = CallCounts()
    for part in counts.values():
        summed.add(part)
    return summed


async def _site_or_number_rows(
    request: CallReportRequest, zone: ZoneInfo, first: int, end: int
) -> list[CallReportRow]:
    """Rows per site (named by code) or number dialled: the call records' figures only."""
    fmt = LABEL_FORMATS[request.granularity]
    sliced = await _call_counts(request, zone, first, end, request.grouping) or {}
    names = await site_codes() if request.grouping is Grouping.SITE else {}
    return [
        CallReportRow(start, start.strftime(fmt), names.get(group, group), SlotCounts(), counts,
                      by_call_records=True)
        for (start, group), counts in sorted(sliced.items())
    ]  # fmt: skip


async def _queue_or_agent_rows(
    request: CallReportRequest, zone: ZoneInfo, first: int, end: int,
    times: dict[tuple[datetime, str], AgentSlotTime],
) -> list[CallReportRow]:  # fmt: skip
    """Rows per queue or agent: queue_log's figures, the call records' additions and, per
    agent, their time in each period (``times``; a period with time but no call has a row)."""
    fmt = LABEL_FORMATS[request.granularity]
    grouped = await interval_store.sums(
        first, end, request.granularity, zone, request.queues, request.grouping
    )
    calls = await _call_counts(request, zone, first, end, request.grouping)
    by_group = {(r.start, r.group): r for r in _rows(grouped, request, zone, request.grouping)}
    per_agent = request.grouping is Grouping.AGENT
    return [
        CallReportRow(
            start, start.strftime(fmt), group,
            by_group[(start, group)].counts if (start, group) in by_group else SlotCounts(),
            None if calls is None else calls.get((start, group)),
            time=times.get((start, group), AgentSlotTime()) if per_agent else None,
        )
        for start, group in sorted({*by_group, *times})
    ]  # fmt: skip


async def call_report(request: CallReportRequest, zone: ZoneInfo) -> CallReport:
    first = _epoch(request.first, zone)
    end = _epoch(request.last + ONE_DAY, zone)
    granularity = request.granularity
    fmt = LABEL_FORMATS[request.granularity]
    totals = await interval_store.sums(first, end, granularity, zone, request.queues)
    found = {row.start: row for row in _rows(totals, request, zone, Grouping.TOTAL)}
    calls_in_total = await _call_counts(request, zone, first, end, Grouping.TOTAL)
    periods = [
        CallReportRow(
            start, start.strftime(fmt), "", found[start].counts if start in found else SlotCounts(),
            (calls_in_total or {}).get((start, ""), CallCounts()),
        )
        for start in period_starts(request, zone)
    ]  # fmt: skip
    agent_times: dict[str, AgentSlotTime] = {}
    work: dict[str, AgentWork] = {}
    if request.grouping is Grouping.TOTAL:
        rows = periods
    elif request.grouping in FROM_CALL_RECORDS:
        rows = await _site_or_number_rows(request, zone, first, end)
    else:
        times: dict[tuple[datetime, str], AgentSlotTime] = {}
        if request.grouping is Grouping.AGENT:
            agent_times = await agent_time_store.agent_totals(first, end)
            work = await agent_work(request.first, request.last, zone)
            times = await agent_time_store.agent_periods(first, end, granularity, zone)
        rows = await _queue_or_agent_rows(request, zone, first, end, times)
    staffing = await _staffing(request, zone, periods, first, end) if granularity in STEPS else []
    total_counts = total(row.counts for row in periods)
    return CallReport(request, zone, periods, rows, total_counts, agent_times, staffing,
                      _total_calls(calls_in_total), work)  # fmt: skip


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
        "agent_work": {
            agent: {
                "chats": work.chats,
                "tickets_answered": work.tickets_answered,
                "tickets_solved": work.tickets_solved,
                "cfi": work.cfi,
                "cfi_answers": work.cfi_answers,
            }
            for agent, work in report.agent_work.items()
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
