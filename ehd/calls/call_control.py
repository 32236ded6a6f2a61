"""Call control on a connected call: what the agent (or a supervisor) asks, and what must then
happen in Asterisk and in the call's record.

A connected call is a customer and an agent in one mixing bridge. Holding takes the customer
out of the bridge (the agent no longer hears them) and gives them the queue's music; resuming
stops the music before they rejoin, since music started on a bridged channel drowns the bridge
for that channel. Hold time is counted apart from talk time.

A consultation calls a colleague while the customer holds; the agent can switch between the
two (the other one holds), cancel (back to the customer), join all three (a conference, which
the colleague may leave) or complete: customer and colleague are bridged and the agent leaves,
an attended transfer (also how the agent leaves a conference). The consulted party may also
be a number (an outside number, a colleague's extension): completing then leaves the caller
with that party, out of the queues.

Where a blind transfer goes is :mod:`ehd.calls.transfer_plan`.

Pure: events in, actions out; :class:`ehd.queueing.call_controls.CallControls` carries them
out and keeps each call's state.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import assert_never

from ehd.calls import hearing


class CallState(enum.StrEnum):
    TALKING = "talking"
    HELD = "held"


class ConsultState(enum.StrEnum):
    RINGING = "ringing"
    WITH_TARGET = "with_target"  # the agent talks to the consulted agent; the customer holds
    WITH_CUSTOMER = "with_customer"  # toggled back: the consulted agent holds
    CONFERENCE = "conference"  # all three in the bridge


@dataclass(frozen=True)
class Consult:
    """The agent's call to a colleague while the customer holds (before an attended transfer),
    or (``number``, no ``agent_id``) to a number."""

    channel: str
    agent_id: str
    state: ConsultState = ConsultState.RINGING
    number: str = ""

    @property
    def party(self) -> str:
        """Who is consulted, as the console shows it."""
        return self.agent_id or self.number


@dataclass(frozen=True)
class ConnectedCall:
    item_id: str  # the call as the queue knows it (the caller's channel, or a callback)
    customer_channel: str
    agent_id: str
    agent_channel: str
    bridge_id: str
    moh_class: str
    connected_at: float
    held_since: float | None = None
    held_before: float = 0.0  # seconds of holds that have ended
    queue: str = ""  # the queue it came through
    consult: Consult | None = None
    recording: str = ""  # the file this agent's part is recorded to, once recording

    @property
    def state(self) -> CallState:
        return CallState.TALKING if self.held_since is None else CallState.HELD

    def hold_seconds(self, now: float) -> float:
        """All hold time so far, a hold in progress included."""
        running = max(0.0, now - self.held_since) if self.held_since is not None else 0.0
        return self.held_before + running

    def talk_seconds(self, now: float) -> float:
        """Connected time that was not on hold."""
        return max(0.0, now - self.connected_at - self.hold_seconds(now))


# --- events ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class HoldRequested:
    at: float


@dataclass(frozen=True)
class ResumeRequested:
    at: float


@dataclass(frozen=True)
class ConsultRequested:
    at: float
    channel: str  # the new leg to the colleague (or the number)
    agent_id: str  # "" when a number is consulted
    number: str = ""  # E.164, or a colleague's extension


@dataclass(frozen=True)
class ConsultAnswered:
    at: float


@dataclass(frozen=True)
class ConsultToggled:
    """The agent switches between the customer and the colleague; the other one holds."""

    at: float


@dataclass(frozen=True)
class ConferenceRequested:
    """Customer, agent and colleague all hear each other."""

    at: float


@dataclass(frozen=True)
class ConsultEnded:
    """Cancelled by the agent, or the colleague hung up or never answered: back to the
    customer."""

    at: float


@dataclass(frozen=True)
class TransferCompleted:
    """The agent leaves the customer with the colleague (an attended transfer)."""

    at: float


ControlEvent = (
    HoldRequested
    | ResumeRequested
    | ConsultRequested
    | ConsultAnswered
    | ConsultToggled
    | ConferenceRequested
    | ConsultEnded
    | TransferCompleted
)


# --- actions --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeaveBridge:
    bridge_id: str
    channel_id: str


@dataclass(frozen=True)
class JoinBridge:
    bridge_id: str
    channel_id: str


@dataclass(frozen=True)
class Hears:
    """Handed to the one owner of what a caller hears."""

    channel_id: str
    event: hearing.PutOnHold | hearing.TakeOffHold | hearing.Connect


@dataclass(frozen=True)
class Dial:
    """Ring the colleague's device on a new leg (they are busy for the queue meanwhile), or
    the number."""

    channel_id: str
    agent_id: str
    number: str = ""


@dataclass(frozen=True)
class HangUp:
    channel_id: str


@dataclass(frozen=True)
class ConsultOver:
    """The colleague's consultation ended without the call: the queue may offer them calls."""

    agent_id: str


