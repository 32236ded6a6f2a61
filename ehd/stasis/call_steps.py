"""Steps every call task takes on the caller's own channel: answer it, play a last prompt and
hang up, hang up quietly. Shared by the Stasis application and the routes it runs."""

from __future__ import annotations

import asyncio
import contextlib

from ehd.ari.client import AriClient, AriHttpError
from ehd.audio.prompts import SoundLibrary
from ehd.calls import records
from ehd.calls.session import CallSession

# Phones and carriers often clip the first moments of audio after answer while the media path
# settles; a short pause keeps the start of the first prompt audible.
ANSWER_SETTLE_SECONDS = 0.4


async def answer(ari: AriClient, session: CallSession) -> None:
    await ari.answer(session.channel_id)
    await records.mark_answered(session.channel_id)
    await asyncio.sleep(ANSWER_SETTLE_SECONDS)


async def hang_up(ari: AriClient, session: CallSession) -> None:
    """Hang up and wait until Asterisk says the call ended (raises CallEnded)."""
    with contextlib.suppress(AriHttpError):
        await ari.hangup(session.channel_id)
    await session.wait_hangup()


async def quietly_hang_up(ari: AriClient, channel_id: str) -> None:
    with contextlib.suppress(AriHttpError):  # already gone
        await ari.hangup(channel_id)


async def play_and_hang_up(
    ari: AriClient, sounds: SoundLibrary, session: CallSession, prompt: str, language: str,
    *, answered: bool = False,
) -> None:  # fmt: skip
    """Answer (unless ``answered``), play ``prompt``, hang up."""
    if not answered:
        await answer(ari, session)
    await session.play(sounds.media(prompt, language))
    await ari.hangup(session.channel_id)
    await session.wait_hangup()
