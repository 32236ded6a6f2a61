"""Voicemail: leave a message (stored, and emailed with the audio), and listen by phone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

from ehd.ari.client import AriHttpError
from ehd.calls.identify import by_phone, by_pin
from ehd.calls.services import PhoneServices
from ehd.calls.session import CallSession
from ehd.db.models import CallRecord, User, VoicemailMessage
from ehd.errors import NotFoundError
from ehd.mail import outbox
from ehd.mail.outbound import Attachment

log = logging.getLogger(__name__)

MAX_MESSAGE_SECONDS = 180
MAX_SILENCE_SECONDS = 10
WAV_BYTES_PER_SECOND = 16000  # 8 kHz, 16 bit, mono


async def leave_message(
    services: PhoneServices, session: CallSession, user: User, caller: str, language: str
) -> VoicemailMessage | None:
    """Greeting, tone, record until # or silence; store, email, thank the caller."""
    try:  # the user's own greeting when the library has one
        greeting = services.media(f"voicemail-greeting-{user.username.lower()}", language)
    except NotFoundError:
        greeting = services.media("voicemail-greeting", language)
    await session.play(greeting)
    name = f"voicemail/{user.id}/{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    path = await services.record(
        session, name, max_seconds=MAX_MESSAGE_SECONDS, max_silence=MAX_SILENCE_SECONDS
    )
    message = None
    if path is not None:
        seconds = max(0.0, (path.stat().st_size - 44) / WAV_BYTES_PER_SECOND)
        message = await VoicemailMessage.create(
            user=user,
            call_id=session.channel_id,
            caller_number=caller[:64],
            path=str(path),
            seconds=round(seconds, 1),
        )
        await CallRecord.filter(call_id=session.channel_id).update(result="voicemail")
        log.info("voicemail %s for %s from %s (%.1f s)", message.id, user.username, caller, seconds)
        services.send_later(email_message(services, user, message))
    if not session.ended:
        await session.play(services.media("voicemail-saved", language))
        with contextlib.suppress(AriHttpError):
            await services.ari.hangup(session.channel_id)
    return message


async def email_message(services: PhoneServices, user: User, message: VoicemailMessage) -> None:
    mailer = services.mailer
    if not mailer.enabled:
        return
    if not user.email:  # the users page lists such messages for the admin
        log.warning("voicemail %s for %s not mailed: the user has no email address",
                    message.id, user.username)  # fmt: skip
        return
    caller = message.caller_number or "an unknown number"
    text = (
        f"You have a new voicemail message from {caller}, {message.seconds:.0f} seconds long, "
        f"left {message.created_at:%Y-%m-%d %H:%M} UTC.\n\nThe recording is attached."
    )
    attachment = Attachment(Path(message.path), f"voicemail-{message.id}.wav")
    try:
        email = await asyncio.to_thread(
            mailer.build, user.email, f"Voicemail from {caller}", text, (attachment,)
        )
    except OSError as err:  # the recording is gone
        log.warning("voicemail %s: %s", message.id, err)
        return
    await outbox.send(mailer, email)  # kept and tried again while the mail server is away
    message.emailed = True
    await message.save(update_fields=["emailed"])


async def listen(
    services: PhoneServices, session: CallSession, channel_name: str, language: str
) -> None:
    """The voicemail access number: the caller's own phone, or user number and PIN."""
    user = await by_phone(channel_name) or await by_pin(services, session, language)
    if user is None:
        await session.play(services.media("goodbye", language))
        return
    messages = await VoicemailMessage.filter(user=user).order_by("created_at")
    if not messages:
        await session.play(services.media("voicemail-no-messages", language))
        await session.play(services.media("goodbye", language))
        return
    await session.play(services.media("voicemail-you-have", language))
    await session.play(f"number:{len(messages)}")
    await session.play(services.media("voicemail-messages", language))
    for message in messages:
        await _one_message(services, session, message, language)
    await session.play(services.media("voicemail-end", language))


async def _one_message(
    services: PhoneServices, session: CallSession, message: VoicemailMessage, language: str
) -> None:
    audio = f"sound:{message.path.removesuffix('.wav')}"
    for _ in range(5):  # replays are limited so a stuck key cannot loop forever
        await session.play(audio)
        key = await session.collect(
            services.media("voicemail-menu", language), max_digits=1, first_timeout=6
        )
        if key == "1":
            continue
        if key == "7":
            await delete_message(message)
            await session.play(services.media("voicemail-deleted", language))
            return
        break  # 9, silence or any other key: keep it and go on
    message.heard = True
    await message.save(update_fields=["heard"])


async def delete_message(message: VoicemailMessage) -> None:
    await message.delete()
    with contextlib.suppress(FileNotFoundError):
        await asyncio.to_thread(_unlink, message.path)


def _unlink(path: str) -> None:
    Path(path).unlink()
