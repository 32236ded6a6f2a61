"""Calls that connect a customer with an agent outside the queues, put on the floor so the agent
controls them as they do queue calls: a call to the agent's own number or extension, a call
the agent's phone placed, a click-to-dial call. The console shows them; the agent holds,
consults, conferences and transfers them (:class:`ehd.queueing.call_controls.CallControls`,
:class:`ehd.queueing.transfers.Transfers`), and their phone's transfer key works on them.

Such a call is no item of the ACD engine: the agent is on an "other call" for the queues while
it lasts (or until they hand it on), and the customer's own call task (``notify``) follows
where the agent sends them. Its hold and talk time are the agent's part of the call record.
"""

from __future__ import annotations

from collections.abc import Callable

from ehd.acd import events as ev
from ehd.ari.events import Event
from ehd.calls import records
from ehd.db.models import HandlingEnd
from ehd.queueing.call_controls import CallControls
from ehd.queueing.callers import Caller, crm_match_of
from ehd.queueing.floor import QueueFloor
from ehd.queueing.legs import Leg
from ehd.queueing.offer_pop import direct_call_message

DIRECT_MOH = "default"  # what a held customer hears: no queue chose the music


class DirectCalls:
    def __init__(self, floor: QueueFloor, controls: CallControls) -> None:
        self.floor = floor
        self.controls = controls

    def owns(self, call_id: str) -> bool:
        """A connected call outside the queues."""
        return call_id in self.floor.calls and call_id not in self.floor.driver.engine.items

    async def connected(
        self, call_id: str, customer_channel: str, agent_id: str, agent_channel: str,
        bridge_id: str, notify: Callable[[Event], None], language: str = "en",
    ) -> None:  # fmt: skip
        """The customer and the agent talk in ``bridge_id``: the call is the agent's to
        control, and the agent busy for the queues."""
        floor = self.floor
        number, did, _ = await records.call_facts(call_id)
        caller = Caller(customer_channel, "", language, DIRECT_MOH, notify, number, did,
                        rejoins=False)  # fmt: skip
        caller.crm = await crm_match_of(call_id)
        floor.callers[call_id] = caller
        floor.consoles.publish(agent_id, direct_call_message(call_id, caller))
        leg = Leg(agent_channel, call_id, agent_id, remote=False, answered=True, connected=True)
        floor.legs.add(leg)
        await floor.transfers_to_ehd(agent_channel)
        await floor.audio.connect(customer_channel)  # what it hears now is the agent
        self.controls.connected(call_id, customer_channel, agent_id, agent_channel, "",
                                DIRECT_MOH, floor.clock(), bridge_id=bridge_id)  # fmt: skip
        await floor.driver.handle(ev.AgentOnOtherCall(floor.clock(), agent_id))

    async def over(self, call_id: str) -> None:
        """The customer's side ended (hung up, or sent on): the agent's part ends with it
        and every leg of the agent's side goes."""
        floor = self.floor
        floor.callers.pop(call_id, None)
        call = self.controls.finished(call_id)
        for leg in floor.legs.of_call(call_id):
            floor.legs.pop(leg.channel_id)
            floor.audio.forget(leg.channel_id)
            await floor.hangup(leg.channel_id)
            if leg.consult:
                await floor.driver.handle(ev.AgentOffOtherCall(floor.clock(), leg.agent_id))
        if call is None:
            return
        floor.audio.forget(call.customer_channel)
        await records.agent_part_over(call, "", floor.clock(), HandlingEnd.HANGUP)
        await floor.driver.handle(ev.AgentOffOtherCall(floor.clock(), call.agent_id))
