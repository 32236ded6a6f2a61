"""Carries the ACD engine's actions out over ARI and feeds it what happens on the calls.

The engine's clock is Unix time. Engine calls are serialised by one lock; nothing awaited under
the lock waits for an ARI event (only REST calls and database writes), so the websocket loop can
never deadlock on it. Work that waits for events (accept-by-key, exit messages) runs in tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ehd.acd import actions as act
from ehd.acd import events as ev
from ehd.acd.agent_states import AgentState
from ehd.acd.engine import AcdEngine
from ehd.acd.model import OverflowKind
from ehd.agent_events import AgentEvents
from ehd.ari.client import AriClient, AriHttpError
from ehd.ari.events import (
    ChannelDestroyed,
    ChannelDtmfReceived,
    Event,
    PlaybackEvent,
    StasisEnd,
    StasisStart,
    UnknownEvent,
)
from ehd.audio.prompts import SoundLibrary
from ehd.callflow.screen_pop import choose as choose_screen_pop
from ehd.callflow.screen_pop import render as render_screen_pop
from ehd.calls.caller_audio import CallerAudio
from ehd.calls.routing import holding_bridge_id
from ehd.calls.survey import SurveyStart
from ehd.db.models import AgentSession, CallRecord, Queue, QueuedCall
from ehd.errors import ConflictError
from ehd.queueing.agent_caller_id import shown_to_agent
from ehd.queueing.callbacks import CALLBACK_LEG, Callbacks
from ehd.queueing.config import queue_config
from ehd.queueing.queue_log_writer import QueueLogWriter
from ehd.sms import SmsGateway

log = logging.getLogger(__name__)

QUEUE_LEG = "queue-leg"
ACCEPT_KEY = "1"
ACCEPT_SECONDS = 10.0


@dataclass(frozen=True)
class QueueExit(Event):
    """Delivered to the caller's call task: leave the queue with this prompt (or, with
    ``voicemail``, to that user's mailbox)."""

    prompt: str
    voicemail: str = ""


@dataclass(frozen=True)
class CallbackOffer(Event):
    """Delivered to the caller's call task: the caller chose a callback; confirm the number."""

    queue: str
    priority: int
    entered_at: float


@dataclass
class Caller:
    channel_id: str
    queue: str
    language: str
    moh_class: str
    notify: Callable[[Event], None]
    caller_id: str = ""
    did: str = ""
    customer_number: str = ""
    priority: int = 0
    crm: CrmMatch | None = None  # the contact or company the number belongs to


@dataclass(frozen=True)
class CrmMatch:
    contact_id: int | None
    company_id: int | None
    name: str  # the contact's name, else the company's
    company: str

    def page(self) -> str:
        """The default screen pop with CRM: the matched contact, else the company."""
        if self.contact_id is not None:
            return f"/crm/contacts/{self.contact_id}"
        return f"/crm/companies/{self.company_id}"


async def crm_match_of(call_id: str) -> CrmMatch | None:
    record = await CallRecord.get_or_none(call_id=call_id).prefetch_related("contact", "company")
    if record is None or (record.contact is None and record.company is None):
        return None
    company = record.company.name if record.company else ""
    return CrmMatch(
        record.contact.id if record.contact else None,
        record.company.id if record.company else None,
        record.contact.name if record.contact else company,
        company,
    )


@dataclass
class Leg:
    channel_id: str
    item_id: str
    agent_id: str
    remote: bool
    answered: bool = False
    connected: bool = False
    dtmf: asyncio.Queue[str] = field(default_factory=asyncio.Queue)


@dataclass
class AgentDevice:
    device: str
    remote: bool
    screen_pop: str = ""  # the agent's own template


