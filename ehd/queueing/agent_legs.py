"""Calls to agents: offering a waiting call (the console first, then the agent's phone rings),
withdrawing an offer, connecting caller and agent, recording, and ending both sides together.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from dataclasses import replace
from pathlib import Path

from tortoise.expressions import Case

from ehd.acd import actions as act
from ehd.acd import events as ev
from ehd.ari.client import AriHttpError
from ehd.calls import records
from ehd.calls.routing import holding_bridge_id
from ehd.db.column_updates import set_once
from ehd.db.models import CallHandling, CallRecord, HandlingEnd, QueuedCall
from ehd.errors import ConflictError
from ehd.queueing.agent_caller_id import shown_to_agent
from ehd.queueing.call_controls import CallControls
from ehd.queueing.callbacks import Callbacks
from ehd.queueing.floor import QUEUE_LEG, TRANSFERS_TO_EHD, QueueFloor, call_bridge
from ehd.queueing.legs import AgentDevice, Leg
from ehd.queueing.offer_pop import offer_message

log = logging.getLogger(__name__)


class AgentLegs:
    def __init__(
        self,
        floor: QueueFloor,
        callbacks: Callbacks,
        controls: CallControls,
        recordings_dir: Path | None,
    ) -> None:
        self.floor = floor
        self.callbacks = callbacks
        self.controls = controls
        self.recordings_dir = recordings_dir

    async def offer(self, offer: act.Offer) -> None:
        floor = self.floor
        device = floor.devices.get(offer.agent_id)
        if device is None:
            floor.driver.follow_up(
                ev.OfferFailed(floor.clock(), offer.item_id, offer.agent_id, "no device")
            )
            return
        if device.remote and self.callbacks.owns(offer.item_id):
            number = device.device.removeprefix("PJSIP/").removesuffix("@trunk")
            await self.callbacks.offer_by_text(offer, number)
            return
        leg_id = f"ehd-q-{uuid.uuid4().hex[:16]}"
        floor.legs.add(Leg(leg_id, offer.item_id, offer.agent_id, device.remote))
        self._tell_console(offer, device)  # before the phone rings
        try:
            await floor.ari.originate(
                device.device,
                channel_id=leg_id,
                app=floor.app_name,
                app_args=f"{QUEUE_LEG},{offer.item_id}",
                caller_id=self._shown_caller_id(offer, device),
                timeout=int(offer.ring_timeout) + 5,
                # the phone's transfer key reaches ehd (floor.transfers_to_ehd), set with the
                # call instead of one more request between the answer and the connect
                variables=None if device.remote else TRANSFERS_TO_EHD,
                beside=offer.item_id,  # the caller's channel (a callback's: none)
            )
            floor.driver.originated(offer.agent_id)
        except AriHttpError as err:
            log.warning("offer of %s to %s failed: %s", offer.item_id, offer.agent_id, err)
            floor.legs.pop(leg_id)
            floor.driver.follow_up(
                ev.OfferFailed(floor.clock(), offer.item_id, offer.agent_id, "originate failed")
            )

    def _shown_caller_id(self, offer: act.Offer, device: AgentDevice) -> str | None:
        caller = self.floor.callers.get(offer.item_id)
        callback = self.callbacks.pending.get(offer.item_id)
        number = caller.caller_id if caller else callback.number if callback else ""
        name = caller.crm.name if caller and caller.crm else ""
        runtime = self.floor.queues.get(offer.queue)
        queue_number = runtime.number if runtime else ""
        return shown_to_agent(offer.queue, queue_number, number, name, remote=device.remote)

    def _tell_console(self, offer: act.Offer, device: AgentDevice) -> None:
        floor = self.floor
        if not floor.consoles.watching(offer.agent_id):
            return
        runtime = floor.queues.get(offer.queue)
        templates = (device.screen_pop, runtime.screen_pop if runtime else "",
                     floor.site_screen_pop)  # fmt: skip
        codes = runtime.classification_codes if runtime else []
        caller = floor.callers.get(offer.item_id)
        item = floor.driver.engine.items.get(offer.item_id)
        waited = floor.clock() - item.entered_at if item is not None else 0.0
        floor.consoles.publish(
            offer.agent_id, offer_message(offer, caller, templates, codes, waited)
        )

    async def cancel(self, action: act.CancelOffer) -> None:
        leg = self.floor.legs.offered(action.item_id, action.agent_id)
        if leg is not None:
            self.floor.legs.pop(leg.channel_id)
            await self.floor.hangup(leg.channel_id)

    async def connect(self, action: act.Connect) -> None:
        floor = self.floor
        leg = floor.legs.offered(action.item_id, action.agent_id)
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
        await floor.audio.connect(caller)
        queue = floor.callers[caller].queue if caller in floor.callers else action.queue
        runtime = floor.queues.get(queue)
        if runtime is not None:
            holding = holding_bridge_id(runtime.queue_id)
            with contextlib.suppress(AriHttpError):
                await floor.ari.request(
                    "POST", f"bridges/{holding}/removeChannel", {"channel": caller}
                )
        bridge_id = call_bridge(caller)
        await floor.ari.create_bridge(bridge_id, "mixing,proxy_media")
        await floor.ari.add_to_bridge(bridge_id, [caller, leg.channel_id])
        now = floor.clock()
        moh_class = runtime.moh_class if runtime is not None else "default"
        self.controls.connected(caller, caller, action.agent_id, leg.channel_id, queue, moh_class,
                                now)  # fmt: skip
        if runtime is not None and runtime.records_every_call:
            await self.start_recording(caller)
        await QueuedCall.filter(call_id=caller).update(
            agent=action.agent_id, agent_channel=leg.channel_id, connected_at=now
        )
        item = floor.driver.engine.items.get(caller)
        waited: dict[str, Case] = {}
        if item is not None:  # the first wait is the call's queue time (not a transferred
            # caller's second)
            waited["queue_seconds"] = set_once("queue_seconds", now - item.entered_at)
        await CallRecord.filter(call_id=caller).update(
            agent=action.agent_id, result="answered", **waited
        )

    async def start_recording(self, call_id: str) -> str:
        """Record the caller-agent bridge (every call, or when the agent asks); the file."""
        if self.recordings_dir is None:
            raise ConflictError("recording is not available without Asterisk")
        call = self.floor.calls.get(call_id)
        if call is None:
            raise ConflictError("the call is not connected to an agent")
        if call.recording:
            return call.recording
        # One file per agent's part: after a transfer the next agent's bridge is new, and
        # the first part's file is never written over.
        record = await CallRecord.get_or_none(call_id=call_id)
        first = record is None or not record.recording
        part = "" if first else f"-{await CallHandling.filter(call_id=call_id).count() + 1}"
        day = time.strftime("%Y-%m-%d", time.gmtime(self.floor.clock()))
        name = f"calls/{day}/{call_id}{part}"
        try:
            await self.floor.ari.record_bridge(call.bridge_id, name)
        except AriHttpError as err:
            log.warning("call %s: recording failed to start: %s", call_id, err)
            raise ConflictError("the recording could not be started") from err
        path = str(self.recordings_dir / f"{name}.wav")
        if first:
            await CallRecord.filter(call_id=call_id).update(recording=path)
        current = self.floor.calls.get(call_id)
        if current is not None:
            self.floor.calls[call_id] = replace(current, recording=path)
        return path

    async def finish_connected(self, item_id: str) -> None:
        """Both sides of a connected call go when either side hangs up."""
        floor = self.floor
        for leg in floor.legs.of_call(item_id):
            floor.legs.pop(leg.channel_id)
            await floor.hangup(leg.channel_id)
            if leg.consult:  # the customer or the agent left mid-consultation
                floor.audio.forget(leg.channel_id)
                await floor.driver.handle(ev.AgentOffOtherCall(floor.clock(), leg.agent_id))
        await self.callbacks.hang_up_customer(item_id)
        call = self.controls.finished(item_id)
        if call is not None:
            await records.agent_part_over(call, call.queue, floor.clock(), HandlingEnd.HANGUP)
        with contextlib.suppress(AriHttpError):
            await floor.ari.destroy_bridge(call_bridge(item_id))
        await QueuedCall.filter(call_id=item_id).delete()
