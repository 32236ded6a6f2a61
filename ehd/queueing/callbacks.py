"""Callbacks: a caller who asked to be called back keeps their place without holding the line.

The request becomes a queue item ``cb-<call>`` with the caller's original entry time, so the
ACD serves it in the caller's old place. When an agent answers the offer, the agent hears a
whisper ("callback to …") while the customer is dialled through the trunk; when the customer
answers, the whisper stops and both are bridged at once, so neither misses the other's first
words. An unanswered customer is tried again per the policy, then the callback
is logged as failed. A remote (mobile) agent gets a text message with the number instead.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ehd.acd import events as ev
from ehd.acd.actions import Connect, LogQueueEvent, Offer
from ehd.ari.client import AriClient, AriHttpError
from ehd.ari.events import Event
from ehd.audio.prompts import SoundLibrary
from ehd.calls import records
from ehd.calls.caller_audio import CallerAudio
from ehd.db.models import CallRecord, QueuedCall, QueuedCallKind
from ehd.errors import ConflictError
from ehd.queueing.legs import Leg
from ehd.sms import SmsError, SmsGateway

log = logging.getLogger(__name__)

CALLBACK_LEG = "callback-leg"
PREFIX = "cb-"
CUSTOMER_RING_SECONDS = 30


class CallbackHost(Protocol):
    """What the callback desk uses of the queue service, and nothing more."""

    @property
    def ari(self) -> AriClient: ...
    @property
    def app_name(self) -> str: ...
    @property
    def sounds(self) -> SoundLibrary: ...
    def clock(self) -> float: ...
    async def handle(self, event: ev.Event) -> None: ...
    def follow_up(self, event: ev.Event) -> None: ...
    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None: ...
    def later(self, delay: float, work: Callable[[], Coroutine[Any, Any, None]]) -> None: ...
    @property
    def audio(self) -> CallerAudio: ...
    def mark_connected(
        self,
        item_id: str,
        customer_channel: str,
        agent_id: str,
        agent_channel: str,
        queue: str,
        notify: Callable[[Event], None] | None = None,
    ) -> None: ...
    def forget_customer(self, item_id: str) -> None: ...
    def adopt_customer(
        self, call_id: str, channel_id: str, language: str
    ) -> Callable[[Event], None] | None: ...
    async def finish_connected(self, item_id: str) -> None: ...
    async def log_events(self, entries: list[LogQueueEvent]) -> None: ...
    async def start_recording(self, call_id: str) -> str: ...
    def queue_number(self, queue: str) -> str: ...
    def records_every_call(self, queue: str) -> bool: ...


@dataclass
class Callback:
    item_id: str
    queue: str
    number: str
    priority: int
    entered_at: float
    attempts: int = 0
    customer_channel: str = ""
    answered: bool = False
    agent: str = ""
    agent_channel: str = ""
    whisper: str = ""  # the playback telling the agent whom they call
    connect_row: LogQueueEvent | None = None  # written when the customer answers


class Callbacks:
    def __init__(
        self, host: CallbackHost, sms: SmsGateway | None, attempts: int, retry_seconds: float
    ) -> None:
        self.host = host
        self.sms = sms
        self.max_attempts = max(1, attempts)
        self.retry_seconds = retry_seconds
        self.pending: dict[str, Callback] = {}
        self._customers: dict[str, str] = {}  # customer channel -> item

    def owns(self, item_id: str) -> bool:
        return item_id in self.pending

    # --- requests -------------------------------------------------------------------------
    async def request(
        self, call_id: str, queue: str, number: str, priority: int, entered_at: float
    ) -> str:
        """Queue a callback in the caller's place; its item id."""
        item_id = f"{PREFIX}{call_id}"[:64]
        callback = Callback(item_id, queue, number, priority, entered_at)
        self.pending[item_id] = callback
        await QueuedCall.update_or_create(
            call_id=item_id,
            defaults={
                "queue_name": queue,
                "priority": priority,
                "caller_id": number,
                "entered_at": entered_at,
                "kind": QueuedCallKind.CALLBACK,
            },
        )
        record = await CallRecord.get_or_none(call_id=call_id)
        await CallRecord.update_or_create(
            call_id=item_id,
            defaults={
                "did": record.did if record else "",
                "site_id": record.site_id if record else 0,
                "caller_number": number,
                "route_type": "callback",
                "route_target": queue,
                "queue_name": queue,
                "started_at": record.started_at if record else None,
                "customer_number": record.customer_number if record else "",
                "language": record.language if record else "",
            },
        )
        await self._arrive(callback)
        return item_id

    def restore(self, row: QueuedCall) -> Callback:
        callback = Callback(
            row.call_id, row.queue_name, row.caller_id, row.priority, row.entered_at, row.attempts
        )
        self.pending[row.call_id] = callback
        return callback

    async def _arrive(self, callback: Callback) -> None:
        host = self.host
        await host.handle(
            ev.ItemArrived(
                host.clock(),
                callback.item_id,
                callback.queue,
                callback.priority,
                caller_id=callback.number,
                entered_at=callback.entered_at,
            )
        )

    # --- delivery -------------------------------------------------------------------------
    async def offer_by_text(self, offer: Offer, agent_number: str) -> None:
        """A remote agent calls the customer themselves: they get the number by text."""
        callback = self.pending[offer.item_id]
        host = self.host
        text = f"Callback for queue {callback.queue}: please call {callback.number}."
        try:
            await self._text(agent_number, text)
        except SmsError as err:
            log.warning("callback %s: text to %s failed: %s", offer.item_id, agent_number, err)
            host.follow_up(ev.OfferFailed(host.clock(), offer.item_id, offer.agent_id, "sms"))
            return
        now = host.clock()
        host.follow_up(ev.OfferAnswered(now, offer.item_id, offer.agent_id, "sms"))
        host.follow_up(ev.ItemCompleted(now, offer.item_id, by_agent=True))
        await self._finished(callback, "callback_sms")

    async def _text(self, to: str, text: str) -> None:
        if self.sms is None:
            raise SmsError("no text gateway is configured")
        await self.sms.send(to, text)

    async def connect(self, action: Connect, leg: Leg) -> None:
        """The agent answered: whisper the number while the customer is dialled.

        The agent's channel joins the bridge only when the customer answers: a bridged
        channel's playback would hold it out of the conversation until the read-out ends.
        """
        callback = self.pending[action.item_id]
        host, ari = self.host, self.host.ari
        leg.connected = True
        callback.agent, callback.agent_channel = action.agent_id, leg.channel_id
        whisper = [
            host.sounds.media("callback-whisper", "en"),
            f"digits:{callback.number.lstrip('+')}",
        ]
        callback.whisper = f"ehd-wh-{uuid.uuid4().hex}"
        with contextlib.suppress(AriHttpError):
            await ari.play(leg.channel_id, whisper, callback.whisper)
        await self._dial(callback, action.queue)

    async def _dial(self, callback: Callback, queue: str) -> None:
        ari = self.host.ari
        channel_id = f"ehd-cbc-{uuid.uuid4().hex[:16]}"
        callback.customer_channel, callback.answered = channel_id, False
        callback.attempts += 1
        await QueuedCall.filter(call_id=callback.item_id).update(attempts=callback.attempts)
        self._customers[channel_id] = callback.item_id
        try:
            await ari.originate(
                f"PJSIP/{callback.number}@trunk",
                channel_id=channel_id,
                app=self.host.app_name,
                app_args=f"{CALLBACK_LEG},{callback.item_id}",
                caller_id=self.host.queue_number(queue) or None,
                timeout=CUSTOMER_RING_SECONDS,
                beside=callback.agent_channel,
            )
        except AriHttpError as err:
            log.warning(
                "callback %s: dialling %s failed: %s", callback.item_id, callback.number, err
            )
            self._customers.pop(channel_id, None)
            # Called while the engine's actions run: settle it once they are done.
            self.host.spawn(self._unreached(callback))

    async def customer_answered(self, channel_id: str) -> bool:
        item_id = self._customers.get(channel_id)
        if item_id is None:
            return False
        callback = self.pending[item_id]
        callback.answered = True
        host, ari = self.host, self.host.ari
        if callback.whisper:
            with contextlib.suppress(AriHttpError):  # it may have ended already
                await ari.stop_playback(callback.whisper)
        bridge_id = f"ehd-call-{item_id}"
        try:
            await ari.create_bridge(bridge_id, "mixing,proxy_media")
            await ari.add_to_bridge(bridge_id, [callback.agent_channel, channel_id])
        except AriHttpError as err:  # the agent left as the customer answered
            log.warning("callback %s: bridging failed: %s", item_id, err)
            return False
        await host.audio.connect(channel_id)  # the customer's ear: the agent from now on

        def sent_on(notice: Event) -> None:
            self._sent_on(item_id, notice)

        host.mark_connected(item_id, channel_id, callback.agent, callback.agent_channel,
                            callback.queue, sent_on)  # fmt: skip
        if callback.connect_row is not None:
            await host.log_events([replace(callback.connect_row, at=host.clock())])
            callback.connect_row = None
        await CallRecord.filter(call_id=item_id).update(result="answered")
        if host.records_every_call(callback.queue):
            with contextlib.suppress(ConflictError):  # logged by the recorder
                await host.start_recording(item_id)
        return True

    async def customer_gone(self, channel_id: str) -> bool:
        item_id = self._customers.pop(channel_id, None)
        if item_id is None or item_id not in self.pending:
            return item_id is not None
        callback = self.pending[item_id]
        if callback.answered:  # the conversation is over
            await self.host.handle(ev.ItemCompleted(self.host.clock(), item_id, by_agent=False))
            await self.host.finish_connected(item_id)
            await self._finished(callback, "answered")
        else:
            await self._unreached(callback)
        return True

    async def agent_left(self, item_id: str) -> None:
        """The agent hung up (the engine already knows): done, or try the customer again."""
        callback = self.pending.get(item_id)
        if callback is None:
            return
        if callback.answered:
            await self._finished(callback, "answered")
        else:
            await self._unreached(callback, complete=False)

    async def _unreached(self, callback: Callback, complete: bool = True) -> None:
        """Free the agent; try again later, or give up after the last attempt."""
        host = self.host
        now = host.clock()
        entry = LogQueueEvent(
            now,
            callback.item_id,
            callback.queue,
            "NONE",
            "CALLBACKNOANSWER",
            (callback.number, str(callback.attempts)),
        )
        await host.log_events([entry])
        if complete:
            await host.handle(ev.ItemCompleted(now, callback.item_id, by_agent=True))
            await host.finish_connected(callback.item_id)
        if callback.attempts >= self.max_attempts:
            log.info("callback %s to %s failed after %d tries", callback.item_id, callback.number,
                     callback.attempts)  # fmt: skip
            await self._finished(callback, "callback_failed")
            return
        await QueuedCall.update_or_create(
            call_id=callback.item_id,
            defaults={
                "queue_name": callback.queue,
                "priority": callback.priority,
                "caller_id": callback.number,
                "entered_at": callback.entered_at,
                "kind": QueuedCallKind.CALLBACK,
                "attempts": callback.attempts,
            },
        )
        host.later(self.retry_seconds, lambda: self._arrive(callback))

    def _sent_on(self, item_id: str, notice: Event) -> None:
        """The agent sent the customer on (a transfer): the callback is done, and the
        customer's channel gets a call task of its own, which follows."""
        callback = self.pending.get(item_id)
        if callback is None:
            return
        self._customers.pop(callback.customer_channel, None)
        follow = self.host.adopt_customer(item_id, callback.customer_channel, "en")
        if follow is not None:
            follow(notice)
        else:  # nothing can carry the customer on
            self.host.spawn(self.hang_up_customer(item_id))
        self.host.spawn(self._finished(callback, "answered"))

    async def _finished(self, callback: Callback, result: str) -> None:
        self.host.forget_customer(callback.item_id)
        self.pending.pop(callback.item_id, None)
        await QueuedCall.filter(call_id=callback.item_id).delete()
        await records.finish(callback.item_id, result)

    # --- queue_log ------------------------------------------------------------------------
    def hold_back(self, entries: list[LogQueueEvent]) -> list[LogQueueEvent]:
        """The rows to write now. A callback is connected when the customer answers, not when
        the agent takes the offer: its CONNECT waits for that, and an attempt that never
        reached the customer ends with CALLBACKNOANSWER alone (no COMPLETEAGENT)."""
        kept = []
        for entry in entries:
            callback = self.pending.get(entry.call_id)
            if callback is None or callback.answered:
                kept.append(entry)
            elif entry.event == "CONNECT":
                callback.connect_row = entry
            elif entry.event not in ("COMPLETEAGENT", "COMPLETECALLER"):
                kept.append(entry)
        return kept

    async def hang_up_customer(self, item_id: str) -> None:
        callback = self.pending.get(item_id)
        if callback is not None and callback.customer_channel:
            with contextlib.suppress(AriHttpError):
                await self.host.ari.hangup(callback.customer_channel)
