"""Record a sound for the library by phone: identify, record after the tone, listen, save."""

from __future__ import annotations

import contextlib
import logging
import uuid
from pathlib import Path

from ehd.audio.library import import_sound
from ehd.calls.identify import by_pin
from ehd.calls.services import PhoneServices
from ehd.calls.session import CallSession
from ehd.db.models import Sound
from ehd.errors import ValidationError

log = logging.getLogger(__name__)

MAX_SECONDS = 300
TAKES = 5


async def record_for_library(
    services: PhoneServices, session: CallSession, language: str
) -> Sound | None:
    user = await by_pin(services, session, language)
    if user is None:
        await session.play(services.media("goodbye", language))
        return None
    for _ in range(TAKES):
        await session.play(services.media("recording-service-record", language))
        name = f"library/{uuid.uuid4().hex}"
        path = await services.record(session, name, max_seconds=MAX_SECONDS, max_silence=0)
        if session.ended:
            _discard(path)
            return None
        if path is None:
            continue
        await session.play(f"sound:{path.with_suffix('')}")
        choice = await session.collect(
            services.media("recording-service-review", language), max_digits=1
        )
        if choice != "1":
            _discard(path)
            continue
        try:
            sound = await _save(services, path, user.username, language)
        except ValidationError as err:
            log.warning("phone recording by %s not saved: %s", user.username, err)
            _discard(path)
            continue
        _discard(path)
        await session.play(services.media("recording-service-saved", language))
        await session.play(f"digits:{sound.id}")
        await session.play(services.media("goodbye", language))
        return sound
    await session.play(services.media("goodbye", language))
    return None


async def _save(services: PhoneServices, path: Path, username: str, language: str) -> Sound:
    placeholder = f"phone-{uuid.uuid4().hex[:12]}"
    sound = await import_sound(
        services.library_dir,
        path,
        "wav",
        name=placeholder,
        language=language,
        description=f"Recorded by phone by {username}",
        created_by=username,
        origin="phone",
    )
    # A short name the caller can note down: recording-<number>, the number read out.
    final = f"recording-{sound.id}"
    folder = services.library_dir / language
    (folder / f"{placeholder}.wav").rename(folder / f"{final}.wav")
    sound.name = final
    await sound.save(update_fields=["name"])
    return sound


def _discard(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
