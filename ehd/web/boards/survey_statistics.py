"""Survey results for supervisors: per question in total, per queue, agent or site for chosen
days, the latest answers with their calls, and a CSV download (ehd.stats.survey_report)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.calendars.store import ensure_default_calendar
from ehd.db.models import Queue
from ehd.errors import ValidationError
from ehd.stats.call_report import parse_request
from ehd.stats.rollup import Grouping
from ehd.stats.survey_report import SurveyReport, survey_report
from ehd.web.auth import require_permission
from ehd.web.boards.call_statistics import GROUPING_LABELS
from ehd.web.rendering import render

routes = web.RouteTableDef()
CSV_COLUMNS = ("group", "profile", "question", "answers", "average", "score_percent", "cfi", "nps")


def _csv(report: SurveyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        figures = row.figures.as_dict()
        writer.writerow(
            [row.group, row.profile]
            + ["" if figures[name] is None else figures[name] for name in CSV_COLUMNS[2:]]
        )
    return out.getvalue()


@routes.get("/statistics/surveys")
async def survey_statistics(request: web.Request) -> web.StreamResponse:
    require_permission(request, Permission.STATISTICS)
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    queues = await Queue.all().order_by("name").values_list("name", flat=True)
    groupings = {key: text for key, text in GROUPING_LABELS.items() if key is not Grouping.DID}
    context: dict[str, object] = {"queues": queues, "groupings": groupings}
    try:
        wanted = parse_request(request.query, datetime.now(zone).date())
    except ValidationError as err:
        failed = {**context, "error": err.message, "wanted": None, "report": None}
        return render("survey_statistics.html", request, failed, status=400)
    try:
        report = await survey_report(wanted, zone)
    except ValidationError as err:
        failed = {**context, "error": err.message, "wanted": None, "report": None}
        return render("survey_statistics.html", request, failed, status=400)
    match request.query.get("format", ""):
        case "csv":
            name = f"ehd-surveys-{wanted.first}-{wanted.last}.csv"
            return web.Response(
                text=_csv(report), content_type="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )  # fmt: skip
        case "":
            pass
        case other:
            raise web.HTTPBadRequest(text=f"format: csv, not {other!r}")
    return render("survey_statistics.html", request, {
        **context, "error": None, "report": report, "wanted": wanted, "zone": zone,
    })  # fmt: skip
