"""The Stasis application: parse ARI events, start a session per inbound call, carry out routes.

Every call runs in its own task. Any unexpected error is logged with the call id and the caller
is sent to the ``ehd-fallback`` dialplan context, so nobody is stranded. After every ARI
(re)connect, :meth:`CallApplication.reconcile` rebuilds the view of live calls from Asterisk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import assert_never

from ehd.ari.client import AriClient, AriHttpError, AriNotFound
from ehd.ari.events import (
    Channel,
    ChannelDestroyed,
    ChannelEvent,
    Event,
    PlaybackEvent,
    RecordingEvent,
    StasisEnd,
    StasisStart,
)
from ehd.audio.prompts import SoundLibrary
from ehd.callflow.menu import Kind
from ehd.calls import records, voicemail
from ehd.calls.caller_audio import CallerAudio
from ehd.calls.inbound_flow import InboundFlow
from ehd.calls.recording_service import record_for_library
from ehd.calls.routing import Action, Route, decide_route, holding_bridge_id
from ehd.calls.services import PhoneServices
from ehd.calls.session import CallEnded, CallSession
from ehd.calls.survey import SurveyStart, run_survey
from ehd.db.models import IvrMenu, Queue, User
from ehd.errors import NotFoundError
from ehd.queueing.callers import CallbackOffer, HandedOn, Lent, QueueExit, SentOn
from ehd.queueing.service import QueueService
from ehd.stasis import remote_login
from ehd.stasis.call_steps import answer, hang_up, play_and_hang_up, quietly_hang_up
from ehd.stasis.callback_offer import offer_callback
from ehd.stasis.floor_talk import CustomerSide, SentCustomer, talk_on_floor
from ehd.stasis.monitoring import MONITOR, SNOOP_LEG, Monitoring
from ehd.stasis.outbound import CLICK_TO_DIAL, OUTBOUND, PLACED_LEG, OutboundCalls
from ehd.stasis.ringing import AGENT_LEG, Ringing

log = logging.getLogger(__name__)

FALLBACK_CONTEXT = "ehd-fallback"


class CallApplication:
    def __init__(
        self,
        ari: AriClient,
        app_name: str,
        sounds: SoundLibrary,
        queues: QueueService | None = None,
        services: PhoneServices | None = None,
    ) -> None:
        self.ari = ari
        self.app_name = app_name
        self.sounds = sounds
        self.queues = queues
        # One owner of what a caller hears, shared with the queue that announces and connects.
        self.audio = queues.audio if queues is not None else CallerAudio(ari)
        self.services = services
        self.flow = InboundFlow(services) if services is not None else None
        self.outbound = OutboundCalls(ari, app_name, sounds, queues)
        self.outbound.start_customer_side = self._start_customer_side
        if queues is not None:  # an agent's phone hands a customer to its other call's party
            queues.phone_transfers.lend_consulted = self._lend_placed_leg
            queues.floor.adopt_customer = self._adopt_customer
        self.monitoring = Monitoring(ari, app_name, queues)
        self.ringing = Ringing(ari, app_name, sounds, queues, services)
        self.sessions: dict[str, CallSession] = {}
        self._customer_sides: dict[str, str] = {}  # a call an agent placed -> its customer
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._leg_owners: dict[str, CallSession] = {}  # kept by each session's legs
        # Holding bridges known to exist in Asterisk; forgotten on every (re)connect, since a
        # restarted Asterisk has none.
        self._holding_bridges: set[str] = set()

    # --- events in ------------------------------------------------------------------------
    async def on_event(self, event: Event) -> None:
        if self.queues is not None and await self.queues.on_event(event):
            if isinstance(event, (StasisEnd, ChannelDestroyed)):
                # An agent's leg on the floor may be a call task's own channel (a call the
                # agent's phone placed): that task must learn its call ended.
                self._deliver_to_owner(event.channel.id, event)
            return
        if isinstance(event, StasisStart):
            if event.args and event.args[0] in (AGENT_LEG, PLACED_LEG, SNOOP_LEG):
                self._deliver_to_owner(event.channel.id, event)
                return
            if event.channel.id not in self.sessions:
                self._start(event.channel.id, event)
            return
        if isinstance(event, (PlaybackEvent, RecordingEvent)):
            channel_id = event.target_uri.removeprefix("channel:")
            self._deliver_to_owner(channel_id, event)
            return
        if isinstance(event, ChannelEvent):
            self._deliver_to_owner(event.channel.id, event)  # the session keeps the cause

    def _deliver_to_owner(self, channel_id: str, event: Event) -> None:
        # the caller's own channel (most events), or a leg one of the calls manages
        session = self.sessions.get(channel_id) or self._leg_owners.get(channel_id)
        if session is not None:
            session.deliver(event)

    def _start(self, channel_id: str, event: StasisStart | None) -> None:
        session = CallSession(self.ari, channel_id, self._leg_owners)
        self.sessions[channel_id] = session
        if event is not None:
            session.deliver(event)
        task = asyncio.create_task(self._run(session, event), name=f"call-{channel_id}")
        self.tasks[channel_id] = task

    def _start_customer_side(self, side: CustomerSide) -> None:
        """The customer's leg of a call an agent placed gets a call task of its own."""
        self._customer_sides[side.call_id] = side.channel_id  # lendable from now on
        self._start_task(side.channel_id, side)

    def _adopt_customer(
        self, call_id: str, channel_id: str, language: str
    ) -> Callable[[Event], None]:
        """A callback's customer the agent sends on gets a call task of its own."""
        return self._start_task(channel_id, SentCustomer(call_id, channel_id, language))

    def _start_task(
        self, channel_id: str, start: CustomerSide | SentCustomer
    ) -> Callable[[Event], None]:
        session = CallSession(self.ari, channel_id, self._leg_owners)
        self.sessions[channel_id] = session
        task = asyncio.create_task(self._run(session, start), name=f"call-{channel_id}")
        self.tasks[channel_id] = task
        return session.deliver

    async def _run(
        self, session: CallSession, start: StasisStart | CustomerSide | SentCustomer | None
    ) -> None:
        call_id = session.channel_id
        result = "completed"
        try:
            if start is None:  # adopted after a reconnect: keep it until it ends
                await self._wait_in_queue(session, "en")
            elif isinstance(start, CustomerSide):
                await self._customer_side(session, start)
            elif isinstance(start, SentCustomer):
                await self._sent_customer(session, start)
            else:
                await self._handle_inbound(session, start)
        except CallEnded:
            result = session.outcome or ("caller_hangup" if not session.legs else "completed")
        except AriHttpError as err:
            # Asterisk answers "Channel not found" with 400, 404 or 422 depending on the
            # resource; whether the channel still exists is what tells a failure apart.
            if await self._channel_exists(call_id):
                log.exception("call %s failed; sending the caller to %s", call_id, FALLBACK_CONTEXT)
                result = "failed"
                await self._fallback(call_id)
            else:  # the caller hung up while we were acting on the call: not a failure
                log.info("call %s: caller left during a step (%s)", call_id, err)
                result = "caller_hangup"
        except Exception:
            log.exception("call %s failed; sending the caller to %s", call_id, FALLBACK_CONTEXT)
            result = "failed"
            await self._fallback(call_id)
        finally:
            for leg in list(session.legs):
                await quietly_hang_up(self.ari, leg)
            cause = session.hangup_cause
            await records.close(call_id, result, cause)
            late = session.hangup_cause
            if late is not None and late != cause:  # the channel went while the record closed
                await records.set_hangup_cause(call_id, late)
            self.sessions.pop(call_id, None)
            session.legs.clear()  # their last events have no call left to go to
            self.tasks.pop(call_id, None)

    async def _lend_placed_leg(self, call_id: str, leg_id: str) -> tuple[str, str] | None:
        """The answered leg of a call an agent's phone placed leaves that call (which ends
        without it) for another: the number the call reached and the leg, or None if it is
        none such. Without ``leg_id``, the call's one leg."""
        session = self.sessions.get(call_id)
        legs = session.legs if session is not None else set()
        if not leg_id and len(legs) == 1:
            leg_id = next(iter(legs))
        if session is not None and leg_id in legs:  # answered, not bridged yet
            session.legs.discard(leg_id)
            return await self.outbound.release(call_id, leg_id), leg_id
        customer = self._customer_sides.get(call_id, "")
        side, task = self.sessions.get(customer), self.tasks.get(customer)
        if side is None or task is None or leg_id not in ("", customer):
            return None
        number = await self.outbound.release(call_id, side.channel_id)
        side.deliver(Lent("EhdLent", self.app_name, {}))
        await asyncio.wait([task])  # its task is gone before another takes the channel
        return number, side.channel_id

    async def _fallback(self, channel_id: str) -> None:
        try:
            await self.ari.continue_in_dialplan(channel_id, FALLBACK_CONTEXT)
        except AriHttpError as err:
            log.warning("call %s: fallback failed too (%s)", channel_id, err)

    async def _channel_exists(self, channel_id: str) -> bool:
        try:
            await self.ari.request("GET", f"channels/{channel_id}")
        except AriNotFound:
            return False
        except AriHttpError:
            return True  # cannot tell: treat it as a failure and try the fallback
        return True

    # --- routes ---------------------------------------------------------------------------
    async def _handle_inbound(self, session: CallSession, start: StasisStart) -> None:
        if start.args and start.args[0] == OUTBOUND and await self.outbound.place(session, start):
            return
        if start.args and start.args[0] == CLICK_TO_DIAL:
            await self.outbound.click_answered(session, start)
            return
        if start.args and start.args[0] == MONITOR:
            await self.monitoring.answered(session, start)
            return
        channel = start.channel
        did = start.args[1] if len(start.args) > 1 else channel.exten
        entry = await records.did_entry(did)
        route = decide_route(entry)
        await records.open_call(channel, did, route, entry.site_id if entry else 0)
        if route.reason:
            log.info("call %s to %s: %s (%s)", channel.id, did, route.action, route.reason)
        await self._follow(session, route, channel.caller_number, channel.name)

    async def _follow(
        self,
        session: CallSession,
        route: Route,
        caller: str,
        channel_name: str,
        *,
        sent_on: bool = False,
    ) -> None:
        """Carry out ``route`` for the call: where its number leads, or (``sent_on``) where
        an agent sent it."""
        services = self.services
        match route.action:
            case Action.QUEUE:
                assert route.queue_id is not None
                if not sent_on:
                    await answer(self.ari, session)
                await self._route_queue(session, route, route.queue_id, caller, sent_on=sent_on)
            case Action.MENU:
                await self._route_menu(session, route, caller)
            case Action.RING_SIP | Action.RING_OUTSIDE:
                notice = await self.ringing.ring(session, route, caller, transferred=sent_on)
                if notice is not None:  # the agent who answered sent the caller on
                    await self._carry_on(session, notice, route.language)
            case Action.MAILBOX:
                await answer(self.ari, session)
                await self._to_mailbox(session, route.voicemail, route.language)
                await session.wait_hangup()
            case Action.VOICEMAIL_ACCESS if services is not None:
                await answer(self.ari, session)
                await voicemail.listen(services, session, channel_name, route.language)
                await hang_up(self.ari, session)
            case Action.RECORDING_SERVICE if services is not None:
                await answer(self.ari, session)
                await record_for_library(services, session, route.language)
                await hang_up(self.ari, session)
            case Action.REMOTE_LOGIN if services is not None:
                await answer(self.ari, session)
                await remote_login.toggle(services, session, self.queues, caller, route.language)
                await hang_up(self.ari, session)
            case (
                Action.UNAVAILABLE
                | Action.VOICEMAIL_ACCESS
                | Action.RECORDING_SERVICE
                | Action.REMOTE_LOGIN
            ):
                await play_and_hang_up(
                    self.ari, self.sounds, session, "unavailable", route.language
                )
            case Action.NOT_IN_SERVICE:
                await self._refuse(session, "not-in-service", route.language)
            case _:
                assert_never(route.action)

    async def _refuse(self, session: CallSession, prompt: str, language: str) -> None:
        """A number nobody uses: the message as early media, then "unallocated" (SIP 404).

        The call is never answered, so the carrier bills nothing.
        """
        session.outcome = "not_in_service"
        await session.play(self.sounds.media(prompt, language))
        await self.ari.hangup(session.channel_id, "unallocated")
        await session.wait_hangup()

    async def _route_menu(self, session: CallSession, route: Route, caller: str) -> None:
        """A number that starts with a menu: a queue chosen there runs that queue's way in."""
        menu = await IvrMenu.get_or_none(name=route.target)
        if menu is None or self.flow is None:
            await self._refuse(session, "not-in-service", route.language)
            return
        await answer(self.ari, session)
        destination = await self.flow.run_menu(session, menu, route.language)
        if destination.kind == Kind.QUEUE:
            queue = await Queue.get_or_none(name=destination.target)
            if queue is not None:
                await self._route_queue(session, route, queue.id, caller)
                return
            log.warning("menu %s leads to unknown queue %r", menu.name, destination.target)
            await play_and_hang_up(
                self.ari, self.sounds, session, "unavailable", route.language, answered=True
            )
            return
        await self.flow.finish(session, destination, caller, route.language)
        await hang_up(self.ari, session)

    async def _route_queue(
        self, session: CallSession, route: Route, queue_id: int, caller: str,
        *, sent_on: bool = False,
    ) -> None:  # fmt: skip
        """The queue's way in (hot prompts, calendar, greeting, menu...), then hold with music
        in the queue's holding bridge until an agent takes the call, the queue sends the
        caller elsewhere, or the caller hangs up. A caller an agent sent on (``sent_on``)
        goes straight to the line, kept for the agent the route names."""
        if sent_on:
            queue_name, moh_class, language = route.target, route.moh_class, route.language
        elif self.flow is not None:
            target = await self.flow.enter_queue(session, queue_id, caller)
            if target is None:  # closed, voicemail, or a menu choice that ended the call
                await session.wait_hangup()
                return
            queue_id, queue_name = target.queue_id, target.name
            moh_class, language = target.moh_class, target.language
        else:
            queue_name, moh_class, language = route.target, route.moh_class, route.language
            await session.play(self._greeting(route))
        bridge_id = holding_bridge_id(queue_id)
        await self._ensure_holding_bridge(bridge_id)
        await self.ari.add_to_bridge(bridge_id, session.channel_id, role="participant")
        # Music per caller, not the bridge's shared announcer: the announcer goes quiet for
        # callers who join after the bridge first emptied.
        await self.audio.hold(session.channel_id, moh_class)
        if self.queues is not None:
            caller_number, did, customer_number = await records.call_facts(session.channel_id)
            await self.queues.enqueue(
                session.channel_id,
                queue_name,
                priority=route.priority,
                caller_id=caller_number,
                language=language,
                moh_class=moh_class,
                notify=session.deliver,
                did=did,
                customer_number=customer_number,
                reserved_for=route.agent,
            )
        await self._wait_in_queue(session, language)

    def _greeting(self, route: Route) -> str:
        try:
            return self.sounds.media(route.greeting, route.language)
        except NotFoundError:
            log.warning("queue %s: greeting %r missing", route.target, route.greeting)
            return self.sounds.media("welcome", route.language)

    async def _wait_in_queue(self, session: CallSession, language: str) -> None:
        """Wait until the call ends; play the queue's exit prompt if it sends the caller away,
        follow the agent's transfer if they send the caller on."""
        try:
            while True:
                notice = await session.wait_for(
                    lambda e: isinstance(
                        e, (QueueExit, SurveyStart, CallbackOffer, SentOn, HandedOn)
                    ),
                    3600,
                )
                if isinstance(notice, (SentOn, HandedOn)):
                    await self.audio.prompt(session.channel_id)  # its music since the agent left
                    break
                if isinstance(notice, SurveyStart) and self.services is not None:
                    log.info("call %s: survey %s", session.channel_id, notice.profile_id)
                    await session.out_of_bridges()  # the agent's bridge is still closing
                    await self.audio.prompt(session.channel_id)
                    await run_survey(self.services, session, notice, language)
                    await self.ari.hangup(session.channel_id)
                elif isinstance(notice, CallbackOffer) and self.queues is not None:
                    await offer_callback(self.queues, self.sounds, session, notice, language)
                elif isinstance(notice, QueueExit) and notice.voicemail:
                    await self._to_mailbox(session, notice.voicemail, language)
                elif isinstance(notice, QueueExit):
                    await self.audio.prompt(session.channel_id)
                    await session.play(self.sounds.media(notice.prompt, language))
                    await self.ari.hangup(session.channel_id)
        finally:
            if self.queues is not None:
                await self.queues.caller_gone(session.channel_id)
        await self._carry_on(session, notice, language)

    async def _carry_on(
        self, session: CallSession, notice: SentOn | HandedOn, language: str
    ) -> None:
        """Where the agent sent the caller: to the party they put them through to, or on a
        route (a queue, a menu, a phone, a mailbox, an outside number)."""
        if isinstance(notice, HandedOn):
            await self.outbound.talk_to(session, notice.channel, notice.bridge_id)
            return
        caller = (await records.call_facts(session.channel_id))[0]
        route = replace(notice.route, language=language)
        await self._follow(session, route, caller, "", sent_on=True)

    async def _sent_customer(self, session: CallSession, sent: SentCustomer) -> None:
        """Where the agent sent a callback's customer, as a call record of their own."""
        notice = await session.wait_for(lambda e: isinstance(e, (SentOn, HandedOn)), 10)
        if not isinstance(notice, (SentOn, HandedOn)):
            await hang_up(self.ari, session)
            return
        await self.audio.prompt(session.channel_id)  # the music since the agent left
        await records.continue_call(sent.call_id, session.channel_id)
        await self._carry_on(session, notice, sent.language)

    async def _customer_side(self, session: CallSession, side: CustomerSide) -> None:
        """The customer of a call an agent placed, on the floor until either side hangs up
        or the agent sends them on (then with a call record of their own)."""
        assert self.queues is not None
        try:
            notice = await talk_on_floor(
                self.queues, session, side.call_id, side.agent_id, side.agent_channel,
                side.bridge_id, side.language,
            )  # fmt: skip
            if notice is None:  # lent to another call, which keeps the channel
                return
            await records.continue_call(side.call_id, session.channel_id)
            await self._carry_on(session, notice, side.language)
        finally:
            self._customer_sides.pop(side.call_id, None)
            with contextlib.suppress(AriHttpError):
                await self.ari.destroy_bridge(side.bridge_id)

    async def _to_mailbox(self, session: CallSession, username: str, language: str) -> None:
        """Queue overflow to voicemail."""
        await self.audio.prompt(session.channel_id)
        user = await User.get_or_none(username=username, active=True)
        if user is None or self.services is None:
            await session.play(self.sounds.media("unavailable", language))
            await self.ari.hangup(session.channel_id)
            return
        caller_id = (await records.call_facts(session.channel_id))[0]
        await voicemail.leave_message(self.services, session, user, caller_id, language)

    async def _ensure_holding_bridge(self, bridge_id: str) -> None:
        if bridge_id in self._holding_bridges:
            return
        bridges = {bridge.id for bridge in await self.ari.list_bridges()}
        if bridge_id not in bridges:
            await self.ari.create_bridge(bridge_id, "holding")
        self._holding_bridges.add(bridge_id)

    # --- reconcile ------------------------------------------------------------------------
    async def reconcile(self) -> None:
        """Rebuild state after a (re)connect: adopt live calls, close calls that died meanwhile."""
        self._holding_bridges.clear()
        live = await self.ari.list_channels()
        live_ids = {channel.id for channel in live}
        for call_id in list(self.sessions):
            if call_id not in live_ids:
                self.sessions[call_id].deliver(
                    StasisEnd("StasisEnd", self.app_name, {}, _gone_channel(call_id))
                )
        closed = await records.close_missing(live_ids)
        if closed:
            log.info("reconcile: %d call(s) ended while ARI was away", closed)
        for call_id in await records.open_call_ids():
            if call_id in live_ids and call_id not in self.sessions:
                log.info("reconcile: adopting live call %s", call_id)
                self._start(call_id, None)
        if self.queues is not None:
            await self.queues.restore(live_ids, self._notifier)

    def _notifier(self, call_id: str) -> Callable[[Event], None]:
        session = self.sessions.get(call_id)
        return session.deliver if session is not None else (lambda _event: None)

    async def shutdown(self) -> None:
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.services is not None:
            await self.services.finish_mail()


def _gone_channel(channel_id: str) -> Channel:
    return Channel(
        id=channel_id,
        name="",
        state="Down",
        caller_number="",
        caller_name="",
        exten="",
        created=None,
        language="en",
    )
