"""Carries out :mod:`ehd.calls.call_control` for the calls connected on the floor: the one door
for the console, the JSON and REST APIs to hold and resume a call, and to consult a colleague
and hand the call over to them (an attended transfer), or consult a number (through the trunk
as the agent may dial it) and leave the caller with whoever answers.

Each connected call (queue call or callback) is registered here when it is bridged and
forgotten when it ends; its state decides what a request may do, and its hold and talk time
go into the call record.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import replace
from typing import Any, assert_never

from ehd.acd import events as ev
from ehd.acd.agent_states import AgentState
from ehd.ari.client import AriHttpError
from ehd.calls import call_control as cc
from ehd.calls import hearing, records
from ehd.calls.dial_policy import DialKind
from ehd.calls.dialling import dial_decision, presented_number
from ehd.db.models import CallRecord, HandlingEnd, QueuedCall, User
from ehd.errors import ConflictError, NotFoundError
from ehd.queueing.callers import HandedOn
from ehd.queueing.floor import CONSULT_LEG, QueueFloor, call_bridge
from ehd.queueing.legs import Leg

log = logging.getLogger(__name__)


def call_message(call: cc.ConnectedCall, now: float, *, ended: bool = False) -> dict[str, Any]:
    """What an agent's console is told about their call."""
    return {
        "type": "call",
        "call_id": call.item_id,
        "state": "ended" if ended else call.state.value,
        "connected_at": call.connected_at,
        "seconds": round(max(0.0, now - call.connected_at)),  # connected so far
        "hold_seconds": round(call.hold_seconds(now), 1),
        "consult": None
        if call.consult is None or ended
        else {"agent": call.consult.party, "state": call.consult.state.value},
    }


