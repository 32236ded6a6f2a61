"""Blind transfers of the calls connected on the floor: the agent hands the customer to a queue
or to another agent and is free at once; the customer waits with the new queue's music, in
its holding bridge, as any caller does, until the ACD connects them again.

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
from ehd.calls.routing import holding_bridge_id
from ehd.db.models import HandlingEnd, QueuedCall
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

    async def blind(self, item_id: str, target: cc.TransferTarget) -> cc.BlindTransfer:
        floor = self.floor
        call = self.controls.get(item_id)
        caller = floor.callers.get(item_id)
        if caller is None:  # a callback: its customer has no call task to wait in a queue
            raise ConflictError("a callback cannot be transferred")
        queues = set(floor.queues) & set(floor.driver.engine.queues)
        plan = cc.plan_blind_transfer(call, caller.queue, target, self.logged_in(), queues)
        if isinstance(plan, cc.Refuse):
            raise ConflictError(plan.reason)
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
