"""Blind transfers of the calls connected on the floor: the agent hands the customer to a queue
or to another agent and is free at once; the customer waits with the new queue's music, in
its holding bridge, as any caller does, until the ACD connects them again. The console asks
for it, or the agent's phone does (its transfer key sends a SIP REFER, which Asterisk hands
to ehd as a ChannelTransfer event): a colleague's extension or a queue's number.

:func:`ehd.calls.call_control.plan_blind_transfer` decides where the customer goes; the ACD
engine (``ItemTransferred``) frees the agent, writes app_queue's BLINDTRANSFER row and offers
the call again. Here the agent's side ends first, so their leg hanging up is not taken for the
end of the call.
"""

from __future__ import annotations

import contextlib
import logging

from ehd.acd import events as ev
from ehd.acd.agent_states import AgentState
from ehd.ari.client import AriHttpError
from ehd.calls import call_control as cc
from ehd.calls import hearing, records
from ehd.calls import transfer_plan as tp
from ehd.calls.routing import holding_bridge_id
from ehd.db.models import Did, HandlingEnd, Queue, QueuedCall, RouteType, User
from ehd.errors import ConflictError
from ehd.queueing.call_controls import CallControls
from ehd.queueing.floor import QueueFloor

log = logging.getLogger(__name__)


class Transfers:
    def __init__(self, floor: QueueFloor, controls: CallControls) -> None:
        self.floor = floor
        self.controls = controls

    def logged_in(self) -> dict[str, dict[str, int]]:
        """Each logged-in agent and the queues they staff (with their penalty)."""
        return {
            agent.id: dict(agent.memberships)
            for agent in self.floor.driver.engine.agents.values()
            if agent.state != AgentState.LOGGED_OUT
        }

    def plan(self, item_id: str, target: tp.TransferTarget) -> tp.BlindTransfer:
        """Where the customer would go; ConflictError (with the reason) when they cannot."""
        floor = self.floor
        call = self.controls.get(item_id)
        caller = floor.callers.get(item_id)
        if caller is None:  # a callback: its customer has no call task to wait in a queue
            raise ConflictError("a callback cannot be transferred")
        queues = set(floor.queues) & set(floor.driver.engine.queues)
        plan = tp.plan_blind_transfer(call, caller.queue, target, self.logged_in(), queues)
        if isinstance(plan, cc.Refuse):
            raise ConflictError(plan.reason)
        return plan

    async def refer(self, channel_id: str, destination: str) -> None:
        """The agent's phone asked for a blind transfer of its call to ``destination`` (the
        user part it dialled). The phone is told how it went (a SIP NOTIFY)."""
        leg = self.floor.legs.get(channel_id)
        target = await target_of(destination)
        if leg is None or not leg.connected or target is None:
            log.info("REFER on %s to %r: no call or no such target", channel_id, destination)
            await self._tell_phone(channel_id, "channel_declined")
            return
        try:
            self.plan(leg.item_id, target)
        except ConflictError as refused:
            log.info("REFER on %s to %r refused: %s", channel_id, destination, refused)
            await self._tell_phone(channel_id, "channel_declined")
            return
        await self._tell_phone(channel_id, "channel_answered")  # before its leg is hung up
        await self.blind(leg.item_id, target)

    async def _tell_phone(self, channel_id: str, state: str) -> None:
        with contextlib.suppress(AriHttpError):
            await self.floor.ari.request(
                "POST", f"channels/{channel_id}/transfer_progress", {"states": state}
            )

    async def blind(self, item_id: str, target: tp.TransferTarget) -> tp.BlindTransfer:
        floor = self.floor
        call = self.controls.get(item_id)
        plan = self.plan(item_id, target)
        caller = floor.callers[item_id]
        runtime = floor.queues[plan.queue]
        now = floor.clock()
        legs = floor.legs.of_call(item_id)
        for leg in legs:
            floor.legs.pop(leg.channel_id)
        self.controls.finished(item_id)
        with contextlib.suppress(AriHttpError):  # on hold: out of the bridge already
            await floor.ari.request(
                "POST",
                f"bridges/{call.bridge_id}/removeChannel",
                {"channel": call.customer_channel},
            )
        await floor.audio.hear(call.customer_channel, hearing.BackToQueue(runtime.moh_class))
        await self._wait_in(holding_bridge_id(runtime.queue_id), call.customer_channel)
        for leg in legs:
            await floor.hangup(leg.channel_id)
        with contextlib.suppress(AriHttpError):
            await floor.ari.destroy_bridge(call.bridge_id)
        caller.queue, caller.moh_class = plan.queue, runtime.moh_class
        changes: dict[str, object] = {"queue_name": plan.queue, "agent": "", "agent_channel": "",
                                      "connected_at": None}  # fmt: skip
        if not plan.keep_place:
            changes["entered_at"] = now
        await QueuedCall.filter(call_id=item_id).update(**changes)
        to = f"agent:{plan.agent_id}" if plan.agent_id else f"queue:{plan.queue}"
        await records.agent_part_over(call, call.queue, now, HandlingEnd.TRANSFER, to)
        log.info("call %s: %s transferred it to %s", item_id, call.agent_id, to)
        await floor.driver.handle(
            ev.ItemTransferred(now, item_id, plan.queue, plan.agent_id, plan.keep_place)
        )
        return plan

    async def _wait_in(self, bridge_id: str, channel_id: str) -> None:
        """Into the queue's holding bridge (made if no caller has needed it yet)."""
        ari = self.floor.ari
        if bridge_id not in {bridge.id for bridge in await ari.list_bridges()}:
            await ari.create_bridge(bridge_id, "holding")
        await ari.add_to_bridge(bridge_id, channel_id, role="participant")


async def target_of(destination: str) -> tp.TransferTarget | None:
    """What a phone's transfer dialled: a colleague's extension, a queue's own number, or one
    of our numbers that leads to a queue."""
    user = await User.get_or_none(sip_extension=destination, active=True)
    if user is not None:
        return tp.TransferTarget(tp.TransferKind.AGENT, user.username)
    queue = await Queue.get_or_none(number=destination)
    if queue is None:
        did = await Did.get_or_none(number=destination, route_type=RouteType.QUEUE)
        queue = await Queue.get_or_none(id=did.queue_id) if did and did.queue_id else None
    return tp.TransferTarget(tp.TransferKind.QUEUE, queue.name) if queue is not None else None