class CallControls:
    def __init__(self, floor: QueueFloor) -> None:
        self.floor = floor
        # A consulted number's leg: where it rings and the number it shows, until dialled.
        self._endpoints: dict[str, str] = {}
        self._presented: dict[str, str] = {}

    def connected(
        self, item_id: str, customer_channel: str, agent_id: str, agent_channel: str,
        queue: str, moh_class: str, at: float, held_since: float | None = None,
        held_before: float = 0.0, bridge_id: str = "",
    ) -> cc.ConnectedCall:  # fmt: skip
        """The call is bridged (or, after a restart, found talking or on hold)."""
        call = cc.ConnectedCall(item_id, customer_channel, agent_id, agent_channel,
                                bridge_id or call_bridge(item_id), moh_class, at,
                                held_since=held_since, held_before=held_before,
                                queue=queue)  # fmt: skip
        self.floor.calls[item_id] = call
        self.floor.consoles.publish(agent_id, call_message(call, at))
        return call

    def get(self, item_id: str) -> cc.ConnectedCall:
        call = self.floor.calls.get(item_id)
        if call is None:
            raise NotFoundError("the call is not connected to an agent")
        return call

    def of_agent(self, agent_id: str) -> cc.ConnectedCall | None:
        return next((c for c in self.floor.calls.values() if c.agent_id == agent_id), None)

    async def hold(self, item_id: str) -> cc.ConnectedCall:
        return await self._decide(item_id, cc.HoldRequested(self.floor.clock()))

    async def resume(self, item_id: str) -> cc.ConnectedCall:
        return await self._decide(item_id, cc.ResumeRequested(self.floor.clock()))

    async def consult(self, item_id: str, agent_id: str) -> cc.ConnectedCall:
        """Call a ready colleague while the customer holds."""
        call = self.get(item_id)
        agent = self.floor.driver.engine.agents.get(agent_id)
        if agent_id != call.agent_id:  # consulting oneself is refused by the decision
            if agent is None or agent.state == AgentState.LOGGED_OUT:
                raise ConflictError(f"{agent_id} is not logged in")
            if agent.state != AgentState.READY:
                raise ConflictError(f"{agent_id} is not ready ({agent.state.value})")
        channel = f"ehd-c-{uuid.uuid4().hex[:16]}"
        return await self._decide(
            item_id, cc.ConsultRequested(self.floor.clock(), channel, agent_id)
        )

    async def consult_queue(self, item_id: str, queue: str) -> cc.ConnectedCall:
        """Call whoever of ``queue``'s agents is free (as the queue would choose), while the
        customer holds."""
        engine = self.floor.driver.engine
        call = self.get(item_id)
        if queue not in engine.queues:
            raise NotFoundError("there is no such queue")
        agent_id = engine.free_member(queue, besides=call.agent_id)
        if agent_id is None:
            raise ConflictError(f"nobody in {queue} is free")
        return await self.consult(item_id, agent_id)

    async def consult_number(self, item_id: str, dialled: str) -> cc.ConnectedCall:
        """Call a number while the customer holds, as the agent may dial it; completing
        leaves the customer with whoever answers."""
        call = self.get(item_id)
        if item_id not in self.floor.callers:
            raise ConflictError("the customer is not on the line")
        user = await User.get_or_none(username=call.agent_id)
        if user is None:
            raise ConflictError(f"{call.agent_id} has no user account to dial with")
        decision = await dial_decision(user, dialled)
        if not decision.allowed:
            raise ConflictError(decision.reason)
        channel = f"ehd-c-{uuid.uuid4().hex[:16]}"
        self._presented[channel] = (
            f'"{user.name or user.username}" <{user.sip_extension}>'
            if decision.kind == DialKind.INTERNAL
            else await presented_number(user)
        )
        endpoint = f"PJSIP/{decision.target}"
        self._endpoints[channel] = (
            endpoint if decision.kind == DialKind.INTERNAL else f"{endpoint}@trunk"
        )
        return await self._decide(
            item_id, cc.ConsultRequested(self.floor.clock(), channel, "", decision.target)
        )

    async def consult_answered(self, item_id: str) -> None:
        with contextlib.suppress(NotFoundError):
            await self._decide(item_id, cc.ConsultAnswered(self.floor.clock()))

    async def toggle(self, item_id: str) -> cc.ConnectedCall:
        return await self._decide(item_id, cc.ConsultToggled(self.floor.clock()))

    async def end_consult(self, item_id: str) -> cc.ConnectedCall:
        """Cancelled, or the colleague hung up: back to the customer."""
        return await self._decide(item_id, cc.ConsultEnded(self.floor.clock()))

    async def conference(self, item_id: str) -> cc.ConnectedCall:
        return await self._decide(item_id, cc.ConferenceRequested(self.floor.clock()))

    def in_conference(self, item_id: str) -> bool:
        call = self.floor.calls.get(item_id)
        return (
            call is not None
            and call.consult is not None
            and call.consult.state == cc.ConsultState.CONFERENCE
        )

    async def cancel_consult(self, item_id: str) -> cc.ConnectedCall:
        if self.get(item_id).consult is None:
            raise ConflictError("there is no consultation")
        return await self.end_consult(item_id)

    async def complete(self, item_id: str) -> cc.ConnectedCall:
        return await self._decide(item_id, cc.TransferCompleted(self.floor.clock()))

    async def agent_leaves(self, call: cc.ConnectedCall) -> None:
        """The agent's part of a call outside the queues ended (they sent it on or handed it
        over): free for the queues again. The engine frees agents of queue calls itself."""
        floor = self.floor
        if call.item_id not in floor.driver.engine.items:
            await floor.driver.handle(ev.AgentOffOtherCall(floor.clock(), call.agent_id))

    def finished(self, item_id: str) -> cc.ConnectedCall | None:
        """The call ended: forget it and tell the agent; its last state (for the record)."""
        call = self.floor.calls.pop(item_id, None)
        if call is not None:
            self.floor.consoles.publish(
                call.agent_id, call_message(call, self.floor.clock(), ended=True)
            )
        return call

    async def _decide(self, item_id: str, event: cc.ControlEvent) -> cc.ConnectedCall:
        before = self.get(item_id)
        call, actions = cc.decide(before, event)
        self.floor.calls[item_id] = call  # before Asterisk is told: a second request sees it
        for action in actions:
            await self._carry_out(call, action)
        if (call.held_since, call.held_before) != (before.held_since, before.held_before):
            # A restarted ehd finds the caller on hold, with the hold time so far.
            await QueuedCall.filter(call_id=item_id, agent=call.agent_id).update(
                held_since=call.held_since, held_before=call.held_before
            )
        if call.consult != before.consult:  # and the consultation, to end or complete it
            consult = call.consult or cc.Consult("", "", cc.ConsultState.RINGING)
            await QueuedCall.filter(call_id=item_id).update(
                consult_channel=consult.channel,
                consult_agent=consult.agent_id,
                consult_number=consult.number,
                consult_state=consult.state.value if call.consult else "",
            )
        return call

    async def consult_restored(self, item_id: str, consult: cc.Consult) -> None:
        """After a restart: the agent's consultation was still up. The consulted leg is the
        call's again; a colleague on it is busy, and one toggled away still hears music."""
        floor = self.floor
        call = self.get(item_id)
        answered = consult.state != cc.ConsultState.RINGING
        floor.legs.add(Leg(consult.channel, item_id, consult.agent_id,
                           remote=not consult.agent_id, answered=answered,
                           consult=True))  # fmt: skip
        floor.calls[item_id] = replace(call, consult=consult)
        if answered:
            await floor.audio.connect(consult.channel)
        if consult.state == cc.ConsultState.WITH_CUSTOMER:
            await floor.audio.hear(consult.channel, hearing.PutOnHold(call.moh_class))
        if consult.agent_id:
            await floor.driver.handle(ev.AgentOnOtherCall(floor.clock(), consult.agent_id))
        floor.consoles.publish(call.agent_id, call_message(floor.calls[item_id], floor.clock()))

    async def _carry_out(self, call: cc.ConnectedCall, action: cc.ControlAction) -> None:
        floor = self.floor
        match action:
            case cc.LeaveBridge(bridge_id, channel_id):
                with contextlib.suppress(AriHttpError):  # a customer who just hung up
                    await floor.ari.request(
                        "POST", f"bridges/{bridge_id}/removeChannel", {"channel": channel_id}
                    )
            case cc.JoinBridge(bridge_id, channel_id):
                with contextlib.suppress(AriHttpError):
                    await floor.ari.add_to_bridge(bridge_id, channel_id)
            case cc.Hears(channel_id, event):
                await floor.audio.hear(channel_id, event)
            case cc.Dial(channel_id, agent_id, ""):
                await self._dial(call, channel_id, agent_id)
            case cc.Dial(channel_id, _, number):
                await self._dial_number(call, channel_id, number)
            case cc.HangUp(channel_id):
                floor.legs.pop(channel_id)
                floor.audio.forget(channel_id)
                await floor.hangup(channel_id)
            case cc.ConsultOver(agent_id):
                await floor.driver.handle(ev.AgentOffOtherCall(floor.clock(), agent_id))
            case cc.HandOver(before, after):
                await self._hand_over(before, after)
            case cc.HandOn(before, channel_id, number):
                await self._hand_on(before, channel_id, number)
            case cc.TellAgent(told):
                floor.consoles.publish(told.agent_id, call_message(told, floor.clock()))
            case cc.Refuse(reason):
                raise ConflictError(reason)
            case _:
                assert_never(action)

    async def _dial(self, call: cc.ConnectedCall, channel_id: str, agent_id: str) -> None:
        floor = self.floor
        device = floor.devices.get(agent_id)
        await floor.driver.handle(ev.AgentOnOtherCall(floor.clock(), agent_id))
        if device is not None:
            floor.legs.add(Leg(channel_id, call.item_id, agent_id, device.remote, consult=True))
            try:
                await floor.ari.originate(device.device, channel_id=channel_id,
                                          app=floor.app_name,
                                          app_args=f"{CONSULT_LEG},{call.item_id}",
                                          caller_id=f'"{call.agent_id}" <{call.agent_id}>',
                                          timeout=30, beside=call.agent_channel)  # fmt: skip
                return
            except AriHttpError as err:
                log.warning("call %s: consultation of %s failed: %s", call.item_id, agent_id, err)
        floor.driver.spawn(self._end_consult_quietly(call.item_id))

    async def _dial_number(self, call: cc.ConnectedCall, channel_id: str, number: str) -> None:
        floor = self.floor
        endpoint = self._endpoints.pop(channel_id, f"PJSIP/{number}@trunk")
        presented = self._presented.pop(channel_id, "")
        floor.legs.add(Leg(channel_id, call.item_id, "", remote=True, consult=True))
        try:
            await floor.ari.originate(endpoint, channel_id=channel_id, app=floor.app_name,
                                      app_args=f"{CONSULT_LEG},{call.item_id}",
                                      caller_id=presented or None, timeout=30,
                                      beside=call.agent_channel)  # fmt: skip
        except AriHttpError as err:
            log.warning("call %s: consultation of %s failed: %s", call.item_id, number, err)
            floor.driver.spawn(self._end_consult_quietly(call.item_id))

    async def _end_consult_quietly(self, item_id: str) -> None:
        with contextlib.suppress(NotFoundError, ConflictError):
            await self.end_consult(item_id)

    async def _hand_on(self, before: cc.ConnectedCall, channel_id: str, number: str) -> None:
        """The agent leaves the caller with the consulted number's party: the caller's own
        call task keeps the bridge and that leg, out of the queues."""
        floor = self.floor
        now = floor.clock()
        floor.legs.pop(channel_id)  # the caller's call task owns it from here
        floor.legs.pop(before.agent_channel)  # before hanging up: not the end of the call
        floor.audio.forget(channel_id)
        self.finished(before.item_id)
        await floor.hangup(before.agent_channel)
        label = f"{'extension' if number.isdigit() else 'number'}:{number}"
        await records.agent_part_over(before, before.queue, now, HandlingEnd.TRANSFER, label)
        await self.agent_leaves(before)  # before the engine forgets a queue call
        await floor.driver.handle(
            ev.ItemSentOn(now, before.item_id, number, "BRIDGE", attended=True)
        )
        caller = floor.callers.get(before.item_id)
        if caller is not None:
            caller.notify(HandedOn("EhdHandedOn", floor.app_name, {}, channel_id,
                                   bridge_id=before.bridge_id))  # fmt: skip

    async def _hand_over(self, before: cc.ConnectedCall, after: cc.ConnectedCall) -> None:
        """The colleague's leg becomes the call's agent leg; the first agent's goes."""
        floor = self.floor
        now = after.connected_at
        taker = floor.legs.get(after.agent_channel)
        if taker is not None:
            taker.consult, taker.answered, taker.connected = False, True, True
        floor.legs.pop(before.agent_channel)  # before hanging up: not the end of the call
        floor.consoles.publish(before.agent_id, call_message(before, now, ended=True))
        await floor.hangup(before.agent_channel)
        await records.agent_part_over(before, before.queue, now, HandlingEnd.TRANSFER,
                                      f"agent:{after.agent_id}")  # fmt: skip
        await QueuedCall.filter(call_id=after.item_id).update(
            agent=after.agent_id, agent_channel=after.agent_channel
        )
        await CallRecord.filter(call_id=after.item_id).update(agent=after.agent_id)
        await floor.driver.handle(
            ev.ItemHandedOver(now, after.item_id, after.agent_id, after.bridge_id)
        )
        await self.agent_leaves(before)
