"""The queue service: carries the ACD engine's actions out over ARI and feeds it what happens
on the calls, callers and agents.

Its roles live apart (as wazo-calld splits its services): ``driver`` runs the engine one event
at a time and owns its timers and tasks; ``restore_plan`` decides, purely, what happens to
stored calls after a restart; ``agent_legs`` offers, connects and ends calls to agents;
``leg_events`` turns what Asterisk reports into engine events; ``callbacks`` keeps callers'
places without a line. This module wires them and carries out each action, exhaustively.
The engine's clock is Unix time.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, assert_never

from ehd.acd import actions as act
from ehd.acd import events as ev
from ehd.acd.engine import AcdEngine
from ehd.agent_events import AgentEvents
from ehd.ari.client import AriClient, AriHttpError
from ehd.ari.events import Event
from ehd.audio.prompts import SoundLibrary
from ehd.calls import hearing
from ehd.calls.call_control import Consult, ConsultState
from ehd.calls.caller_audio import CallerAudio
from ehd.db.models import AgentSession, CallRecord, Queue, QueuedCall
from ehd.queueing.agent_legs import AgentLegs
from ehd.queueing.call_controls import CallControls
from ehd.queueing.callbacks import Callbacks
from ehd.queueing.callers import Caller, crm_match_of
from ehd.queueing.config import queue_config
from ehd.queueing.direct_calls import DirectCalls
from ehd.queueing.driver import EngineDriver
from ehd.queueing.floor import QueueFloor
from ehd.queueing.leg_events import LegEvents
from ehd.queueing.legs import AgentDevice, Leg, Legs
from ehd.queueing.live_figures import agent_figures, queue_figures
from ehd.queueing.phone_transfers import PhoneTransfers
from ehd.queueing.queue_log_writer import QueueLogWriter
from ehd.queueing.queue_runtime import runtime_of
from ehd.queueing.restore_plan import (
    AdoptCallback,
    AgentGone,
    CloseDead,
    Requeue,
    RestoreStep,
    ResumeTalking,
    plan_restore,
)
from ehd.queueing.transfers import Transfers
from ehd.queueing.waiting_callers import WaitingCallers
from ehd.sms import SmsGateway
from ehd.stats.service_alarm import LEVEL_EVENTS
from ehd.stats.service_watch import ServiceWatch

log = logging.getLogger(__name__)


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
        self.driver = EngineDriver(clock)
        self.driver.execute = self._execute
        self.floor = QueueFloor(ari, app_name, sounds, self.driver, consoles or AgentEvents(),
                                site_screen_pop)  # fmt: skip
        self.writer = writer
        writer.intervals.goal_of = self.service_goal
        writer.agent_time.wrapup_of = self.wrapup_seconds
        writer.written = self._check_service_goal
        self.service_watch = ServiceWatch(self.service_targets)
        self.callbacks = Callbacks(self, sms, callback_attempts, callback_retry_seconds)
        self.controls = CallControls(self.floor)
        self.transfers = Transfers(self.floor, self.controls)
        self.agent_legs = AgentLegs(self.floor, self.callbacks, self.controls, recordings_dir)
        self.phone_transfers = PhoneTransfers(self.transfers)
        self.direct = DirectCalls(self.floor, self.controls)
        self.leg_events = LegEvents(self.floor, self.agent_legs, self.callbacks,
                                    self.phone_transfers, self.direct)  # fmt: skip
        self.waiting = WaitingCallers(self.floor)

    # --- what callbacks, the Stasis application and the web read ---------------------------
    def service_goal(self, queue: str) -> float | None:
        runtime = self.engine.queues.get(queue)
        return runtime.config.sl_goal_seconds if runtime is not None else None

    def wrapup_seconds(self, queue: str) -> float | None:
        runtime = self.engine.queues.get(queue)
        return runtime.config.wrapup_seconds if runtime is not None else None

    def service_targets(self, queue: str) -> tuple[float, float] | None:
        runtime = self.engine.queues.get(queue)
        if runtime is None:
            return None
        return runtime.config.sl_goal_seconds, runtime.config.sl_target_percent

    @property
    def ari(self) -> AriClient:
        return self.floor.ari

    @property
    def app_name(self) -> str:
        return self.floor.app_name

    @property
    def sounds(self) -> SoundLibrary:
        return self.floor.sounds

    @property
    def audio(self) -> CallerAudio:
        return self.floor.audio

    @property
    def consoles(self) -> AgentEvents:
        return self.floor.consoles

    @property
    def engine(self) -> AcdEngine:
        return self.driver.engine

    @property
    def legs(self) -> Legs:
        return self.floor.legs

    @property
    def ready_to_originate(self) -> deque[float]:
        return self.driver.ready_to_originate

    def clock(self) -> float:
        return self.driver.clock()

    def queue_number(self, queue: str) -> str:
        runtime = self.floor.queues.get(queue)
        return runtime.number if runtime else ""

    def records_every_call(self, queue: str) -> bool:
        runtime = self.floor.queues.get(queue)
        return runtime is not None and runtime.records_every_call

    def moh_class(self, queue: str) -> str:
        runtime = self.floor.queues.get(queue)
        return runtime.moh_class if runtime else "default"

    def figures(self) -> dict[str, dict[str, float]]:
        """Live figures per queue for consoles and wallboards."""
        return queue_figures(self.engine, self.clock())

    def agent_figures(self) -> dict[str, dict[str, object]]:
        """Logged-in agents for wallboards: state, seconds in it, device and queues."""
        return agent_figures(self.engine, self.clock())

    def agent_on_call(self, agent_id: str, call_id: str) -> bool:
        return self.floor.legs.talking(agent_id, call_id)

    # --- the engine -----------------------------------------------------------------------
    async def handle(self, event: ev.Event) -> None:
        await self.driver.handle(event)

    def follow_up(self, event: ev.Event) -> None:
        self.driver.follow_up(event)

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self.driver.spawn(coroutine)

    def later(self, delay: float, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self.driver.later(delay, work)

    async def _execute(self, actions: list[act.Action]) -> None:
        logs = self.callbacks.hold_back([a for a in actions if isinstance(a, act.LogQueueEvent)])
        for action in actions:
            try:
                await self._carry_out(action)
            except AriHttpError as err:  # one call's ARI trouble never stops the others
                log.warning("queue action %s failed: %s", type(action).__name__, err)
        await self.log_events(logs)

    async def _carry_out(self, action: act.Action) -> None:
        match action:
            case act.StartTimer():
                self.driver.start_timer(action)
            case act.Offer():
                await self.agent_legs.offer(action)
            case act.CancelOffer():
                await self.agent_legs.cancel(action)
            case act.Connect():
                await self.agent_legs.connect(action)
            case act.Exit():
                await self.waiting.exit(action)
            case act.Moved():
                await self.waiting.moved(action)
            case act.Announce():
                await self.waiting.announce(action)
            case act.AgentStateChanged():
                self.floor.consoles.publish(
                    action.agent_id,
                    {"type": "state", "state": action.state.value, "reason": action.reason},
                )
                await AgentSession.filter(user__username=action.agent_id).update(
                    state=action.state.value, pause_reason=action.reason
                )
            case act.LogQueueEvent():
                pass  # written together once the actions are carried out
            case _:
                assert_never(action)

    async def log_events(self, entries: list[act.LogQueueEvent]) -> None:
        await self.writer.write(entries)

    async def _check_service_goal(self, written: list[act.LogQueueEvent]) -> None:
        """Once rows are stored (with Unix times), the queues whose level they moved."""
        moved = {e.queue for e in written if e.event in LEVEL_EVENTS}
        if not moved:
            return  # no answer or abandon: no queue's level changed, nothing to read
        try:  # an alarm must never disturb the calls
            await self.service_watch.check(moved, max(entry.at for entry in written))
        except Exception:
            log.exception("the service-goal check failed")

    # --- set-up ---------------------------------------------------------------------------
    async def load_queues(self) -> None:
        for queue in await Queue.all().prefetch_related("classification"):
            self.engine.configure(queue_config(queue))
            self.floor.queues[queue.name] = runtime_of(queue)
        await self.writer.resume_agent_time(self.clock() + self.writer.epoch_offset)

    async def restore(
        self, live_channels: set[str], notify_for: Callable[[str], Callable[[Event], None]]
    ) -> None:
        """After a (re)start: agents back in, waiting calls re-adopted in their old order.

        ``notify_for(channel)`` gives the adopted caller's call task, for exit prompts.
        """
        now = self.clock()
        for session in await AgentSession.all().prefetch_related("user"):
            await self._restore_agent(session, now)
        known = set(self.floor.callers) | set(self.engine.items)
        rows = await QueuedCall.all()
        for step in plan_restore(rows, live_channels, known, now):
            await self._restore(step, now, notify_for)

    async def _restore(
        self, step: RestoreStep, now: float, notify_for: Callable[[str], Callable[[Event], None]]
    ) -> None:
        match step:
            case AdoptCallback(call):
                assert isinstance(call, QueuedCall)
                callback = self.callbacks.restore(call)
                await self.handle(_arrived_again(call, now, callback.number))
            case CloseDead(call, entry):
                assert isinstance(call, QueuedCall)
                await self.log_events([entry])
                await call.delete()
            case AgentGone(call, entry):
                # The agent hung up while ehd was away: the caller's call ends as it would
                # have (their call task, adopted again, closes the record).
                assert isinstance(call, QueuedCall)
                await self.log_events([entry])
                await call.delete()
                with contextlib.suppress(AriHttpError):
                    await self.ari.hangup(call.call_id)
            case ResumeTalking(call, connected_at, consulting):
                # Talking to an agent when ehd stopped: the call goes on, the agent stays busy
                # with it, and it ends with one COMPLETE row and its whole talk time.
                assert isinstance(call, QueuedCall)
                self.floor.callers[call.call_id] = await _caller_again(call, notify_for)
                self.floor.legs.add(Leg(call.agent_channel, call.call_id, call.agent, False,
                                        answered=True, connected=True))  # fmt: skip
                moh_class = self.moh_class(call.queue_name)
                self.controls.connected(call.call_id, call.call_id, call.agent,
                                        call.agent_channel, call.queue_name, moh_class,
                                        connected_at, call.held_since,
                                        call.held_before)  # fmt: skip
                await self.audio.connect(call.call_id)  # no music or announcement on top
                if call.held_since is not None:  # still out of the bridge, with its music
                    await self.audio.hear(call.call_id, hearing.PutOnHold(moh_class))
                await self.handle(ev.ConnectedRestored(now, call.call_id, call.queue_name,
                                                       call.agent, call.entered_at, connected_at,
                                                       call.priority, call.caller_id))  # fmt: skip
                if consulting:
                    state = ConsultState(call.consult_state or ConsultState.RINGING)
                    consult = Consult(call.consult_channel, call.consult_agent, state,
                                      call.consult_number)  # fmt: skip
                    await self.controls.consult_restored(call.call_id, consult)
            case Requeue(call):
                assert isinstance(call, QueuedCall)
                self.floor.callers[call.call_id] = await _caller_again(call, notify_for)
                # Still hearing the music the stopped ehd started, which the connect to an
                # agent must stop: the caller's hearing starts out as that music, started
                # again in case it was an announcement that ended meanwhile.
                await self.audio.hold(call.call_id, self.moh_class(call.queue_name))
                await self.handle(_arrived_again(call, now, call.caller_id))
            case _:
                assert_never(step)

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

    # --- for the callback desk and the web ------------------------------------------------
    def mark_connected(
        self, item_id: str, customer_channel: str, agent_id: str, agent_channel: str, queue: str,
        notify: Callable[[Event], None] | None = None,
    ) -> None:  # fmt: skip
        """A callback's customer answered: the call is the agent's to control, and where the
        agent sends the customer on goes to ``notify``."""
        if notify is not None:
            self.floor.callers[item_id] = Caller(customer_channel, queue, "en",
                                                 self.moh_class(queue), notify,
                                                 rejoins=False)  # fmt: skip
        self.controls.connected(item_id, customer_channel, agent_id, agent_channel, queue,
                                self.moh_class(queue), self.clock())  # fmt: skip

    def forget_customer(self, item_id: str) -> None:
        self.floor.callers.pop(item_id, None)

    def adopt_customer(
        self, call_id: str, channel_id: str, language: str
    ) -> Callable[[Event], None] | None:
        """A call task of the Stasis application's own for a callback's customer the agent
        sends on (None without one)."""
        adopt = self.floor.adopt_customer
        return adopt(call_id, channel_id, language) if adopt is not None else None

    async def finish_connected(self, item_id: str) -> None:
        await self.agent_legs.finish_connected(item_id)

    async def start_recording(self, call_id: str) -> str:
        """Record the caller-agent bridge (every call, or when the agent asks); the file."""
        return await self.agent_legs.start_recording(call_id)

    async def request_callback(
        self, call_id: str, queue: str, number: str, priority: int, entered_at: float
    ) -> str:
        return await self.callbacks.request(call_id, queue, number, priority, entered_at)

    # --- ARI events in --------------------------------------------------------------------
    async def on_event(self, event: Event) -> bool:
        """Handle events that belong to queueing; True when the event was consumed."""
        return await self.leg_events.on_event(event)

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
        reserved_for: str = "",
    ) -> None:
        """Put a caller in the queue; ``entered_at`` keeps an earlier place (a declined
        callback); ``reserved_for`` is the agent an agent sent them to."""
        now = self.clock()
        entered = entered_at if entered_at is not None else now
        caller = Caller(channel_id, queue, language, moh_class, notify, caller_id, did,
                        customer_number, priority)  # fmt: skip
        self.floor.callers[channel_id] = caller
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
        caller.crm = await crm_match_of(channel_id)
        await self.handle(
            ev.ItemArrived(
                now,
                channel_id,
                queue,
                priority,
                caller_id=caller_id,
                entered_at=entered,
                reserved_for=reserved_for or None,
            )  # fmt: skip
        )
        self.waiting.plan_callback_offer(channel_id, queue)

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
        self.floor.callers.pop(channel_id, None)
        self.audio.forget(channel_id)
        if was_connected:  # its queued_calls row goes with the connected call
            await self.agent_legs.finish_connected(channel_id)
        else:
            await QueuedCall.filter(call_id=channel_id).delete()

    # --- agents ---------------------------------------------------------------------------
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
        self.floor.devices[agent_id] = AgentDevice(device, remote, screen_pop)
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

    async def agent_on_other_call(self, agent_id: str, busy: bool) -> None:
        """An agent's phone places or ends a call of its own: no queue call meanwhile."""
        event = ev.AgentOnOtherCall if busy else ev.AgentOffOtherCall
        await self.handle(event(self.clock(), agent_id))

    async def agent_paused(self, agent_id: str, reason: str) -> None:
        await self.handle(ev.AgentPaused(self.clock(), agent_id, reason))

    async def agent_unpaused(self, agent_id: str) -> None:
        await self.handle(ev.AgentUnpaused(self.clock(), agent_id))

    async def shutdown(self) -> None:
        await self.driver.shutdown()
        await self.writer.flush()


async def _caller_again(
    call: QueuedCall, notify_for: Callable[[str], Callable[[Event], None]]
) -> Caller:
    """A stored caller back on the floor, their call task adopted."""
    queue = await Queue.get_or_none(name=call.queue_name)
    return Caller(call.call_id, call.queue_name, queue.language if queue else "en",
                  queue.moh_class if queue else "default", notify_for(call.call_id),
                  call.caller_id)  # fmt: skip


def _arrived_again(call: QueuedCall, now: float, caller_id: str) -> ev.ItemArrived:
    """A stored call back in its queue, in its old place."""
    return ev.ItemArrived(now, call.call_id, call.queue_name, call.priority, caller_id=caller_id,
                          entered_at=call.entered_at, restored=True)  # fmt: skip
