"""The agents' side of queue calls: each agent's device, and every leg ehd dialled to one.

A leg is the channel ehd originates to an agent for one offered call. It is answered (the
agent picked up, or pressed 1 on a remote phone) and then connected (bridged with the caller).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class AgentDevice:
    device: str  # what is dialled: PJSIP/1001, or a number through the trunk
    remote: bool  # a phone outside ehd (mobile, landline): calls are accepted by key
    screen_pop: str = ""  # the agent's own template


@dataclass
class Leg:
    channel_id: str
    item_id: str  # the call (or callback) offered
    agent_id: str
    remote: bool
    answered: bool = False
    connected: bool = False
    consult: bool = False  # a colleague called while the customer holds, not an offer
    dtmf: asyncio.Queue[str] = field(default_factory=asyncio.Queue)


class Legs:
    """Every live leg, by its channel."""

    def __init__(self) -> None:
        self._by_channel: dict[str, Leg] = {}

    def add(self, leg: Leg) -> None:
        self._by_channel[leg.channel_id] = leg

    def get(self, channel_id: str) -> Leg | None:
        return self._by_channel.get(channel_id)

    def pop(self, channel_id: str) -> Leg | None:
        return self._by_channel.pop(channel_id, None)

    def __contains__(self, channel_id: object) -> bool:
        return channel_id in self._by_channel

    def __iter__(self) -> Iterator[Leg]:
        return iter(list(self._by_channel.values()))

    def offered(self, item_id: str, agent_id: str) -> Leg | None:
        """The leg that offers ``item_id`` to ``agent_id``."""
        return next((leg for leg in self if leg.item_id == item_id and leg.agent_id == agent_id),
                    None)  # fmt: skip

    def of_call(self, item_id: str) -> list[Leg]:
        return [leg for leg in self if leg.item_id == item_id]

    def talking(self, agent_id: str, call_id: str) -> bool:
        """Whether ``agent_id`` is connected to ``call_id``."""
        leg = self.offered(call_id, agent_id)
        return leg is not None and leg.connected
