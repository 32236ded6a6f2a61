"""What each agent did besides queue calls in a period: chats answered, tickets answered and
solved, calls placed, and the customer feedback index of the calls they answered. The call
statistics per agent show it next to the calls and the agents' time; each figure comes from
its own pre-aggregated or indexed table with one grouped query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.functions import Count, Sum

from ehd.db.models import ChatSession, SurveyAnswer, SurveyProfile, TicketDaySlice, User
from ehd.stats.survey_figures import CFI_SCALE
from ehd.stats.ticket_figures import Dimension


@dataclass
class AgentWork:
    chats: int = 0  # chats the agent answered
    tickets_answered: int = 0  # tickets the agent gave their first answer
    tickets_solved: int = 0
    cfi_answers: int = 0  # keyed answers to 1-5 survey questions after the agent's calls
    cfi_total: int = 0

    @property
    def cfi(self) -> float | None:
        """The average of the 1-5 answers (the customer feedback index)."""
        return round(self.cfi_total / self.cfi_answers, 2) if self.cfi_answers else None


def _moment(day: date, zone: ZoneInfo) -> datetime:
    """In UTC: SQLite compares the stored UTC text, so the bounds' offset must match."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


async def _cfi_questions() -> set[tuple[str, str]]:
    """(profile, question) of the questions asked on the 1-5 scale."""
    found = set()
    for profile in await SurveyProfile.all():
        for question in profile.questions:
            scale = (int(question.get("low", 1)), int(question.get("high", 5)))
            if scale == CFI_SCALE:
                found.add((profile.name, str(question.get("id"))))
    return found


async def agent_work(first: date, last: date, zone: ZoneInfo) -> dict[str, AgentWork]:
    """Per username, for the days ``first`` to ``last`` (included) on the site's clock."""
    start, end = _moment(first, zone), _moment(last + timedelta(days=1), zone)
    work: dict[str, AgentWork] = {}

    def of(username: object) -> AgentWork:
        return work.setdefault(str(username), AgentWork())

    chats = (
        await ChatSession.filter(answered_at__gte=start, answered_at__lt=end)
        .exclude(agent_id=None).group_by("agent__username").annotate(chats=Count("id"))
        .values_list("agent__username", "chats")
    )  # fmt: skip
    for username, count in chats:
        of(username).chats = int(count)
    usernames = {str(i): name for i, name in await User.all().values_list("id", "username")}
    tickets = (
        await TicketDaySlice.filter(dimension=Dimension.AGENT.value, day__gte=first, day__lte=last)
        .exclude(value__in=("", "0"))
        .group_by("value").annotate(solved=Sum("solved"), answered=Sum("first_responses"))
        .values_list("value", "solved", "answered")
    )  # fmt: skip
    for user_id, solved, answered in tickets:
        username = usernames.get(str(user_id))
        if username is not None and (solved or answered):
            of(username).tickets_solved = int(solved or 0)
            of(username).tickets_answered = int(answered or 0)
    cfi_questions = await _cfi_questions()
    answers = (
        await SurveyAnswer.filter(answered_at__gte=start, answered_at__lt=end).exclude(agent="")
        .group_by("agent", "profile", "question")
        .annotate(answers=Count("id"), total=Sum("answer"))
        .values_list("agent", "profile", "question", "answers", "total")
    )  # fmt: skip
    for agent, profile, question, count, total in answers:
        if (profile, question) in cfi_questions:
            mine = of(agent)
            mine.cfi_answers += int(count)
            mine.cfi_total += int(total or 0)
    return dict(sorted(work.items()))
