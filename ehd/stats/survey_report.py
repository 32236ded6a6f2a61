"""Survey results for a period, in total or per queue, agent or site, and the answers themselves:
the one door for the page and its download. Counted by the database (a year of answers is
one grouped query)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from ehd.db.models import SurveyAnswer, SurveyProfile
from ehd.errors import ValidationError
from ehd.stats.call_report import CallReportRequest, site_codes
from ehd.stats.rollup import Grouping
from ehd.stats.survey_figures import DETRACTOR_UP_TO, PROMOTER_FROM, AnswerCounts, QuestionFigures

DETAIL_ROWS = 200  # the latest answers shown under the figures


@dataclass(frozen=True)
class SurveyRow:
    group: str  # the queue or agent; "" in total
    profile: str
    figures: QuestionFigures


@dataclass(frozen=True)
class SurveyReport:
    request: CallReportRequest
    rows: list[SurveyRow]
    latest: list[SurveyAnswer]  # newest first, at most DETAIL_ROWS


async def _scales() -> dict[tuple[str, str], tuple[int, int]]:
    """(profile, question) -> (low, high), from the profiles as they are now."""
    scales = {}
    for profile in await SurveyProfile.all():
        for question in profile.questions:
            key = (profile.name, str(question.get("id")))
            scales[key] = (int(question.get("low", 1)), int(question.get("high", 5)))
    return scales


async def survey_report(request: CallReportRequest, zone: ZoneInfo) -> SurveyReport:
    # in UTC: SQLite compares the stored UTC text, so the bounds' offset must match
    start = datetime.combine(request.first, time(), zone).astimezone(UTC)
    end = datetime.combine(request.last + timedelta(days=1), time(), zone).astimezone(UTC)
    answers = SurveyAnswer.filter(answered_at__gte=start, answered_at__lt=end)
    if request.queues:
        answers = answers.filter(queue_name__in=list(request.queues))
    if request.grouping is Grouping.DID:
        raise ValidationError("group: surveys are counted in total, per queue, agent or site",
                              field="group")  # fmt: skip
    by = {
        Grouping.TOTAL: (), Grouping.QUEUE: ("queue_name",), Grouping.AGENT: ("agent",),
        Grouping.SITE: ("site_id",),
    }[request.grouping]  # fmt: skip
    sites = await site_codes() if request.grouping is Grouping.SITE else {}
    grouped = (
        answers.annotate(
            answers=Count("id"),
            total=Sum("answer"),
            promoters=Count("id", _filter=Q(answer__gte=PROMOTER_FROM)),
            detractors=Count("id", _filter=Q(answer__lte=DETRACTOR_UP_TO)),
        )
        .group_by("profile", "question", *by)
        .values("profile", "question", *by, "answers", "total", "promoters", "detractors")
    )
    scales = await _scales()
    rows = []
    for row in await grouped:
        low, high = scales.get((row["profile"], row["question"]), (1, 5))
        counts = AnswerCounts(
            int(row["answers"]), int(row["total"] or 0), int(row["promoters"]),
            int(row["detractors"]),
        )  # fmt: skip
        group = str(row[by[0]]) if by else ""
        group = sites.get(group, group) if sites else group
        figures = QuestionFigures(row["question"], low, high, counts)
        rows.append(SurveyRow(group, row["profile"], figures))
    rows.sort(key=lambda r: (r.group, r.profile, r.figures.question))
    latest = await answers.order_by("-answered_at", "-id").limit(DETAIL_ROWS)
    return SurveyReport(request, rows, latest)
