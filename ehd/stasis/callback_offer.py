"""A caller in the queue who pressed the callback key: their number is confirmed (their own,
or one keyed in) and the callback takes their place in line; a number refused twice puts
them back in line, in their old place."""

from __future__ import annotations

import logging

from ehd.audio.prompts import SoundLibrary
from ehd.callflow.callback_number import callback_number
from ehd.calls import records
from ehd.calls.session import CallSession
from ehd.db.models import CallRecord
from ehd.phone_numbers import to_e164
from ehd.queueing.callers import CallbackOffer
from ehd.queueing.service import QueueService

log = logging.getLogger(__name__)


async def offer_callback(
    queues: QueueService, sounds: SoundLibrary, session: CallSession, offer: CallbackOffer,
    language: str,
) -> None:  # fmt: skip
    """Confirm the number (their own, or one keyed in), queue the callback in the caller's
    place and say goodbye; a refused number twice puts the caller back in line."""
    await queues.audio.prompt(session.channel_id)
    caller_id, did, customer_number = await records.call_facts(session.channel_id)
    own = to_e164(caller_id) or ""
    media = [sounds.media("callback-confirm-or-key", language)]
    if own:
        media = [
            sounds.media("callback-number", language),
            f"digits:{own.lstrip('+')}",
            *media,
        ]
    for _ in range(2):
        keys = await session.collect(media, max_digits=16, terminator="#", first_timeout=8)
        number, why = callback_number(keys, own)
        if number is not None:
            await queues.request_callback(
                session.channel_id, offer.queue, number, offer.priority, offer.entered_at
            )
            await CallRecord.filter(call_id=session.channel_id).update(result="callback_requested")
            await session.play(sounds.media("callback-confirmed", language))
            await queues.ari.hangup(session.channel_id)
            return
        log.info("call %s: callback number %r refused: %s", session.channel_id, keys, why)
        await session.play(sounds.media("callback-number-invalid", language))
    moh_class = queues.moh_class(offer.queue)
    await queues.audio.hold(session.channel_id, moh_class)
    await queues.enqueue(
        session.channel_id,
        offer.queue,
        priority=offer.priority,
        caller_id=caller_id,
        language=language,
        moh_class=moh_class,
        notify=session.deliver,
        did=did,
        customer_number=customer_number,
        entered_at=offer.entered_at,
    )