class QueueService:
    def __init__(
        self,
        ari: AriClient,
        app_name: str,
        sounds: SoundLibrary,
        writer: QueueLogWriter,
        clock: Callable[[], float] = time.time,
        recordings_dir: Path | None = None,
        consoles: AgentEvents | None = None,
        site_screen_pop: str = "",
        sms: SmsGateway | None = None,
        callback_attempts: int = 3,
        callback_retry_seconds: float = 120.0,
    ) -> None:
        self.callbacks = Callbacks(self, sms, callback_attempts, callback_retry_seconds)
        self.consoles = consoles or AgentEvents()
        self.site_screen_pop = site_screen_pop
        self.screen_pops: dict[str, str] = {}  # queue -> template
        self.moh_classes: dict[str, str] = {}
        self.classification_codes: dict[str, list[dict[str, str]]] = {}
        # queue -> (offer a callback after this many seconds, or at once from this position)
        self.callback_offers: dict[str, tuple[float | None, int]] = {}
        self.recordings_dir = recordings_dir
        self.recording_modes: dict[str, str] = {}  # queue -> none | all | on_demand
        self.surveys: dict[str, int] = {}  # queue -> survey profile asked after the call
        self.ari = ari
        self.audio = CallerAudio(ari)  # what each caller hears: music, announcement, agent
        self.app_name = app_name
        self.sounds = sounds
        self.writer = writer
        self.clock = clock
        self.engine = AcdEngine([], random.Random())
        self.callers: dict[str, Caller] = {}
        self.legs: dict[str, Leg] = {}
        self.devices: dict[str, AgentDevice] = {}
        self.numbers: dict[str, str] = {}  # queue -> caller ID shown to agents
        self._lock = asyncio.Lock()
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._later: set[asyncio.TimerHandle] = set()  # delayed work, cancelled at shutdown
        self._tasks: set[asyncio.Task[None]] = set()
        self._followups: list[ev.Event] = []
        self.queue_ids: dict[str, int] = {}
        self._connected_at: dict[str, float] = {}
        # Seconds from learning an agent is free (the event) to Asterisk accepting the
        # originate of the next waiting call: the benchmark reads these.
        self.ready_to_originate: deque[float] = deque(maxlen=20000)
        self._event_seen_at = 0.0
        self._freed: set[str] = set()  # agents made ready by the event being handled

    # --- set-up ---------------------------------------------------------------------------
    async def load_queues(self) -> None:
        for queue in await Queue.all().prefetch_related("classification"):
            self.engine.configure(queue_config(queue))
            self.numbers[queue.name] = queue.number
            self.queue_ids[queue.name] = queue.id
            self.recording_modes[queue.name] = queue.recording
            self.screen_pops[queue.name] = queue.screen_pop_url
            self.moh_classes[queue.name] = queue.moh_class
            profile = queue.classification
            self.classification_codes[queue.name] = list(profile.codes) if profile else []
            self.callback_offers[queue.name] = (
                queue.callback_offer_after,
                queue.callback_offer_position,
            )
            survey_id = queue.survey_id
            if survey_id is not None:
                self.surveys[queue.name] = survey_id
            else:
                self.surveys.pop(queue.name, None)

    async def restore(
        self, live_channels: set[str], notify_for: Callable[[str], Callable[[Event], None]]
    ) -> None:
        """After a (re)start: agents back in, waiting calls re-adopted in their old order.

        ``notify_for(channel)`` gives the adopted caller's call task, for exit prompts.
        """
        now = self.clock()
        for session in await AgentSession.all().prefetch_related("user"):
            await self._restore_agent(session, now)
        rows = await QueuedCall.all().order_by("entered_at")
        # Calls that were talking first: their agents must be busy before anyone is offered.
        for row in sorted(rows, key=lambda r: not r.agent):
            if row.call_id in self.callers or row.call_id in self.engine.items:
                continue
            if row.kind == "callback":  # no line to hold: it waits in the queue as data
                callback = self.callbacks.restore(row)
                arrival = ev.ItemArrived(
                    now,
                    row.call_id,
                    row.queue_name,
                    row.priority,
                    caller_id=callback.number,
                    entered_at=row.entered_at,
                    restored=True,
                )
                await self.handle(arrival)
                continue
            if row.call_id not in live_channels:
                ended = ("0", "0", str(int(now - row.entered_at)))
                event = "COMPLETECALLER" if row.agent else "ABANDON"
                entry = act.LogQueueEvent(
                    now, row.call_id, row.queue_name, row.agent or "NONE", event, ended
                )
                await self._write([entry])
                await row.delete()
                continue
            if row.agent:
                # Talking to an agent when ehd stopped: the call goes on, the agent stays busy
                # with it, and it ends with one COMPLETE row and its whole talk time.
                connected_at = row.connected_at if row.connected_at is not None else now
                self.legs[row.agent_channel] = Leg(
                    row.agent_channel, row.call_id, row.agent, False, True, True
                )
                self._connected_at[row.call_id] = connected_at
                await self.audio.connect(row.call_id)  # no music or announcement on top
                restored = ev.ConnectedRestored(
                    now,
                    row.call_id,
                    row.queue_name,
                    row.agent,
                    row.entered_at,
                    connected_at,
                    row.priority,
                    row.caller_id,
                )
                await self.handle(restored)
                continue
            queue = await Queue.get_or_none(name=row.queue_name)
            self.callers[row.call_id] = Caller(
                row.call_id,
                row.queue_name,
                queue.language if queue else "en",
                queue.moh_class if queue else "default",
                notify_for(row.call_id),
            )
            arrival = ev.ItemArrived(
                now,
                row.call_id,
                row.queue_name,
                row.priority,
                caller_id=row.caller_id,
                entered_at=row.entered_at,
                restored=True,
            )
            await self.handle(arrival)

    async def _restore_agent(self, session: AgentSession, now: float) -> None:
        memberships = await self._memberships(session.user.id, session.queues)
        await self.agent_logged_in(
            session.user.username,
            memberships,
            session.device,
            session.remote,
            session.user.screen_pop_url,
            restored=True,
        )
        if session.state == "paused":
            await self.handle(ev.AgentPaused(now, session.user.username, session.pause_reason))

    async def _memberships(self, user_id: int, queues: list[str]) -> dict[str, int]:
        from ehd.db.models import QueueMember

        members = await QueueMember.filter(user_id=user_id).prefetch_related("queue")
        return {m.queue.name: m.penalty for m in members if not queues or m.queue.name in queues}

    # --- engine ---------------------------------------------------------------------------
    async def handle(self, event: ev.Event) -> None:
        async with self._lock:
            self._followups.append(event)
            while self._followups:
                self._event_seen_at, self._freed = time.perf_counter(), set()
                actions = self.engine.handle(self._followups.pop(0))
                self._freed = {
                    a.agent_id
                    for a in actions
                    if isinstance(a, act.AgentStateChanged) and a.state.value == "ready"
                }
                await self._execute(actions)

    async def _execute(self, actions: list[act.Action]) -> None:
        logs = self.callbacks.hold_back([a for a in actions if isinstance(a, act.LogQueueEvent)])
        for action in actions:
            try:
                await self._carry_out(action)
            except AriHttpError as err:  # one call's ARI trouble never stops the others
                log.warning("queue action %s failed: %s", type(action).__name__, err)
        await self._write(logs)

    async def _write(self, logs: list[act.LogQueueEvent]) -> None:
        try:
            await self.writer.write(logs)
        except OSError:
            log.exception("queue_log could not be written")

    async def _carry_out(self, action: act.Action) -> None:
        if isinstance(action, act.StartTimer):
            self._start_timer(action)
        elif isinstance(action, act.Offer):
            await self._offer(action)
        elif isinstance(action, act.CancelOffer):
            await self._cancel_offer(action)
        elif isinstance(action, act.Connect):
            await self._connect(action)
        elif isinstance(action, act.Exit):
            await self._exit(action)
        elif isinstance(action, act.Moved):
            await QueuedCall.filter(call_id=action.item_id).update(queue_name=action.to_queue)
            caller = self.callers.get(action.item_id)
            if caller is not None:
                caller.queue = action.to_queue
            await CallRecord.filter(call_id=action.item_id).update(queue_name=action.to_queue)
        elif isinstance(action, act.Announce):
            await self._announce(action)
        elif isinstance(action, act.AgentStateChanged):
            self.consoles.publish(
                action.agent_id,
                {"type": "state", "state": action.state.value, "reason": action.reason},
            )
            await AgentSession.filter(user__username=action.agent_id).update(
                state=action.state.value, pause_reason=action.reason
            )

    def _start_timer(self, action: act.StartTimer) -> None:
        loop = asyncio.get_running_loop()
        delay = max(0.0, action.at - self.clock())

        def fire() -> None:
            self._timers.pop(action.token, None)
            self._spawn(self.handle(ev.TimerFired(self.clock(), action.token)))

        self._timers[action.token] = loop.call_later(delay, fire)

    # --- for the callback desk -------------------------------------------------------------
    def follow_up(self, event: ev.Event) -> None:
        """Queue an event for the engine while its current actions are carried out."""
        self._followups.append(event)

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self._spawn(coroutine)

    def later(self, delay: float, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``work()`` as a task after ``delay`` seconds, unless the service stops first."""
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._later.discard(handle)
            self._spawn(work())

        handle = loop.call_later(delay, fire)
        self._later.add(handle)

    def mark_connected(self, item_id: str) -> None:
        self._connected_at[item_id] = self.clock()

    async def finish_connected(self, item_id: str) -> None:
        await self._finish_connected(item_id)

    async def log_events(self, entries: list[act.LogQueueEvent]) -> None:
        await self._write(entries)

    async def request_callback(
        self, call_id: str, queue: str, number: str, priority: int, entered_at: float
    ) -> str:
        return await self.callbacks.request(call_id, queue, number, priority, entered_at)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- offers and legs ------------------------------------------------------------------
    async def _offer(self, offer: act.Offer) -> None:
        device = self.devices.get(offer.agent_id)
        if device is None:
            self._followups.append(
                ev.OfferFailed(self.clock(), offer.item_id, offer.agent_id, "no device")
            )
            return
        if device.remote and self.callbacks.owns(offer.item_id):
            number = device.device.removeprefix("PJSIP/").removesuffix("@trunk")
            await self.callbacks.offer_by_text(offer, number)
            return
        leg_id = f"ehd-q-{uuid.uuid4().hex[:16]}"
        self.legs[leg_id] = Leg(leg_id, offer.item_id, offer.agent_id, device.remote)
        self._tell_console(offer, device)  # before the phone rings
        try:
            await self.ari.originate(
                device.device,
                channel_id=leg_id,
                app=self.app_name,
                app_args=f"{QUEUE_LEG},{offer.item_id}",
                caller_id=self._shown_caller_id(offer, device),
                timeout=int(offer.ring_timeout) + 5,
            )
            if offer.agent_id in self._freed:
                self.ready_to_originate.append(time.perf_counter() - self._event_seen_at)
        except AriHttpError as err:
            log.warning("offer of %s to %s failed: %s", offer.item_id, offer.agent_id, err)
            self.legs.pop(leg_id, None)
            self._followups.append(
                ev.OfferFailed(self.clock(), offer.item_id, offer.agent_id, "originate failed")
            )

    def _shown_caller_id(self, offer: act.Offer, device: AgentDevice) -> str | None:
        caller = self.callers.get(offer.item_id)
        callback = self.callbacks.pending.get(offer.item_id)
        number = caller.caller_id if caller else callback.number if callback else ""
        name = caller.crm.name if caller and caller.crm else ""
        queue_number = self.numbers.get(offer.queue, "")
        return shown_to_agent(offer.queue, queue_number, number, name, remote=device.remote)

    def _tell_console(self, offer: act.Offer, device: AgentDevice) -> None:
        if not self.consoles.watching(offer.agent_id):
            return
        caller = self.callers.get(offer.item_id)
        values = {
            "AID": caller.caller_id if caller else "",
            "BID": caller.did if caller else "",
            "GARPNUM": offer.item_id,
            "QID": offer.queue,
            "LANG": caller.language if caller else "",
            "CUSTID": caller.customer_number if caller else "",
            "PRIO": str(caller.priority) if caller else "",
            "RINGNO": "",
        }
        template = choose_screen_pop(
            device.screen_pop, self.screen_pops.get(offer.queue, ""), self.site_screen_pop
        )
        crm = caller.crm if caller else None
        screen_pop = render_screen_pop(template, values) if template else ""
        self.consoles.publish(
            offer.agent_id,
            {
                "type": "offer",
                "call_id": offer.item_id,
                "queue": offer.queue,
                "caller": values["AID"],
                "did": values["BID"],
                "customer_number": values["CUSTID"],
                "language": values["LANG"],
                "priority": caller.priority if caller else 0,
                "screen_pop": screen_pop or (crm.page() if crm else ""),
                "contact": {"name": crm.name, "company": crm.company} if crm else None,
                "classification_codes": self.classification_codes.get(offer.queue, []),
            },
        )

    def _leg_for(self, item_id: str, agent_id: str) -> Leg | None:
        for leg in self.legs.values():
            if leg.item_id == item_id and leg.agent_id == agent_id:
                return leg
        return None

    async def _cancel_offer(self, action: act.CancelOffer) -> None:
        leg = self._leg_for(action.item_id, action.agent_id)
        if leg is not None:
            self.legs.pop(leg.channel_id, None)
            await self._hangup(leg.channel_id)

    async def _connect(self, action: act.Connect) -> None:
        leg = self._leg_for(action.item_id, action.agent_id)
        if leg is None:
            return
        if self.callbacks.owns(action.item_id):
            await QueuedCall.filter(call_id=action.item_id).update(
                agent=action.agent_id, agent_channel=leg.channel_id
            )
            await CallRecord.filter(call_id=action.item_id).update(agent=action.agent_id)
            await self.callbacks.connect(action, leg)
            return
        leg.connected = True
        caller = action.item_id
        # Music and any announcement stop first: Asterisk would move the caller into the
        # agent's bridge only once the announcement ended, and music restarted under the call.
        await self.audio.connect(caller)
        queue = self.callers[caller].queue if caller in self.callers else action.queue
        if queue in self.queue_ids:
            holding = holding_bridge_id(self.queue_ids[queue])
            with contextlib.suppress(AriHttpError):
                await self.ari.request(
                    "POST", f"bridges/{holding}/removeChannel", {"channel": caller}
                )
        bridge_id = f"ehd-call-{caller}"
        await self.ari.create_bridge(bridge_id, "mixing,proxy_media")
        await self.ari.add_to_bridge(bridge_id, [caller, leg.channel_id])
        now = self.clock()
        self._connected_at[caller] = now
        if self.recording_modes.get(queue) == "all":
            await self.start_recording(caller)
        row = await QueuedCall.get_or_none(call_id=caller)
        waited = now - row.entered_at if row else None
        await QueuedCall.filter(call_id=caller).update(
            agent=action.agent_id, agent_channel=leg.channel_id, connected_at=now
        )
        await CallRecord.filter(call_id=caller).update(
            agent=action.agent_id, queue_seconds=waited, result="answered"
        )

    async def start_recording(self, call_id: str) -> str:
        """Record the caller-agent bridge (every call, or when the agent asks); the file."""
        if self.recordings_dir is None:
            raise ConflictError("recording is not available without Asterisk")
        if call_id not in self._connected_at:
            raise ConflictError("the call is not connected to an agent")
        record = await CallRecord.get_or_none(call_id=call_id)
        if record is not None and record.recording:
            return record.recording
        name = f"calls/{time.strftime('%Y-%m-%d', time.gmtime(self.clock()))}/{call_id}"
        try:
            await self.ari.record_bridge(f"ehd-call-{call_id}", name)
        except AriHttpError as err:
            log.warning("call %s: recording failed to start: %s", call_id, err)
            raise ConflictError("the recording could not be started") from err
        path = str(self.recordings_dir / f"{name}.wav")
        await CallRecord.filter(call_id=call_id).update(recording=path)
        return path

    def agent_on_call(self, agent_id: str, call_id: str) -> bool:
        return any(
            leg.item_id == call_id and leg.agent_id == agent_id and leg.connected
            for leg in self.legs.values()
        )

    async def _exit(self, action: act.Exit) -> None:
        row = await QueuedCall.get_or_none(call_id=action.item_id)
        await QueuedCall.filter(call_id=action.item_id).delete()
        caller = self.callers.pop(action.item_id, None)
        await CallRecord.filter(call_id=action.item_id).update(result=f"exit:{action.reason}")
        if caller is None:
            return
        target = action.target
        prompt = "closed" if action.reason == "closed" else "unavailable"
        if target is not None and target.kind == OverflowKind.MESSAGE and target.target:
            prompt = target.target
        elif target is not None and target.kind == OverflowKind.CALLBACK and row is not None:
            offer = CallbackOffer(
                "EhdCallbackOffer", self.app_name, {}, row.queue_name, row.priority, row.entered_at
            )
            caller.notify(offer)
            return
        elif target is not None and target.kind == OverflowKind.VOICEMAIL and target.target:
            caller.notify(QueueExit("EhdQueueExit", self.app_name, {}, "", target.target))
            return
        caller.notify(QueueExit("EhdQueueExit", self.app_name, {}, prompt))

    async def _announce(self, action: act.Announce) -> None:
        caller = self.callers.get(action.item_id)
        if caller is None:
            return
        minutes = max(1, round(action.estimated_wait / 60))
        lang = caller.language
        media = [
            self.sounds.media("queue-position", lang),
            f"number:{action.position}",
            self.sounds.media("queue-position-end", lang),
            self.sounds.media("queue-wait", lang),
            f"number:{minutes}",
            self.sounds.media("minutes", lang),
        ]
        await self.audio.announce(caller.channel_id, f"ehd-ann-{uuid.uuid4().hex}", media)

    async def _hangup(self, channel_id: str) -> None:
        with contextlib.suppress(AriHttpError):
            await self.ari.hangup(channel_id)

    # --- ARI events in --------------------------------------------------------------------
    async def on_event(self, event: Event) -> bool:
        """Handle events that belong to queueing; True when the event was consumed."""
        if isinstance(event, StasisStart) and event.args and event.args[0] == QUEUE_LEG:
            leg = self.legs.get(event.channel.id)
            if leg is None:
                await self._hangup(event.channel.id)  # cancelled while it was being answered
            elif leg.remote:
                self._spawn(self._accept_by_key(leg))
            else:
                leg.answered = True
                await self.handle(
                    ev.OfferAnswered(self.clock(), leg.item_id, leg.agent_id, leg.channel_id)
                )
            return True
        if isinstance(event, StasisStart) and event.args and event.args[0] == CALLBACK_LEG:
            if not await self.callbacks.customer_answered(event.channel.id):
                await self._hangup(event.channel.id)
            return True
        if isinstance(event, (StasisEnd, ChannelDestroyed)) and (
            await self.callbacks.customer_gone(event.channel.id)
        ):
            return True
        if isinstance(event, (StasisEnd, ChannelDestroyed)) and event.channel.id in self.legs:
            await self._leg_gone(self.legs.pop(event.channel.id))
            return True
        if isinstance(event, ChannelDtmfReceived):
            leg = self.legs.get(event.channel.id)
            if leg is not None:
                leg.dtmf.put_nowait(event.digit)
                return True
            if event.channel.id in self.engine.items:
                # A waiting caller's keys belong to the queue (exit keys); they must not reach
                # a prompt that follows, such as the callback confirmation.
                await self.handle(ev.ExitKeyPressed(self.clock(), event.channel.id, event.digit))
                return True
            return False
        if isinstance(event, PlaybackEvent) and event.type == "PlaybackFinished":
            await self.audio.playback_finished(event.playback_id)
            return False  # the call task may wait for its own playbacks
        if isinstance(event, UnknownEvent) and event.type == "EndpointStateChange":
            await self._endpoint_changed(event)
            return True
        return False

    async def _leg_gone(self, leg: Leg) -> None:
        now = self.clock()
        if leg.connected and self.callbacks.owns(leg.item_id):
            await self.handle(ev.ItemCompleted(now, leg.item_id, by_agent=True))
            await self._finish_connected(leg.item_id)
            await self.callbacks.agent_left(leg.item_id)
        elif leg.connected:
            await self.handle(ev.ItemCompleted(now, leg.item_id, by_agent=True))
            await self._finish_connected(leg.item_id)
            caller = self.callers.get(leg.item_id)
            survey = self.surveys.get(caller.queue) if caller is not None else None
            if caller is not None and survey is not None:
                # The caller stays for the survey; their call task asks it, then hangs up.
                caller.notify(
                    SurveyStart("EhdSurvey", self.app_name, {}, survey, caller.queue, leg.agent_id)
                )
            else:
                await self._hangup(leg.item_id)  # the agent hung up: the caller's call ends too
        else:
            await self.handle(ev.OfferFailed(now, leg.item_id, leg.agent_id, "hangup"))

    async def _accept_by_key(self, leg: Leg) -> None:
        """A remote agent (mobile, landline) must press 1, so a voicemail never takes a call."""
        prompt = f"ehd-acc-{uuid.uuid4().hex}"
        try:
            await self.ari.play(
                leg.channel_id, self.sounds.media("press-1-to-accept", "en"), prompt
            )
            async with asyncio.timeout(ACCEPT_SECONDS):
                while (digit := await leg.dtmf.get()) != ACCEPT_KEY:
                    log.debug("remote agent pressed %s, waiting for %s", digit, ACCEPT_KEY)
        except (TimeoutError, AriHttpError):
            if self.legs.pop(leg.channel_id, None) is not None:
                await self._hangup(leg.channel_id)
                await self.handle(
                    ev.OfferFailed(self.clock(), leg.item_id, leg.agent_id, "not accepted")
                )
            return
        with contextlib.suppress(AriHttpError):  # a key pressed early: the caller is waiting
            await self.ari.stop_playback(prompt)
        leg.answered = True
        await self.handle(ev.OfferAnswered(self.clock(), leg.item_id, leg.agent_id, leg.channel_id))

    async def _endpoint_changed(self, event: UnknownEvent) -> None:
        endpoint = event.raw.get("endpoint") or {}
        if not isinstance(endpoint, dict):
            return
        device = f"{endpoint.get('technology')}/{endpoint.get('resource')}"
        reachable = endpoint.get("state") == "online"
        for agent_id, agent_device in self.devices.items():
            if agent_device.device == device:
                await self.handle(ev.AgentReachability(self.clock(), agent_id, reachable))

    # --- callers --------------------------------------------------------------------------
    async def enqueue(
        self,
        channel_id: str,
        queue: str,
        *,
        priority: int,
        caller_id: str,
        language: str,
        moh_class: str,
        notify: Callable[[Event], None],
        did: str = "",
        customer_number: str = "",
        entered_at: float | None = None,
    ) -> None:
        """Put a caller in the queue; ``entered_at`` keeps an earlier place (a declined
        callback)."""
        now = self.clock()
        entered = entered_at if entered_at is not None else now
        self.callers[channel_id] = Caller(
            channel_id,
            queue,
            language,
            moh_class,
            notify,
            caller_id,
            did,
            customer_number,
            priority,
        )
        await QueuedCall.update_or_create(
            call_id=channel_id,
            defaults={
                "queue_name": queue,
                "priority": priority,
                "caller_id": caller_id[:64],
                "entered_at": entered,
            },
        )
        await CallRecord.filter(call_id=channel_id).update(queue_name=queue)
        self.callers[channel_id].crm = await crm_match_of(channel_id)
        await self.handle(
            ev.ItemArrived(
                now, channel_id, queue, priority, caller_id=caller_id, entered_at=entered
            )
        )
        self._plan_callback_offer(channel_id, queue)

    def _plan_callback_offer(self, channel_id: str, queue: str) -> None:
        """Tell a waiting caller they may be called back: at once when the queue is long, or
        after a while. The key itself is one of the queue's exit keys."""
        after, position = self.callback_offers.get(queue, (None, 0))
        if channel_id not in self.engine.items:
            return  # already connected or sent away
        waiting = self.engine.waiting_items(queue)
        long_queue = (
            position > 0 and channel_id in waiting and (waiting.index(channel_id) + 1 >= position)
        )
        delay = 0.0 if long_queue else after
        if delay is None:
            return
        self.later(delay, lambda: self._offer_callback(channel_id))

    async def _offer_callback(self, channel_id: str) -> None:
        caller = self.callers.get(channel_id)
        item = self.engine.items.get(channel_id)
        if caller is None or item is None or item.agent is not None:
            return
        key = self._callback_key(caller.queue)
        if key is None:
            log.info("queue %s offers callbacks but has no callback key", caller.queue)
            return
        media = [self.sounds.media("callback-offer", caller.language), f"digits:{key}"]
        async with self._lock:  # not between the engine's connect and the bridge
            if channel_id in self.engine.items and self.engine.items[channel_id].agent is None:
                await self.audio.announce(channel_id, f"ehd-ann-{uuid.uuid4().hex}", media)

    def _callback_key(self, queue: str) -> str | None:
        """The exit key that asks for a callback, as the offer must name it."""
        runtime = self.engine.queues.get(queue)
        keys = runtime.config.exit_keys.items() if runtime is not None else []
        return min((k for k, t in keys if t.kind == OverflowKind.CALLBACK), default=None)

    def figures(self) -> dict[str, dict[str, float]]:
        """Live figures per queue for consoles and wallboards."""
        now = self.clock()
        engine = self.engine
        figures = {}
        for name, runtime in engine.queues.items():
            states = [engine.agents[a].state.value for a in runtime.members if a in engine.agents]
            figures[name] = {
                "waiting": len(runtime.waiting),
                "longest_wait": max((now - i.entered_at for i in runtime.waiting), default=0.0),
                "agents_ready": states.count("ready"),
                "agents_logged_in": sum(1 for state in states if state != "logged_out"),
            }
        return figures

    def agent_figures(self) -> dict[str, dict[str, object]]:
        """Logged-in agents for wallboards: state, seconds in it, device and queues."""
        now = self.clock()
        return {
            agent_id: {
                "state": agent.state.value,
                "seconds_in_state": round(max(0.0, now - agent.state_since)),
                "device": agent.device,
                "queues": sorted(agent.memberships),
            }
            for agent_id, agent in self.engine.agents.items()
            if agent.state != AgentState.LOGGED_OUT
        }

    def moh_class(self, queue: str) -> str:
        return self.moh_classes.get(queue, "default")

    async def caller_gone(self, channel_id: str) -> None:
        item = self.engine.items.get(channel_id)
        was_connected = item is not None and item.agent is not None
        if item is not None:
            waited = max(0.0, self.clock() - item.entered_at)
            await self.handle(ev.ItemLeft(self.clock(), channel_id))
            if not was_connected:  # how long they waited counts in the average queue time
                await CallRecord.filter(call_id=channel_id, result="active").update(
                    result="abandoned", queue_seconds=waited
                )
        self.callers.pop(channel_id, None)
        self.audio.forget(channel_id)
        if was_connected:
            await self._finish_connected(channel_id)
        await QueuedCall.filter(call_id=channel_id).delete()

    async def _finish_connected(self, item_id: str) -> None:
        """Both sides of a connected call go when either side hangs up."""
        for leg in [leg for leg in self.legs.values() if leg.item_id == item_id]:
            self.legs.pop(leg.channel_id, None)
            await self._hangup(leg.channel_id)
        await self.callbacks.hang_up_customer(item_id)
        connected_at = self._connected_at.pop(item_id, None)
        if connected_at is not None:
            await CallRecord.filter(call_id=item_id).update(
                talk_seconds=max(0.0, self.clock() - connected_at)
            )
        with contextlib.suppress(AriHttpError):
            await self.ari.destroy_bridge(f"ehd-call-{item_id}")
        await QueuedCall.filter(call_id=item_id).delete()

    async def agent_logged_in(
        self,
        agent_id: str,
        memberships: dict[str, int],
        device: str,
        remote: bool,
        screen_pop: str = "",
        *,
        restored: bool = False,
    ) -> None:
        self.devices[agent_id] = AgentDevice(device, remote, screen_pop)
        login = ev.AgentLoggedIn(
            self.clock(), agent_id, memberships, device=device, restored=restored
        )
        await self.handle(login)
        reachable = True
        if not remote and device.startswith("PJSIP/"):
            try:
                state = await self.ari.endpoint_state("PJSIP", device.removeprefix("PJSIP/"))
            except AriHttpError:
                state = "unknown"
            reachable = state == "online"
        await self.handle(ev.AgentReachability(self.clock(), agent_id, reachable))

    async def agent_logged_out(self, agent_id: str) -> None:
        await self.handle(ev.AgentLoggedOut(self.clock(), agent_id))

    async def agent_paused(self, agent_id: str, reason: str) -> None:
        await self.handle(ev.AgentPaused(self.clock(), agent_id, reason))

    async def agent_unpaused(self, agent_id: str) -> None:
        await self.handle(ev.AgentUnpaused(self.clock(), agent_id))

    async def shutdown(self) -> None:
        for handle in [*self._timers.values(), *self._later]:
            handle.cancel()
        self._timers.clear()
        self._later.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
