"""Blind transfers of the calls connected on the floor: the agent hands the customer to a queue
or to another agent and is free at once; the customer waits with the new queue's music, in
its holding bridge, as any caller does, until the ACD connects them again. Or the agent sends
the customer out of the queues: to one of our numbers (its menu, the phone it rings), a
colleague's phone or mailbox, or an outside number through the trunk; the caller's own call
task carries that out (:class:`ehd.queueing.callers.SentOn`). The console asks for it, or the
agent's phone does (:mod:`ehd.queueing.phone_transfers`).

:mod:`ehd.calls.transfer_plan` decides where the customer goes; the ACD engine
(``ItemTransferred``, ``ItemSentOn``) frees the agent, writes app_queue's BLINDTRANSFER row
and offers the call again if it stays in a queue. Here the agent's side ends first, so their
leg hanging up is not taken for the end of the call.
"""

from __future__ import annotations

import contextlib
import logging
from typing import assert_never

from ehd.acd import events as ev
from ehd.acd.agent_states import AgentState
from ehd.ari.client import AriHttpError
from ehd.calls import call_control as cc
from ehd.calls import hearing, records
from ehd.calls import transfer_plan as tp
from ehd.calls.dial_policy import DialKind
from ehd.calls.dialling import dial_decision
from ehd.calls.routing import decide_route, holding_bridge_id
from ehd.db.models import HandlingEnd, Queue, QueuedCall, User
from ehd.errors import ConflictError
from ehd.queueing.call_controls import CallControls
from ehd.queueing.callers import SentOn
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

    async def plan(self, item_id: str, target: tp.TransferTarget) -> tp.BlindTransfer | tp.SendOn:
        """Where the customer would go; ConflictError (with the reason) when they cannot."""
        floor = self.floor
        call = self.controls.get(item_id)
        caller = floor.callers.get(item_id)
        if caller is None:  # a callback whose customer has not answered
            raise ConflictError("the customer is not on the line")
        queues = set(floor.queues) & set(floor.driver.engine.queues)
        target = await self._agent_behind(target)
        plan: tp.BlindTransfer | tp.SendOn | cc.Refuse
        match target.kind:
            case tp.TransferKind.QUEUE | tp.TransferKind.AGENT:
                logged_in = self.logged_in()
                plan = tp.plan_blind_transfer(call, caller.queue, target, logged_in, queues)
            case tp.TransferKind.NUMBER:
                plan = await self._plan_number(call, target.name)
            case tp.TransferKind.MAILBOX:
                owner = await User.exists(username=target.name, active=True)
                plan = tp.plan_mailbox_transfer(call, target.name, owner)
            case _:
                assert_never(target.kind)
        if isinstance(plan, cc.Refuse):
            raise ConflictError(plan.reason)
        if isinstance(plan, tp.BlindTransfer) and plan.queue not in queues:
            raise ConflictError("that number's queue is not running")
        if isinstance(plan, tp.BlindTransfer) and not caller.rejoins:
            # A call outside the queues (or a callback's customer) joins one as a new caller.
            runtime = floor.queues[plan.queue]
            return tp.into_queue(plan, runtime.queue_id, runtime.moh_class, caller.language)
        return plan

    async def _agent_behind(self, target: tp.TransferTarget) -> tp.TransferTarget:
        """A number that is a logged-in agent's extension or a queue's own number means that
        agent or that queue (the phone's transfer key can only dial numbers)."""
        if target.kind != tp.TransferKind.NUMBER or not tp.looks_dialable(target.name):
            return target
        user = await User.get_or_none(sip_extension=target.name, active=True)
        if user is not None and user.username in self.logged_in():
            return tp.TransferTarget(tp.TransferKind.AGENT, user.username)
        queue = await Queue.get_or_none(number=target.name)
        if queue is not None:
            return tp.TransferTarget(tp.TransferKind.QUEUE, queue.name)
        return target

    async def _plan_number(
        self, call: cc.ConnectedCall, dialled: str
    ) -> tp.BlindTransfer | tp.SendOn | cc.Refuse:
        if not tp.looks_dialable(dialled):
            return cc.Refuse("that is not a number")
        entry = await records.did_entry(dialled)
        agent = await User.get_or_none(username=call.agent_id)
        if agent is None:  # the rights to dial are a user's
            raise ConflictError(f"{call.agent_id} has no user account to dial with")
        decision = await dial_decision(agent, dialled)
        colleague = ""
        if decision.kind == DialKind.INTERNAL:
            owner = await User.get_or_none(sip_extension=decision.target, active=True)
            colleague = owner.username if owner is not None else ""
        route = decide_route(entry) if entry is not None else None
        return tp.plan_number_transfer(call, dialled, route, decision, colleague)

    async def blind(self, item_id: str, target: tp.TransferTarget) -> tp.BlindTransfer | tp.SendOn:
        plan = await self.plan(item_id, target)
        if isinstance(plan, tp.SendOn):
            await self._send_on(item_id, plan)
        else:
            await self._requeue(item_id, plan)
        return plan

    async def _requeue(self, item_id: str, plan: tp.BlindTransfer) -> None:
        floor = self.floor
        call = self.controls.get(item_id)
        caller = floor.callers[item_id]
        runtime = floor.queues[plan.queue]
        now = floor.clock()
        legs = await self.agent_side_ends(call, runtime.moh_class)
        await self._wait_in(holding_bridge_id(runtime.queue_id), call.customer_channel)
        await self.agent_legs_go(call, legs)
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

    async def _send_on(self, item_id: str, plan: tp.SendOn) -> None:
        """Out of the queues: the agent is free, and the caller's call task follows the route
        (hearing music from leaving the bridge until it takes over)."""
        floor = self.floor
        call = self.controls.get(item_id)
        caller = floor.callers[item_id]
        now = floor.clock()
        legs = await self.agent_side_ends(call, caller.moh_class)
        await self.agent_legs_go(call, legs)
        await records.agent_part_over(call, call.queue, now, HandlingEnd.TRANSFER, plan.label)
        log.info("call %s: %s sent it on to %s", item_id, call.agent_id, plan.label)
        await floor.driver.handle(ev.ItemSentOn(now, item_id, plan.extension, plan.context))
        caller.notify(SentOn("EhdSentOn", floor.app_name, {}, plan.route))

    async def agent_side_ends(self, call: cc.ConnectedCall, moh_class: str) -> list[str]:
        """The customer leaves the agent's bridge for music; the agent's legs (returned) are
        no longer the call's, so their hanging up does not end it."""
        legs = [leg.channel_id for leg in self.floor.legs.of_call(call.item_id)]
        for channel_id in legs:
            self.floor.legs.pop(channel_id)
        self.controls.finished(call.item_id)
        await self.controls.agent_leaves(call)
        with contextlib.suppress(AriHttpError):  # on hold: out of the bridge already
            await self.floor.ari.request(
                "POST",
                f"bridges/{call.bridge_id}/removeChannel",
                {"channel": call.customer_channel},
            )
        await self.floor.audio.hear(call.customer_channel, hearing.BackToQueue(moh_class))
        return legs

    async def agent_legs_go(self, call: cc.ConnectedCall, legs: list[str]) -> None:
        """Only once the customer is safely elsewhere: never alone in silence."""
        for channel_id in legs:
            await self.floor.hangup(channel_id)
        with contextlib.suppress(AriHttpError):
            await self.floor.ari.destroy_bridge(call.bridge_id)

    async def _wait_in(self, bridge_id: str, channel_id: str) -> None:
        """Into the queue's holding bridge (made if no caller has needed it yet)."""
        ari = self.floor.ari
        if bridge_id not in {bridge.id for bridge in await ari.list_bridges()}:
            await ari.create_bridge(bridge_id, "holding")
        await ari.add_to_bridge(bridge_id, channel_id, role="participant")
