"""Call statistics per 15 minutes, hour, day, week or month, per queue or agent, with charts
and downloads (CSV, XLSX). Figures come from ehd.stats.call_report, the same door mailed
reports use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from markupsafe import Markup

from ehd.accounts.permissions import Permission
from ehd.calendars.store import ensure_default_calendar
from ehd.db.models import Queue
from ehd.errors import ValidationError
from ehd.stats import exports
from ehd.stats.agent_time import AgentSlotTime
from ehd.stats.call_report import CallReport, call_report, parse_request, report_json
from ehd.stats.charts import Series, bars_and_line
from ehd.stats.intervals import WAIT_BANDS, Measures
from ehd.stats.rollup import Granularity, Grouping
from ehd.web.auth import require_permission
from ehd.web.boards.downloads import download
from ehd.web.i18n import language_for, translations
from ehd.web.keys import USER
from ehd.web.rendering import render

routes = web.RouteTableDef()

# What the page calls each measure (the downloads keep the names of ehd.stats.intervals).
MEASURE_LABELS = {
    "offered": "Offered",
    "answered": "Answered",
    "abandoned": "Abandoned",
    "short_abandoned": "Short abandons",
    "overflowed": "Overflowed",
    "rejected": "Turned away",
    "transferred": "Transferred",
    "service_level": "Service level (of answered)",
    "service_level_2": "Service level (of answered and abandoned)",
    "answered_percent": "Answered %",
    "average_speed_of_answer": "Avg. wait to answer (s)",
    "longest_wait_answered": "Longest wait to answer (s)",
    "average_abandoned_wait": "Avg. wait before abandoning (s)",
    "average_talk": "Avg. talk time (s)",
    "closed": "Closed (calendar)",
    "voicemail": "Voicemail",
    "average_hold": "Avg. hold time (s)",
}
# Rows per site or number: the call records' figures (ehd.stats.call_slices).
CALL_RECORD_LABELS = {
    "offered": "Offered",
    "answered": "Answered",
    "abandoned": "Abandoned",
    "closed": "Closed (calendar)",
    "overflowed": "Overflowed",
    "voicemail": "Voicemail",
    "callback_requests": "Callbacks asked for",
    "transferred": "Transferred",
    "answered_percent": "Answered %",
    "service_level": "Service level (of answered)",
    "average_speed_of_answer": "Avg. wait to answer (s)",
    "longest_wait_answered": "Longest wait to answer (s)",
    "average_abandoned_wait": "Avg. wait before abandoning (s)",
    "average_talk": "Avg. talk time (s)",
    "average_hold": "Avg. hold time (s)",
    "outbound": "Calls placed",
    "outbound_answered": "Calls placed and answered",
}
GRANULARITY_LABELS = {
    Granularity.QUARTER: "15 minutes",
    Granularity.HOUR: "Hour",
    Granularity.DAY: "Day",
    Granularity.WEEK: "Week",
    Granularity.MONTH: "Month",
}
CHART_TEXTS = (
    "Calls and service level", "Service level", "Waiting time (s)", "Agents needed and available",
    "Agents needed", "Agents available",
)  # fmt: skip
GROUPING_LABELS = {
    Grouping.TOTAL: "All together", Grouping.QUEUE: "Queue", Grouping.AGENT: "Agent",
    Grouping.SITE: "Site", Grouping.DID: "Number dialled",
}  # fmt: skip


# Rows per agent: the agent's time in each period too (shown as h:mm:ss).
AGENT_TIME_LABELS = {
    "logged_in": "Logged in", "ready": "Ready", "paused": "Paused", "busy": "Busy",
    "wrapup": "Wrap-up",
}  # fmt: skip


def measure_labels(report: CallReport | None) -> dict[str, str]:
    if report is None:
        return MEASURE_LABELS
    if report.by_call_records:
        return CALL_RECORD_LABELS
    if report.request.grouping is Grouping.AGENT:
        return {**MEASURE_LABELS, **AGENT_TIME_LABELS}
    return MEASURE_LABELS


def shown(name: str, value: object) -> str:
    """A figure as the page shows it: "–" for none, times of day as h:mm:ss."""
    if value is None:
        return "–"
    if name in AGENT_TIME_LABELS and isinstance(value, int | float):
        return duration(value)
    return str(value)


def charts_of(report: CallReport, gettext: Callable[[str], str]) -> dict[str, Markup]:
    labels = [row.label for row in report.periods]
    volumes = bars_and_line(
        gettext("Calls and service level"),
        labels,
        [
            Series(gettext("Offered"), [r.counts.offered for r in report.periods], "#5b8def"),
            Series(gettext("Answered"), [r.counts.answered for r in report.periods], "#2f9e44"),
            Series(gettext("Abandoned"), [r.counts.abandoned for r in report.periods], "#e8590c"),
        ],
        Series(
            gettext("Service level"),
            [Measures(r.counts).service_level for r in report.periods],
            "#7048e8",
        ),
    )
    bands = [f"≤{bound}" for bound in WAIT_BANDS] + [f">{WAIT_BANDS[-1]}"]
    waits = bars_and_line(
        gettext("Waiting time (s)"),
        bands,
        [
            Series(gettext("Answered"), report.total.answered_waits, "#2f9e44"),
            Series(gettext("Abandoned"), report.total.abandoned_waits, "#e8590c"),
        ],
    )
    charts = {"volumes": volumes, "waits": waits}
    if report.staffing:
        charts["staffing"] = bars_and_line(
            gettext("Agents needed and available"),
            [row.label[-5:] if len(report.staffing) > 1 else row.label for row in report.staffing],
            [
                Series(gettext("Agents needed"), [r.needed for r in report.staffing], "#e8590c"),
                Series(gettext("Agents available"), [r.available for r in report.staffing],
                       "#2f9e44"),
            ],
        )  # fmt: skip
    return charts


def duration(seconds: float) -> str:
    """h:mm:ss, as time sheets show it."""
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def occupancy(spent: AgentSlotTime) -> float | None:
    """Busy and wrap-up as a share of the time the agent could take calls."""
    working = spent.logged_in - spent.paused
    return round(100 * (spent.busy + spent.wrapup) / working, 1) if working > 0 else None


@routes.get("/statistics/calls")
async def call_statistics(request: web.Request) -> web.StreamResponse:
    require_permission(request, Permission.STATISTICS)
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    queues = await Queue.all().order_by("name").values_list("name", flat=True)
    context: dict[str, object] = {
        "queues": queues, "measures": MEASURE_LABELS, "granularities": GRANULARITY_LABELS,
        "groupings": GROUPING_LABELS,
    }  # fmt: skip
    try:
        wanted = parse_request(request.query, datetime.now(zone).date())
    except ValidationError as err:
        failed = {**context, "error": err.message, "wanted": None, "report": None}
        return render("call_statistics.html", request, failed, status=400)
    report = await call_report(wanted, zone)
    name = f"ehd-calls-{wanted.first}-{wanted.last}"
    answer = await download(
        request,
        name,
        lambda: exports.as_csv(report),
        lambda: exports.as_xlsx(report),
        lambda: report_json(report),
    )
    if answer is not None:
        return answer
    gettext = translations(language_for(request, request.get(USER))).gettext
    return render("call_statistics.html", request, {
        **context, "error": None, "report": report, "wanted": wanted,
        "measures": measure_labels(report), "shown": shown,
        "charts": charts_of(report, gettext), "duration": duration, "occupancy": occupancy,
    })  # fmt: skip
