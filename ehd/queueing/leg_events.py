"""What Asterisk reports about queue calls, turned into engine events: an agent's leg answered
(or accepted with 1 on a remote phone), a leg or callback customer gone, keys pressed, a
phone coming online or going away. The Stasis application offers every event here first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from ehd.acd import events as ev
from ehd.ari.client import AriHttpError
from ehd.ari.events import (
    ChannelDestroyed,
    ChannelDtmfReceived,
    Event,
    PlaybackEvent,
    StasisEnd,
    StasisStart,
    UnknownEvent,
)
from ehd.calls.survey import SurveyStart
from ehd.errors import ConflictError, NotFoundError
from ehd.queueing.agent_legs import AgentLegs
from ehd.queueing.callbacks import CALLBACK_LEG, Callbacks
from ehd.queueing.direct_calls import DirectCalls
from ehd.queueing.floor import CONSULT_LEG, QUEUE_LEG, QueueFloor
from ehd.queueing.legs import Leg
from ehd.queueing.phone_transfers import PhoneTransfers

log = logging.getLogger(__name__)

ACCEPT_KEY = "1"
ACCEPT_SECONDS = 10.0


class LegEvents:
    def __init__(
        self,
        floor: QueueFloor,
        legs: AgentLegs,
        callbacks: Callbacks,
        phone_transfers: PhoneTransfers,
        direct: DirectCalls,
    ) -> None:
        self.floor = floor
        self.direct = direct
        self.agent_legs = legs
        self.callbacks = callbacks
        self.phone_transfers = phone_transfers

    async def on_event(self, event: Event) -> bool:
        """Handle events that belong to queueing; True when the event was consumed."""
        floor = self.floor
        if isinstance(event, StasisStart) and event.args and event.args[0] == QUEUE_LEG:
            leg = floor.legs.get(event.channel.id)
            if leg is None:
                await floor.hangup(event.channel.id)  # cancelled while it was being answered
            elif leg.remote:
                floor.driver.spawn(self._accept_by_key(leg))
            else:  # its transfer key already reaches ehd: set when it was originated
                leg.answered = True
                await floor.driver.handle(
                    ev.OfferAnswered(floor.clock(), leg.item_id, leg.agent_id, leg.channel_id)
                )
            return True
        if isinstance(event, StasisStart) and event.args and event.args[0] == CONSULT_LEG:
            leg = floor.legs.get(event.channel.id)
            if leg is None:
                await floor.hangup(event.channel.id)  # cancelled while it rang
            else:
                leg.answered = True
                await self.agent_legs.controls.consult_answered(leg.item_id)
            return True
        if isinstance(event, StasisStart) and event.args and event.args[0] == CALLBACK_LEG:
            if not await self.callbacks.customer_answered(event.channel.id):
                await floor.hangup(event.channel.id)
            return True
        if isinstance(event, (StasisEnd, ChannelDestroyed)) and (
            await self.callbacks.customer_gone(event.channel.id)
        ):
            return True
        if isinstance(event, (StasisEnd, ChannelDestroyed)):
            gone = floor.legs.pop(event.channel.id)
            if gone is not None:
                await self._leg_gone(gone)
            return gone is not None
        if isinstance(event, ChannelDtmfReceived):
            return await self._key(event)
        if isinstance(event, PlaybackEvent) and event.type == "PlaybackFinished":
            await floor.audio.playback_finished(event.playback_id)
            return False  # the call task may wait for its own playbacks
        if isinstance(event, UnknownEvent) and event.type == "EndpointStateChange":
            await self._endpoint_changed(event)
            return True
        if isinstance(event, UnknownEvent) and event.type == "ChannelTransfer":
            return await self._transfer_requested(event)
        return False

    async def _key(self, event: ChannelDtmfReceived) -> bool:
        floor = self.floor
        leg = floor.legs.get(event.channel.id)
        if leg is not None:
            leg.dtmf.put_nowait(event.digit)
            return True
        if event.channel.id in floor.driver.engine.items:
            # A waiting caller's keys belong to the queue (exit keys); they must not reach
            # a prompt that follows, such as the callback confirmation.
            await floor.driver.handle(
                ev.ExitKeyPressed(floor.clock(), event.channel.id, event.digit)
            )
            return True
        return False

    async def _leg_gone(self, leg: Leg) -> None:
        floor = self.floor
        now = floor.clock()
        if leg.consult:  # the colleague hung up or never answered: back to the customer
            with contextlib.suppress(NotFoundError, ConflictError):
                await self.agent_legs.controls.end_consult(leg.item_id)
            return
        if not leg.connected:
            await floor.driver.handle(ev.OfferFailed(now, leg.item_id, leg.agent_id, "hangup"))
            return
        if self.agent_legs.controls.in_conference(leg.item_id):
            # The agent left a conference: customer and colleague go on without them.
            await self.agent_legs.controls.complete(leg.item_id)
            return
        if self.direct.owns(leg.item_id):  # the agent hung up a call outside the queues
            caller = floor.callers.get(leg.item_id)
            await self.direct.over(leg.item_id)
            await floor.hangup(caller.channel_id if caller is not None else leg.item_id)
            return
        await floor.driver.handle(ev.ItemCompleted(now, leg.item_id, by_agent=True))
        await self.agent_legs.finish_connected(leg.item_id)
        if self.callbacks.owns(leg.item_id):
            await self.callbacks.agent_left(leg.item_id)
            return
        caller = floor.callers.get(leg.item_id)
        runtime = floor.queues.get(caller.queue) if caller is not None else None
        if caller is not None and runtime is not None and runtime.survey_id is not None:
            # The caller stays for the survey; their call task asks it, then hangs up.
            survey = SurveyStart(
                "EhdSurvey", floor.app_name, {}, runtime.survey_id, caller.queue, leg.agent_id
            )
            caller.notify(survey)
        else:
            await floor.hangup(leg.item_id)  # the agent hung up: the caller's call ends too

    async def _accept_by_key(self, leg: Leg) -> None:
        """A remote agent (mobile, landline) must press 1, so a voicemail never takes a call."""
        floor = self.floor
        prompt = f"ehd-acc-{uuid.uuid4().hex}"
        try:
            await floor.ari.play(
                leg.channel_id, floor.sounds.media("press-1-to-accept", "en"), prompt
            )
            async with asyncio.timeout(ACCEPT_SECONDS):
                while (digit := await leg.dtmf.get()) != ACCEPT_KEY:
                    log.debug("remote agent pressed %s, waiting for %s", digit, ACCEPT_KEY)
        except (TimeoutError, AriHttpError):
            if floor.legs.pop(leg.channel_id) is not None:
                await floor.hangup(leg.channel_id)
                await floor.driver.handle(
                    ev.OfferFailed(floor.clock(), leg.item_id, leg.agent_id, "not accepted")
                )
            return
        with contextlib.suppress(AriHttpError):  # a key pressed early: the caller is waiting
            await floor.ari.stop_playback(prompt)
        leg.answered = True
        await floor.driver.handle(
            ev.OfferAnswered(floor.clock(), leg.item_id, leg.agent_id, leg.channel_id)
        )

    async def _transfer_requested(self, event: UnknownEvent) -> bool:
        """A SIP REFER from an agent's phone: a blind transfer to the number it names, or an
        attended one to the party of the phone's other call."""
        referred_by = _object(event.raw.get("referred_by"))
        refer_to = _object(event.raw.get("refer_to"))
        wanted = _object(refer_to.get("requested_destination"))
        channel_id = _channel_id(referred_by.get("source_channel"))
        destination = wanted.get("destination")
        if channel_id not in self.floor.legs:
            return False
        if event.raw.get("state"):  # Asterisk repeating the progress ehd reported
            return True
        replaced = _channel_id(refer_to.get("destination_channel"))
        if replaced or wanted.get("protocol_id"):  # attended: replace the phone's other call
            party = _channel_id(refer_to.get("connected_channel"))
            await self.phone_transfers.attended(channel_id, replaced, party)
            return True
        await self.phone_transfers.blind(
            channel_id, destination if isinstance(destination, str) else ""
        )
        return True

    async def _endpoint_changed(self, event: UnknownEvent) -> None:
        endpoint = event.raw.get("endpoint") or {}
        if not isinstance(endpoint, dict):
            return
        device = f"{endpoint.get('technology')}/{endpoint.get('resource')}"
        reachable = endpoint.get("state") == "online"
        for agent_id, agent_device in self.floor.devices.items():
            if agent_device.device == device:
                await self.floor.driver.handle(
                    ev.AgentReachability(self.floor.clock(), agent_id, reachable)
                )


def _channel_id(channel: object) -> str:
    """The id of a channel object in an event, or ""."""
    ident = channel.get("id") if isinstance(channel, dict) else None
    return ident if isinstance(ident, str) else ""


def _object(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}
