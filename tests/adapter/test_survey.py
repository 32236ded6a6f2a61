"""The keypad survey against a real database: silence times out cleanly, partial answers stay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ehd.ari.events import Channel, ChannelDtmfReceived, PlaybackEvent
from ehd.audio.prompts import SoundLibrary
from ehd.calls.services import PhoneServices
from ehd.calls.session import CallSession
from ehd.calls.survey import SurveyStart, run_survey
from ehd.config import Config
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import SurveyAnswer, SurveyProfile
from ehd.mail.outbound import Mailer

CALLER = Channel("c1", "PJSIP/trunk-1", "Up", "+4670", "", "4600", None, "en")


class PlayingAri:
    """Finishes every playback at once, as a short prompt would."""

    def __init__(self) -> None:
        self.session: CallSession | None = None
        self.played: list[Any] = []

    async def play(self, channel_id: str, media: Any, playback_id: str) -> None:
        self.played.append(media)
        assert self.session is not None
        self.session.deliver(
            PlaybackEvent("PlaybackFinished", "ehd", {}, playback_id, "channel:c1", "done")
        )

    async def stop_playback(self, playback_id: str) -> None:
        return None


@pytest.fixture
async def survey(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[PhoneServices, Any]]:
    await open_database(database_url)
    questions = [{"id": f"q{n}", "prompt": "survey-question-csat"} for n in (1, 2, 3)]
    await SurveyProfile.create(name="csat", questions=questions)
    ari = PlayingAri()
    services = PhoneServices(ari, SoundLibrary(), tmp_path, tmp_path, Mailer(Config()))  # type: ignore[arg-type]
    yield services, ari
    await close_database()


def _session(ari: PlayingAri) -> CallSession:
    session = CallSession(ari, "c1")  # type: ignore[arg-type]
    ari.session = session
    return session


async def test_a_silent_caller_times_out_cleanly(survey: tuple[PhoneServices, Any]) -> None:
    services, ari = survey
    profile = await SurveyProfile.get(name="csat")
    start = SurveyStart("EhdSurvey", "ehd", {}, profile.id, "support", "alice")
    stored = await asyncio.wait_for(
        run_survey(services, _session(ari), start, "en", answer_seconds=0.1), timeout=5
    )
    assert stored == 0 and await SurveyAnswer.all().count() == 0
    assert "survey-thanks" in str(ari.played[-1])


async def test_partial_answers_are_kept_and_a_bad_key_is_asked_again(
    survey: tuple[PhoneServices, Any],
) -> None:
    services, ari = survey
    session = _session(ari)
    for digit in "94":  # 9 is off the 1-5 scale: asked again, then 4
        session.deliver(ChannelDtmfReceived("ChannelDtmfReceived", "ehd", {}, CALLER, digit))
    profile = await SurveyProfile.get(name="csat")
    start = SurveyStart("EhdSurvey", "ehd", {}, profile.id, "support", "alice")
    stored = await asyncio.wait_for(
        run_survey(services, session, start, "en", answer_seconds=0.1), timeout=5
    )
    answers = await SurveyAnswer.all().values_list("question", "answer", "agent", "queue_name")
    assert stored == 1 and answers == [("q1", 4, "alice", "support")]
    assert any("menu-invalid" in str(media) for media in ari.played)
