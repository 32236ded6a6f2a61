"""Carries out :mod:`ehd.calls.call_control` for the calls connected on the floor: the one door
for the console, the JSON and REST APIs to hold and resume a call.

Each connected call (queue call or callback) is registered here when it is bridged and
forgotten when it ends; its state decides what a request may do, and its hold and talk time
go into the call record.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, assert_never

from ehd.ari.client import AriHttpError
from ehd.calls import call_control as cc
from ehd.errors import ConflictError, NotFoundError
from ehd.queueing.floor import QueueFloor, call_bridge

log = logging.getLogger(__name__)


def call_message(call: cc.ConnectedCall, now: float, *, ended: bool = False) -> dict[str, Any]:
    """What an agent's console is told about their call."""
    return {
        "type": "call",
        "call_id": call.item_id,
        "state": "ended" if ended else call.state.value,
        "connected_at": call.connected_at,
        "hold_seconds": round(call.hold_seconds(now), 1),
    }


class CallControls:
    def __init__(self, floor: QueueFloor) -> None:
        self.floor = floor

    def connected(
        self, item_id: str, customer_channel: str, agent_id: str, agent_channel: str,
        queue: str, moh_class: str, at: float,
    ) -> cc.ConnectedCall:  # fmt: skip
        call = cc.ConnectedCall(item_id, customer_channel, agent_id, agent_channel,
                                call_bridge(item_id), moh_class, at, queue=queue)  # fmt: skip
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

    def finished(self, item_id: str) -> cc.ConnectedCall | None:
        """The call ended: forget it and tell the agent; its last state (for the record)."""
        call = self.floor.calls.pop(item_id, None)
        if call is not None:
            self.floor.consoles.publish(
                call.agent_id, call_message(call, self.floor.clock(), ended=True)
            )
        return call

    async def _decide(self, item_id: str, event: cc.ControlEvent) -> cc.ConnectedCall:
        call, actions = cc.decide(self.get(item_id), event)
        self.floor.calls[item_id] = call  # before Asterisk is told: a second request sees it
        for action in actions:
            await self._carry_out(action)
        return call

    async def _carry_out(self, action: cc.ControlAction) -> None:
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
            case cc.CustomerHears(channel_id, event):
                await floor.audio.hear(channel_id, event)
            case cc.TellAgent(call):
                floor.consoles.publish(call.agent_id, call_message(call, floor.clock()))
            case cc.Refuse(reason):
                raise ConflictError(reason)
            case _:
                assert_never(action)