@dataclass(frozen=True)
class HandOver:
    """The call passes from ``before``'s agent (whose part ends) to ``after``'s."""

    before: ConnectedCall
    after: ConnectedCall


@dataclass(frozen=True)
class HandOn:
    """The agent's part ends and the caller stays in the bridge with the consulted number's
    ``channel``, out of the queues."""

    before: ConnectedCall
    channel: str
    number: str


@dataclass(frozen=True)
class TellAgent:
    """The agent's console shows the call's new state."""

    call: ConnectedCall


@dataclass(frozen=True)
class Refuse:
    reason: str


ControlAction = (
    LeaveBridge
    | JoinBridge
    | Hears
    | Dial
    | HangUp
    | ConsultOver
    | HandOver
    | HandOn
    | TellAgent
    | Refuse
)
Decision = tuple[ConnectedCall, list[ControlAction]]

CONSULTING = "a consultation is under way: switch, cancel or complete it"


def _hold(call: ConnectedCall, at: float) -> Decision:
    """The customer leaves the bridge, then hears music."""
    held = replace(call, held_since=at)
    return held, [
        LeaveBridge(call.bridge_id, call.customer_channel),
        Hears(call.customer_channel, hearing.PutOnHold(call.moh_class)),
    ]


def _resume(call: ConnectedCall, at: float) -> Decision:
    """The customer's music stops, then they rejoin the bridge."""
    resumed = replace(call, held_since=None, held_before=call.hold_seconds(at))
    return resumed, [
        Hears(call.customer_channel, hearing.TakeOffHold()),
        JoinBridge(call.bridge_id, call.customer_channel),
    ]


def decide(call: ConnectedCall, event: ControlEvent) -> Decision:
    """The call's next state and what to do; a refusal leaves the call as it was."""
    consult = call.consult
    match event:
        case HoldRequested(at):
            if consult is not None:
                return call, [Refuse(CONSULTING)]
            if call.held_since is not None:
                return call, [Refuse("the call is on hold already")]
            held, actions = _hold(call, at)
            return held, [*actions, TellAgent(held)]
        case ResumeRequested(at):
            if consult is not None:
                return call, [Refuse(CONSULTING)]
            if call.held_since is None:
                return call, [Refuse("the call is not on hold")]
            resumed, actions = _resume(call, at)
            return resumed, [*actions, TellAgent(resumed)]
        case ConsultRequested(at, channel, agent_id, number):
            if consult is not None:
                return call, [Refuse("a consultation is under way already")]
            if agent_id == call.agent_id or not (agent_id or number):
                return call, [Refuse("you cannot consult yourself")]
            held, actions = (call, []) if call.held_since is not None else _hold(call, at)
            consulting = replace(held, consult=Consult(channel, agent_id, number=number))
            dial = Dial(channel, agent_id, number)
            return consulting, [*actions, dial, TellAgent(consulting)]
        case ConsultAnswered():
            if consult is None or consult.state != ConsultState.RINGING:
                return call, []
            talking = replace(call, consult=replace(consult, state=ConsultState.WITH_TARGET))
            return talking, [
                Hears(consult.channel, hearing.Connect()),
                JoinBridge(call.bridge_id, consult.channel),
                TellAgent(talking),
            ]
        case ConsultToggled(at):
            if consult is None:
                return call, [Refuse("there is no consultation")]
            if consult.state == ConsultState.RINGING:
                return call, [Refuse("the colleague has not answered yet")]
            if consult.state == ConsultState.CONFERENCE:
                return call, [Refuse("all three are talking: nobody holds")]
            return _toggle(call, consult, at)
        case ConferenceRequested(at):
            if consult is None:
                return call, [Refuse("there is no consultation")]
            if consult.state == ConsultState.RINGING:
                return call, [Refuse("the colleague has not answered yet")]
            if consult.state == ConsultState.CONFERENCE:
                return call, [Refuse("all three are talking already")]
            return _conference(call, consult, at)
        case ConsultEnded(at):
            if consult is None:
                return call, []
            ended, actions = replace(call, consult=None), []
            if ended.held_since is not None:
                ended, actions = _resume(ended, at)
            over = [ConsultOver(consult.agent_id)] if consult.agent_id else []
            return ended, [HangUp(consult.channel), *over, *actions, TellAgent(ended)]
        case TransferCompleted(at):
            if consult is None:
                return call, [Refuse("there is no consultation")]
            if consult.state == ConsultState.RINGING:
                return call, [Refuse("the colleague has not answered yet")]
            return _complete(call, consult, at)
        case _:
            assert_never(event)


