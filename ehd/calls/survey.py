"""Ask the caller the queue's keypad survey after the agent hangs up; store each answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ehd.ari.events import Event
from ehd.callflow.survey import parse_questions
from ehd.calls.services import PhoneServices
from ehd.calls.session import CallSession
from ehd.db.models import CallRecord, SurveyAnswer, SurveyProfile
from ehd.errors import NotFoundError, ValidationError

log = logging.getLogger(__name__)

ASKS = 2  # an invalid key is asked again once


@dataclass(frozen=True)
class SurveyStart(Event):
    """Delivered to the caller's call task when the agent has hung up."""

    profile_id: int
    queue: str
    agent: str


async def run_survey(
    services: PhoneServices,
    session: CallSession,
    start: SurveyStart,
    language: str,
    answer_seconds: float = 6.0,
) -> int:
    """Ask every question; the number of answers stored (partial surveys are kept)."""
    profile = await SurveyProfile.get_or_none(id=start.profile_id)
    if profile is None:
        log.warning("call %s: survey %s is gone; not asked", session.channel_id, start.profile_id)
        return 0
    try:
        questions = parse_questions(profile.questions)
        intro = [services.media(profile.intro, language)] if profile.intro else []
        prompts = {q.id: services.media(q.prompt, language) for q in questions}
    except (ValidationError, NotFoundError) as err:
        log.warning("survey %s cannot be asked: %s", profile.name, err)
        return 0
    call = await CallRecord.get_or_none(call_id=session.channel_id)
    site_id = call.site_id if call else 0
    stored = 0
    for number, question in enumerate(questions):
        media = [*intro, prompts[question.id]] if number == 0 else [prompts[question.id]]
        value = None
        for _ in range(ASKS):
            keys = await session.collect(
                media,
                max_digits=question.max_keys,
                terminator="#",
                first_timeout=answer_seconds,
                between_timeout=3,
            )
            value = question.answer(keys)
            if value is not None or not keys:
                break  # answered, or silence: no second ask
            media = [services.media("menu-invalid", language), prompts[question.id]]
        if value is None:
            continue  # no answer to this one; ask the next
        await SurveyAnswer.create(
            call_id=session.channel_id,
            profile=profile.name,
            queue_name=start.queue,
            agent=start.agent,
            site_id=site_id,
            question=question.id,
            answer=value,
        )
        stored += 1
    if profile.thanks:
        await session.play(services.media(profile.thanks, language))
    return stored
