"""Ticket statistics per day, week or month, in total or per channel, site, response group,
agent or template, with charts and downloads (CSV, XLSX, JSON). Figures come from
ehd.stats.ticket_report, the same door mailed reports use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from markupsafe import Markup

from ehd.accounts.permissions import Permission
from ehd.calendars.store import ensure_default_calendar
from ehd.db.models import Queue, Site, TicketTemplate, User
from ehd.errors import ValidationError
from ehd.stats import exports
from ehd.stats.charts import Series, bars_and_line
from ehd.stats.ticket_figures import Dimension, Period
from ehd.stats.ticket_report import TicketReport, parse_request, report_json, ticket_report
from ehd.web.auth import require_permission
from ehd.web.boards.downloads import download
from ehd.web.i18n import language_for, translations
from ehd.web.keys import USER
from ehd.web.rendering import render

routes = web.RouteTableDef()

TICKET_MEASURE_LABELS = {
    "created": "Created",
    "solved": "Solved",
    "reopened": "Reopened",
    "backlog": "Open at the end",
    "average_first_response_hours": "Avg. first response (opening hours)",
    "average_resolution_hours": "Avg. resolution (opening hours)",
    "first_response_sla": "First response within SLA %",
    "resolution_sla": "Resolution within SLA %",
}
PERIOD_LABELS = {Period.DAY: "Day", Period.WEEK: "Week", Period.MONTH: "Month"}
DIMENSION_LABELS = {
    Dimension.TOTAL: "All together", Dimension.CHANNEL: "Channel", Dimension.SITE: "Site",
    Dimension.GROUP: "Response group", Dimension.AGENT: "Agent", Dimension.TEMPLATE: "Template",
}  # fmt: skip
TICKET_CHART_TEXTS = ("Tickets created and solved", "Tickets open at the end of each period")
CHANNELS = ("manual", "email", "form", "sms", "phone", "chat", "social")


def ticket_charts(report: TicketReport, gettext: Callable[[str], str]) -> dict[str, Markup]:
    volumes = bars_and_line(
        gettext("Tickets created and solved"),
        report.labels,
        [
            Series(gettext("Created"), [c.created for c in report.per_period], "#5b8def"),
            Series(gettext("Solved"), [c.solved for c in report.per_period], "#2f9e44"),
            Series(gettext("Reopened"), [c.reopened for c in report.per_period], "#e8590c"),
        ],
        Series(gettext("Resolution within SLA %"),
               [c.resolution_compliance for c in report.per_period], "#7048e8"),
    )  # fmt: skip
    charts = {"volumes": volumes}
    if report.backlog:
        charts["backlog"] = bars_and_line(
            gettext("Tickets open at the end of each period"), report.labels,
            [Series(gettext("Open at the end"), report.backlog, "#868e96")],
        )  # fmt: skip
    return charts


@routes.get("/statistics/tickets")
async def ticket_statistics(request: web.Request) -> web.StreamResponse:
    require_permission(request, Permission.STATISTICS)
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    context: dict[str, Any] = {
        "measures": TICKET_MEASURE_LABELS, "periods": PERIOD_LABELS,
        "dimensions": DIMENSION_LABELS, "channels": CHANNELS,
        "sites": await Site.all().order_by("code").values_list("code", flat=True),
        "groups": await Queue.all().order_by("name").values_list("name", flat=True),
        "agents": await User.filter(active=True).order_by("username")
        .values_list("username", flat=True),
        "templates": await TicketTemplate.all().order_by("name").values_list("name", flat=True),
    }  # fmt: skip
    try:
        wanted = parse_request(request.query, datetime.now(zone).date())
    except ValidationError as err:
        failed = {**context, "error": err.message, "wanted": None, "report": None, "chosen": {}}
        return render("ticket_statistics.html", request, failed, status=400)
    report = await ticket_report(wanted)
    name = f"ehd-tickets-{wanted.first}-{wanted.last}"
    answer = await download(
        request,
        name,
        lambda: exports.tickets_csv(report),
        lambda: exports.tickets_xlsx(report),
        lambda: report_json(report),
    )
    if answer is not None:
        return answer
    gettext = translations(language_for(request, request.get(USER))).gettext
    chosen = dict(wanted.only)
    return render("ticket_statistics.html", request, {
        **context, "error": None, "report": report, "wanted": wanted,
        "chosen": {d.value: v for d, v in chosen.items()},
        "charts": ticket_charts(report, gettext),
    })  # fmt: skip