def _toggle(call: ConnectedCall, consult: Consult, at: float) -> Decision:
    if consult.state == ConsultState.WITH_TARGET:  # to the customer; the colleague holds
        resumed, back = _resume(call, at)
        toggled = replace(resumed, consult=replace(consult, state=ConsultState.WITH_CUSTOMER))
        return toggled, [
            LeaveBridge(call.bridge_id, consult.channel),
            Hears(consult.channel, hearing.PutOnHold(call.moh_class)),
            *back,
            TellAgent(toggled),
        ]
    held, away = _hold(call, at)  # to the colleague; the customer holds
    toggled = replace(held, consult=replace(consult, state=ConsultState.WITH_TARGET))
    return toggled, [
        *away,
        Hears(consult.channel, hearing.TakeOffHold()),
        JoinBridge(call.bridge_id, consult.channel),
        TellAgent(toggled),
    ]


def _conference(call: ConnectedCall, consult: Consult, at: float) -> Decision:
    """Whoever holds comes back into the bridge: the customer (music first stopped), or the
    colleague."""
    actions: list[ControlAction] = []
    joined = call
    if consult.state == ConsultState.WITH_CUSTOMER:
        actions += [
            Hears(consult.channel, hearing.TakeOffHold()),
            JoinBridge(call.bridge_id, consult.channel),
        ]
    if call.held_since is not None:
        joined, back = _resume(call, at)
        actions += back
    joined = replace(joined, consult=replace(consult, state=ConsultState.CONFERENCE))
    return joined, [*actions, TellAgent(joined)]


def _complete(call: ConnectedCall, consult: Consult, at: float) -> Decision:
    """Customer and colleague in the bridge, then the agent leaves it: the colleague's call."""
    actions: list[ControlAction] = []
    if consult.state == ConsultState.WITH_CUSTOMER:
        actions += [
            Hears(consult.channel, hearing.TakeOffHold()),
            JoinBridge(call.bridge_id, consult.channel),
        ]
    settled = replace(call, consult=None)
    if settled.held_since is not None:
        settled, back = _resume(settled, at)
        actions += back
    if not consult.agent_id:  # a number: the caller leaves the queues with that party
        return settled, [
            *actions,
            LeaveBridge(call.bridge_id, call.agent_channel),
            HandOn(settled, consult.channel, consult.number),
        ]
    taken = ConnectedCall(call.item_id, call.customer_channel, consult.agent_id, consult.channel,
                          call.bridge_id, call.moh_class, at, queue=call.queue)  # fmt: skip
    return taken, [
        *actions,
        LeaveBridge(call.bridge_id, call.agent_channel),
        HandOver(settled, taken),
        TellAgent(taken),
    ]
