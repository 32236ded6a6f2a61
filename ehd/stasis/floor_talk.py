"""A customer talking with an agent outside the queues, as the customer's call task lives it: a
call to the agent's own number, or one the agent placed (click-to-dial included). The call is
put on the floor (:class:`ehd.queueing.direct_calls.DirectCalls`), so the agent holds,
consults and transfers it from the console or the phone as any queue call; the task waits
until the call ends or the agent sends the customer on.

When the agent placed the call, the customer's channel is a leg of the agent's call: it gets a
call task of its own here (:class:`CustomerSide`), which keeps it whatever becomes of the
agent's side, and a call record of its own once the agent sends it on.
"""

from __future__ import annotations

from dataclasses import dataclass

from ehd.ari.events import Event
from ehd.calls.session import CallSession
from ehd.queueing.callers import HandedOn, Lent, SentOn
from ehd.queueing.service import QueueService

DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class CustomerSide:
    """The customer's leg of a call an agent placed, answered and bridged with the agent."""

    call_id: str  # the agent's call: its channel and its call record
    channel_id: str  # the customer's leg
    agent_id: str
    agent_channel: str
    bridge_id: str
    language: str


@dataclass(frozen=True)
class SentCustomer:
    """A callback's customer the agent sent on: their channel, now with a call task of its
    own, follows where (the notice delivered to it)."""

    call_id: str  # the callback: its call record
    channel_id: str
    language: str


def _moves_on(event: Event) -> bool:
    return isinstance(event, (SentOn, HandedOn, Lent))


async def talk_on_floor(
    queues: QueueService, session: CallSession, call_id: str, agent_id: str,
    agent_channel: str, bridge_id: str, language: str,
) -> SentOn | HandedOn | None:  # fmt: skip
    """Until the call ends (CallEnded when the customer hangs up, None when the customer's
    channel was lent to another call) or the agent sends the customer on: where to."""
    await queues.direct.connected(call_id, session.channel_id, agent_id, agent_channel,
                                  bridge_id, session.deliver, language)  # fmt: skip
    try:
        notice = await session.wait_for(_moves_on, DAY_SECONDS)
        if isinstance(notice, (SentOn, HandedOn)):  # the music since the agent left stops
            await queues.audio.prompt(session.channel_id)
    finally:
        await queues.direct.over(call_id)
    return notice if isinstance(notice, (SentOn, HandedOn)) else None
