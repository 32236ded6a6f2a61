"""What the phone services (voicemail, recording, menus) share: ARI, sounds, folders, mail."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path

from ehd.ari.client import AriClient, AriHttpError
from ehd.ari.events import Event, RecordingEvent
from ehd.audio.prompts import SoundLibrary
from ehd.calls.session import CallEnded, CallSession
from ehd.mail.outbound import Mailer


@dataclass(frozen=True)
class PhoneServices:
    ari: AriClient
    sounds: SoundLibrary
    recordings_dir: Path  # Asterisk's recording folder (under the data dir)
    library_dir: Path  # the data dir's sound library
    mailer: Mailer
    # Mail in flight (a voicemail to its owner): the call need not wait for it, the shutdown does.
    mail_in_flight: set[asyncio.Task[None]] = field(default_factory=set)

    def send_later(self, sending: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(sending)
        self.mail_in_flight.add(task)
        task.add_done_callback(self.mail_in_flight.discard)

    async def finish_mail(self, timeout: float = 10.0) -> None:
        """Let mail in flight go out, for a while; then stop it (the message stays unmailed)."""
        pending = list(self.mail_in_flight)
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=timeout)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    def media(self, name: str, language: str) -> str:
        return self.sounds.media(name, language)

    def recording_path(self, name: str) -> Path:
        return self.recordings_dir / f"{name}.wav"

    async def record(
        self,
        session: CallSession,
        name: str,
        *,
        max_seconds: int,
        max_silence: int = 0,
        beep: bool = True,
    ) -> Path | None:
        """Record the caller until # (or silence, or the limit); the file, or None if empty.

        A caller who hangs up while recording still leaves the message: the file is returned
        and ``session.ended`` tells the caller is gone.
        """
        await self.ari.record(
            session.channel_id,
            name,
            max_seconds=max_seconds,
            max_silence=max_silence,
            beep=beep,
            terminate_on="#",
        )

        def done(event: Event) -> bool:
            return (
                isinstance(event, RecordingEvent)
                and event.name == name
                and event.type in ("RecordingFinished", "RecordingFailed")
            )

        path = self.recording_path(name)
        try:
            await session.wait_for(done, max_seconds + 10)
        except CallEnded:
            with contextlib.suppress(AriHttpError):  # Asterisk may have closed it already
                await self.ari.stop_recording(name)
        return path if _has_audio(path) else None


def _has_audio(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 44 + 1600  # header + 0.1 s at 8 kHz/16 bit
