"""The ACD engine: queues, waiting items, agents. Synchronous and pure: events in, actions out.

The engine owns no clock and no I/O. Timers are actions (``StartTimer``) whose ``TimerFired``
comes back as an event carrying the token; a token the engine no longer expects is ignored,
so a late ring timeout for an answered call is harmless. Every queue event is also emitted as
an app_queue-compatible ``LogQueueEvent``.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import assert_never

from sortedcontainers import SortedKeyList

from ehd.acd import actions as act
from ehd.acd import events as ev
from ehd.acd.agent_states import AgentState, AgentTrigger, next_state
from ehd.acd.estimate import WaitHistory
from ehd.acd.model import ItemKind, OverflowKind, OverflowTarget, Presence, QueueConfig
from ehd.acd.strategies import AgentStats, choose

RETRY_SECONDS = 5.0  # after a miss, the item tries other agents before that one again
NONE = "NONE"


@dataclass(eq=False)  # one item is itself only: lookups compare identity, not every field
class Item:
    id: str
    kind: ItemKind
    queue: str
    priority: int
    caller_id: str
    entered_at: float
    joined_at: float
    seq: int
    original_position: int = 0
    visited: list[str] = field(default_factory=list)
    offers: dict[str, float] = field(default_factory=dict)  # agent -> offered at
    missed_until: dict[str, float] = field(default_factory=dict)
    agent: str | None = None
    connected_at: float | None = None
    timers: dict[str, str] = field(default_factory=dict)  # kind -> expected token
    reserved_for: str | None = None  # transferred to this agent: only they may take it yet
    waited: float | None = None  # the wait before an agent answered, kept over a handover
    in_line: bool = False  # in its queue's waiting line (a connected item is not)

    def sort_key(self) -> tuple[int, float, int]:
        return (-self.priority, self.entered_at, self.seq)


@dataclass
class Agent:
    id: str
    state: AgentState = AgentState.LOGGED_OUT
    state_since: float = 0.0  # when the agent entered ``state`` (for boards' time in state)
    pause_reason: str = ""
    device: str = ""
    memberships: dict[str, int] = field(default_factory=dict)
    reachable: bool = True
    idle_since: float = 0.0
    logged_in_at: float = 0.0
    calls_taken: int = 0
    misses: int = 0
    item_id: str | None = None
    timer: str = ""  # ring or wrap-up token
    pending_pause: str | None = None
    pending_logout: bool = False
    wrap_until: float = 0.0  # the end of the last call's wrap-up time
    other_call: bool = False  # busy on a call the queue did not give


def _waiting_line() -> SortedKeyList[Item, tuple[int, float, int]]:
    return SortedKeyList(key=Item.sort_key)


@dataclass
class QueueRuntime:
    config: QueueConfig
    # in (priority, entry) order: adding, removing and finding a position cost O(log n)
    waiting: SortedKeyList[Item, tuple[int, float, int]] = field(default_factory=_waiting_line)
    members: dict[str, int] = field(default_factory=dict)  # agent -> join order
    ready: set[str] = field(default_factory=set)  # members READY and reachable
    history: WaitHistory = field(default_factory=WaitHistory)
    last_pick_order: int = -1

    def position(self, item: Item) -> int:
        return int(self.waiting.index(item)) + 1


class AcdEngine:
    def __init__(self, queues: Iterable[QueueConfig], rng: random.Random | None = None) -> None:
        self.queues: dict[str, QueueRuntime] = {q.name: QueueRuntime(q) for q in queues}
        self.agents: dict[str, Agent] = {}
        self.items: dict[str, Item] = {}
        self.rng = rng or random.Random()
        self._seq = itertools.count()
        self._tokens = itertools.count(1)
        self._member_order = itertools.count()
        self._ready: set[str] = set()  # READY and reachable: who can be offered an item now
        self._agent_timers: dict[str, str] = {}  # ring or wrap-up token -> agent
        # After a full dispatch no ready agent can take any waiting item until an agent
        # becomes ready or changes queues (``_rescan``), or an item joins a line, its
        # reservation runs out, or its eligibility widens (``_widens``) (``_fresh``): then
        # only those items need a look, not every line.
        self._rescan = True
        self._fresh: list[Item] = []
        # When an item's eligibility widens with time alone (a penalty rule starts, a miss's
        # retry wait ends): it is fresh again at the first dispatch from then on, whether or
        # not its timer has fired yet, as if every line were looked at on each event.
        self._widens: list[tuple[float, int, Item]] = []
        self._widen_order = itertools.count()  # ties never compare items

    # --- public ---------------------------------------------------------------------------
    def configure(self, config: QueueConfig) -> None:
        """Add a queue or replace its settings; waiting items stay."""
        runtime = self.queues.get(config.name)
        if runtime is None:
            self.queues[config.name] = QueueRuntime(config)
        else:
            runtime.config = config
        self._rescan = True  # penalties, weights or strategy may have changed

    def handle(self, event: ev.Event) -> list[act.Action]:
        """The actions ``event`` leads to; every kind of event has its transition here."""
        out: list[act.Action] = []
        match event:
            case ev.ItemArrived():
                self._arrive(event, out)
            case ev.ItemLeft():
                self._left(event, out)
            case ev.ConnectedRestored():
                self._connected_restored(event, out)
            case ev.ExitKeyPressed():
                self._exit_key(event, out)
            case ev.OfferAnswered():
                self._answered(event, out)
            case ev.OfferFailed():
                self._offer_failed(event, out)
            case ev.ItemCompleted():
                self._completed(event, out)
            case ev.ItemTransferred():
                self._transferred(event, out)
            case ev.ItemSentOn():
                self._sent_on(event, out)
            case ev.ItemHandedOver():
                self._handed_over(event, out)
            case ev.AgentOnOtherCall():
                self._on_other_call(event, out)
            case ev.AgentOffOtherCall():
                self._off_other_call(event, out)
            case ev.TimerFired():
                self._timer_fired(event, out)
            case ev.AgentLoggedIn():
                self._login(event, out)
            case ev.AgentLoggedOut():
                self._logout_event(event, out)
            case ev.AgentPaused():
                self._pause_event(event, out)
            case ev.AgentUnpaused():
                self._unpause(event, out)
            case ev.AgentReachability():
                self._reachability(event, out)
            case ev.QueueClosed():
                self._queue_closed(event, out)
            case _:
                assert_never(event)
        return out

    def position(self, item_id: str) -> int:
        item = self.items.get(item_id)
        if item is None or item.agent is not None:
            return 0
        return self.queues[item.queue].position(item)

    def estimated_wait(self, item_id: str, now: float) -> float:
        item = self.items[item_id]
        queue = self.queues[item.queue]
        return queue.history.estimate(
            position=queue.position(item),
            waited=now - item.entered_at,
            agents=self._serving_agents(queue),
            expected_handle=queue.config.expected_handle_seconds,
        )

    def free_member(self, queue: str, besides: str = "") -> str | None:
        """Who of ``queue``'s members could take a call now (ready and reachable, not
        ``besides``): lowest penalty first, then idle longest."""
        free = [
            agent
            for agent in self.agents.values()
            if queue in agent.memberships and agent.id != besides
            and agent.state == AgentState.READY and agent.reachable
        ]  # fmt: skip
        best = min(free, key=lambda a: (a.memberships[queue], a.idle_since, a.id), default=None)
        return best.id if best is not None else None

    def waiting_items(self, queue: str) -> list[str]:
        return [item.id for item in self.queues[queue].waiting]

    # --- items ----------------------------------------------------------------------------
    def _arrive(self, event: ev.ItemArrived, out: list[act.Action]) -> None:
        if event.item_id in self.items:
            return  # a repeated arrival is the same item: never duplicate it
        if event.queue not in self.queues:
            out.append(act.Exit(event.item_id, event.queue, "noqueue", None))
            return
        entered = event.entered_at if event.entered_at is not None else event.at
        item = Item(
            event.item_id,
            event.kind,
            event.queue,
            event.priority,
            event.caller_id,
            entered,
            event.at,
            next(self._seq),
        )
        self.items[item.id] = item
        queue = self.queues[event.queue]
        self._join(item, queue, event.at, out, log_entry=not event.restored)
        self._reserve(item, queue, event.reserved_for, event.at + event.reserve_seconds, out)
        self._dispatch(event.at, out)

    def _join(
        self,
        item: Item,
        queue: QueueRuntime,
        at: float,
        out: list[act.Action],
        log_entry: bool = True,
    ) -> None:
        config = queue.config
        item.queue, item.joined_at = config.name, at
        item.visited.append(config.name)
        would_be = int(queue.waiting.bisect_key_right(item.sort_key())) + 1
        if config.max_length and len(queue.waiting) >= config.max_length:
            self._log(out, at, item, "FULL", would_be, would_be, 0)
            self._overflow(item, queue, "full", at, out)
            return
        if not self._presence_ok(queue, config.join_when):
            self._log(out, at, item, "JOINEMPTY", would_be, would_be, 0)
            self._overflow(item, queue, "joinempty", at, out)
            return
        queue.waiting.add(item)
        item.in_line = True
        self._fresh.append(item)
        item.original_position = queue.position(item)
        queue.history.record_arrival(at)
        if log_entry:
            out.append(
                act.LogQueueEvent(
                    at,
                    item.id,
                    config.name,
                    NONE,
                    "ENTERQUEUE",
                    ("", item.caller_id, str(item.original_position)),
                )
            )
        if config.overflow_after is not None:
            self._timer(item, "overflow", at + config.overflow_after, out)
        self._schedule_penalty_step(item, queue, at, out)
        if config.announce_frequency > 0:
            first = config.announce_start_delay or config.announce_frequency
            self._timer(item, "announce", at + first, out)

    def _overflow(
        self, item: Item, queue: QueueRuntime, reason: str, at: float, out: list[act.Action]
    ) -> None:
        """The item leaves ``queue`` (already logged) for the overflow target."""
        self._remove_waiting(item, queue)
        self._cancel_offers(item, at, out, log=True)
        self._go_to(item, queue, queue.config.overflow, reason, at, out)

    def _go_to(
        self,
        item: Item,
        queue: QueueRuntime,
        target: OverflowTarget | None,
        reason: str,
        at: float,
        out: list[act.Action],
    ) -> None:
        item.timers.clear()
        item.missed_until.clear()
        item.reserved_for = None
        if (
            target is not None
            and target.kind == OverflowKind.QUEUE
            and target.target in self.queues
            and target.target not in item.visited
        ):
            out.append(act.Moved(item.id, queue.config.name, target.target))
            self._join(item, self.queues[target.target], at, out)
            return
        if target is not None and target.kind == OverflowKind.QUEUE:
            target = None  # unknown queue or a loop: end with the queue's message
        self.items.pop(item.id, None)
        out.append(act.Exit(item.id, queue.config.name, reason, target))

    def _remove_waiting(self, item: Item, queue: QueueRuntime) -> None:
        if item.in_line:
            queue.waiting.remove(item)
            item.in_line = False

    def _left(self, event: ev.ItemLeft, out: list[act.Action]) -> None:
        item = self.items.get(event.item_id)
        if item is None:
            return
        if item.agent is not None:
            self._completed(ev.ItemCompleted(event.at, item.id, by_agent=False), out)
            return
        queue = self.queues[item.queue]
        self._log(
            out,
            event.at,
            item,
            "ABANDON",
            queue.position(item),
            item.original_position,
            event.at - item.entered_at,
        )
        self._remove_waiting(item, queue)
        self._cancel_offers(item, event.at, out, log=True)
        del self.items[item.id]
        self._dispatch(event.at, out)

    def _connected_restored(self, event: ev.ConnectedRestored, out: list[act.Action]) -> None:
        agent = self.agents.get(event.agent_id)
        if event.item_id in self.items or event.queue not in self.queues or agent is None:
            return
        if agent.state not in (AgentState.READY, AgentState.PAUSED):
            return  # already offered or busy: the restored rows disagree, keep the live state
        item = Item(
            event.item_id,
            ItemKind.CALL,
            event.queue,
            event.priority,
            event.caller_id,
            event.entered_at,
            event.at,
            next(self._seq),
        )
        item.agent, item.connected_at = agent.id, event.connected_at
        self.items[item.id] = item
        if agent.state == AgentState.PAUSED:  # paused during the call: the pause follows it
            agent.pending_pause = agent.pause_reason if agent.pause_reason else "paused"
            self._transition(agent, AgentTrigger.UNPAUSE, event.at, out)
        self._transition(agent, AgentTrigger.OFFER, event.at, out)
        self._transition(agent, AgentTrigger.ANSWER, event.at, out)
        agent.item_id = item.id

    def _exit_key(self, event: ev.ExitKeyPressed, out: list[act.Action]) -> None:
        item = self.items.get(event.item_id)
        if item is None or item.agent is not None:
            return
        queue = self.queues[item.queue]
        target = queue.config.exit_keys.get(event.key)
        if target is None:
            return  # not an exit key: ignore stray DTMF
        out.append(
            act.LogQueueEvent(
                event.at,
                item.id,
                queue.config.name,
                NONE,
                "EXITWITHKEY",
                (
                    event.key,
                    str(queue.position(item)),
                    str(item.original_position),
                    str(int(event.at - item.entered_at)),
                ),
            )
        )
        self._remove_waiting(item, queue)
        self._cancel_offers(item, event.at, out, log=True)
        self._go_to(item, queue, target, "key", event.at, out)
        self._dispatch(event.at, out)

    def _queue_closed(self, event: ev.QueueClosed, out: list[act.Action]) -> None:
        queue = self.queues.get(event.queue)
        if queue is None:
            return
        for item in list(queue.waiting):
            # app_queue has no "closed" event; EXITEMPTY (no service) is what reports expect.
            self._log(
                out,
                event.at,
                item,
                "EXITEMPTY",
                queue.position(item),
                item.original_position,
                event.at - item.entered_at,
            )
            self._overflow(item, queue, "closed", event.at, out)
        self._dispatch(event.at, out)

    # --- offers ---------------------------------------------------------------------------
    def _answered(self, event: ev.OfferAnswered, out: list[act.Action]) -> None:
        item = self.items.get(event.item_id)
        agent = self.agents.get(event.agent_id)
        if agent is None:
            out.append(act.CancelOffer(event.item_id, event.agent_id))
            return
        if item is None or item.agent is not None or agent.id not in item.offers:
            out.append(act.CancelOffer(event.item_id, agent.id))  # too late: hang up the leg
            if agent.item_id == event.item_id and agent.state == AgentState.OFFERED:
                self._end_offer_state(agent, event.at, out)
            return
        offered_at = item.offers.pop(agent.id)
        self._cancel_offers(item, event.at, out, log=False)
        queue = self.queues[item.queue]
        self._remove_waiting(item, queue)
        item.timers.clear()
        item.reserved_for = None
        item.agent, item.connected_at = agent.id, event.at
        waited = event.at - item.entered_at
        queue.history.record_answer(waited)
        self._transition(agent, AgentTrigger.ANSWER, event.at, out)
        agent.timer, agent.calls_taken, agent.misses = "", agent.calls_taken + 1, 0
        out.append(
            act.LogQueueEvent(
                event.at,
                item.id,
                queue.config.name,
                agent.id,
                "CONNECT",
                (str(int(waited)), event.agent_channel, str(int(event.at - offered_at))),
            )
        )
        out.append(act.Connect(item.id, agent.id, queue.config.name))
        self._dispatch(event.at, out)

    def _offer_failed(self, event: ev.OfferFailed, out: list[act.Action]) -> None:
        agent = self.agents.get(event.agent_id)
        item = self.items.get(event.item_id)
        if agent is None or item is None or agent.id not in item.offers:
            return
        self._missed(item, agent, event.at, out, hang_up=False)

    def _missed(
        self, item: Item, agent: Agent, at: float, out: list[act.Action], hang_up: bool
    ) -> None:
        offered_at = item.offers.pop(agent.id)
        queue = self.queues[item.queue]
        out.append(
            act.LogQueueEvent(
                at,
                item.id,
                queue.config.name,
                agent.id,
                "RINGNOANSWER",
                (str(int((at - offered_at) * 1000)),),
            )
        )
        if hang_up:
            out.append(act.CancelOffer(item.id, agent.id))
        item.missed_until[agent.id] = at + RETRY_SECONDS
        self._widen_at(item, at + RETRY_SECONDS)
        if item.reserved_for == agent.id:  # the transfer's agent missed it: the queue's turn
            item.reserved_for = None
            item.timers.pop("reserved", None)
        self._timer(item, "retry", at + RETRY_SECONDS, out)
        agent.misses += 1
        self._end_offer_state(agent, at, out)
        limit = queue.config.misses_before_pause
        if limit and agent.misses >= limit and agent.state == AgentState.READY:
            self._pause(agent, "no answer", at, out)
        self._dispatch(at, out)

    def _cancel_offers(self, item: Item, at: float, out: list[act.Action], log: bool) -> None:
        for agent_id, offered_at in list(item.offers.items()):
            if log:
                out.append(
                    act.LogQueueEvent(
                        at,
                        item.id,
                        item.queue,
                        agent_id,
                        "RINGCANCELED",
                        (str(int((at - offered_at) * 1000)),),
                    )
                )
            out.append(act.CancelOffer(item.id, agent_id))
            agent = self.agents.get(agent_id)
            if agent is not None and agent.item_id == item.id:
                self._end_offer_state(agent, at, out)
        item.offers.clear()

    def _end_offer_state(self, agent: Agent, at: float, out: list[act.Action]) -> None:
        self._transition(agent, AgentTrigger.OFFER_ENDED, at, out)
        agent.item_id, agent.timer = None, ""
        self._apply_pending(agent, at, out)

    # --- completion and wrap-up -----------------------------------------------------------
    def _completed(self, event: ev.ItemCompleted, out: list[act.Action]) -> None:
        item = self.items.get(event.item_id)
        if item is None or item.agent is None or item.connected_at is None:
            return
        agent = self.agents[item.agent]
        queue = self.queues[item.queue]
        talk = event.at - item.connected_at
        waited = item.waited if item.waited is not None else item.connected_at - item.entered_at
        out.append(
            act.LogQueueEvent(
                event.at,
                item.id,
                queue.config.name,
                agent.id,
                "COMPLETEAGENT" if event.by_agent else "COMPLETECALLER",
                (
                    str(int(waited)),
                    str(int(talk)),
                    str(item.original_position),
                ),
            )
        )
        del self.items[item.id]
        self._release_agent(agent, queue, talk, event.at, out)
        self._dispatch(event.at, out)

    def _transferred(self, event: ev.ItemTransferred, out: list[act.Action]) -> None:
        item = self.items.get(event.item_id)
        target = self.queues.get(event.queue)
        if item is None or item.agent is None or item.connected_at is None or target is None:
            return
        agent = self.agents[item.agent]
        queue = self.queues[item.queue]
        talk = event.at - item.connected_at
        destination = ("agent", event.agent_id) if event.agent_id else ("queue", event.queue)
        self._log_transfer("BLINDTRANSFER", item, agent.id, event.at, destination[1],
                           destination[0], out)  # fmt: skip
        self._release_agent(agent, queue, talk, event.at, out)
        item.agent = item.connected_at = item.waited = None
        item.visited.clear()  # a person chose the queue: an earlier visit is no loop
        item.offers.clear()
        item.missed_until.clear()
        item.timers.clear()
        if not event.keep_place:  # to the back of the line
            item.entered_at, item.seq = event.at, next(self._seq)
        self._join(item, target, event.at, out)
        self._reserve(item, target, event.agent_id, event.at + event.reserve_seconds, out)
        self._dispatch(event.at, out)

    def _reserve(
        self, item: Item, queue: QueueRuntime, agent_id: str | None, until: float,
        out: list[act.Action],
    ) -> None:  # fmt: skip
        """Keep a waiting item for one member of its queue until ``until`` (or a miss)."""
        reserved = agent_id if agent_id in queue.members and item.in_line else None
        item.reserved_for = reserved
        if reserved is not None:
            self._timer(item, "reserved", until, out)

    def _sent_on(self, event: ev.ItemSentOn, out: list[act.Action]) -> None:
        item = self.items.get(event.item_id)
        if item is None or item.agent is None or item.connected_at is None:
            return
        agent = self.agents[item.agent]
        queue = self.queues[item.queue]
        if event.attended:  # app_queue's order: how, then where
            self._log_transfer("ATTENDEDTRANSFER", item, agent.id, event.at,
                               event.context, event.extension, out)  # fmt: skip
        else:
            self._log_transfer("BLINDTRANSFER", item, agent.id, event.at,
                               event.extension, event.context, out)  # fmt: skip
        del self.items[item.id]
        self._release_agent(agent, queue, event.at - item.connected_at, event.at, out)
        self._dispatch(event.at, out)

    def _log_transfer(
        self, verb: str, item: Item, agent_id: str, at: float, first: str, second: str,
        out: list[act.Action],
    ) -> None:  # fmt: skip
        """app_queue's row: two fields saying where (a blind transfer's extension and context),
        hold time, talk time, original position."""
        assert item.connected_at is not None
        fields = (
            first,
            second,
            str(int(item.connected_at - item.entered_at)),
            str(int(at - item.connected_at)),
            str(item.original_position),
        )
        out.append(act.LogQueueEvent(at, item.id, item.queue, agent_id, verb, fields))

    def _handed_over(self, event: ev.ItemHandedOver, out: list[act.Action]) -> None:
        item = self.items.get(event.item_id)
        taker = self.agents.get(event.agent_id)
        if item is None or item.agent is None or item.connected_at is None or taker is None:
            return
        if not taker.other_call or taker.item_id is not None:
            return  # the consulted agent is not on the consultation (any more)
        agent = self.agents[item.agent]
        queue = self.queues[item.queue]
        talk = event.at - item.connected_at
        if item.waited is None:
            item.waited = item.connected_at - item.entered_at
        # app_queue's row for a bridge-to-bridge transfer: BRIDGE, the bridge, hold time,
        # talk time, original position.
        out.append(
            act.LogQueueEvent(
                event.at,
                item.id,
                queue.config.name,
                agent.id,
                "ATTENDEDTRANSFER",
                (
                    "BRIDGE",
                    event.bridge_id,
                    str(int(item.waited)),
                    str(int(talk)),
                    str(item.original_position),
                ),
            )
        )
        self._release_agent(agent, queue, talk, event.at, out)
        taker.other_call, taker.item_id = False, item.id
        taker.calls_taken += 1
        item.agent, item.connected_at = taker.id, event.at
        self._dispatch(event.at, out)

    def _on_other_call(self, event: ev.AgentOnOtherCall, out: list[act.Action]) -> None:
        agent = self.agents.get(event.agent_id)
        if agent is None or agent.state != AgentState.READY:
            return
        agent.other_call = True
        self._transition(agent, AgentTrigger.OTHER_CALL, event.at, out)

    def _off_other_call(self, event: ev.AgentOffOtherCall, out: list[act.Action]) -> None:
        agent = self.agents.get(event.agent_id)
        if agent is None or not agent.other_call or agent.item_id is not None:
            return
        agent.other_call = False
        self._transition(agent, AgentTrigger.OTHER_CALL_ENDED, event.at, out)
        agent.idle_since = event.at
        self._apply_pending(agent, event.at, out)
        self._dispatch(event.at, out)

    def _release_agent(
        self, agent: Agent, queue: QueueRuntime, talk: float, at: float, out: list[act.Action]
    ) -> None:
        """The agent's part of an item is over: wrap-up (if the queue has it), then ready."""
        queue.history.record_completion(talk)
        agent.item_id, agent.idle_since = None, at
        self._transition(agent, AgentTrigger.COMPLETE, at, out)
        agent.wrap_until = at + queue.config.wrapup_seconds
        if queue.config.wrapup_seconds > 0:
            agent.timer = self._agent_token(agent, "wrap")
            out.append(act.StartTimer(agent.timer, at + queue.config.wrapup_seconds))
        else:
            self._transition(agent, AgentTrigger.WRAPUP_DONE, at, out)
        self._apply_pending(agent, at, out)

    def _apply_pending(self, agent: Agent, at: float, out: list[act.Action]) -> None:
        if agent.state in (AgentState.BUSY, AgentState.OFFERED):
            return
        if agent.pending_logout:
            agent.pending_logout = False
            self._logout(agent, at, out)
        elif agent.pending_pause is not None:
            reason, agent.pending_pause = agent.pending_pause, None
            if agent.state != AgentState.PAUSED:
                self._pause(agent, reason, at, out)

    # --- timers ---------------------------------------------------------------------------
    def _token(self, kind: str) -> str:
        return f"{kind}:{next(self._tokens)}"

    def _agent_token(self, agent: Agent, kind: str) -> str:
        """A ring or wrap-up timer's token, found again without looking at every agent."""
        token = self._token(kind)
        self._agent_timers[token] = agent.id
        return token

    def _timer(self, item: Item, kind: str, at: float, out: list[act.Action]) -> None:
        token = self._token(kind)
        item.timers[kind] = f"{item.id}|{token}"
        out.append(act.StartTimer(item.timers[kind], at))

    def _timer_fired(self, event: ev.TimerFired, out: list[act.Action]) -> None:
        item_id, _, token = event.token.rpartition("|")
        if item_id:
            self._item_timer(item_id, event.token, token.split(":")[0], event.at, out)
            return
        agent = self.agents.get(self._agent_timers.pop(event.token, ""))
        if agent is not None and agent.timer == event.token:  # else: stale
            self._agent_timer(agent, event.at, out)

    def _item_timer(
        self, item_id: str, token: str, kind: str, at: float, out: list[act.Action]
    ) -> None:
        item = self.items.get(item_id)
        if item is None or item.timers.get(kind) != token or item.agent is not None:
            return  # stale: the item moved on
        queue = self.queues[item.queue]
        del item.timers[kind]
        if kind == "overflow":
            self._log(
                out,
                at,
                item,
                "EXITWITHTIMEOUT",
                queue.position(item),
                item.original_position,
                at - item.entered_at,
            )
            self._overflow(item, queue, "timeout", at, out)
            self._dispatch(at, out)
        elif kind == "penalty":
            self._schedule_penalty_step(item, queue, at, out)
            self._dispatch(at, out)  # its widening is due (``_widens``): it is looked at
        elif kind == "retry":
            self._dispatch(at, out)  # likewise, for the agents who missed it
        elif kind == "reserved":  # the agent it was transferred to did not take it in time
            item.reserved_for = None
            self._fresh.append(item)
            self._dispatch(at, out)
        elif kind == "announce":
            out.append(
                act.Announce(
                    item.id,
                    queue.config.name,
                    queue.position(item),
                    self.estimated_wait(item.id, at),
                )
            )
            self._timer(item, "announce", at + queue.config.announce_frequency, out)

    def _agent_timer(self, agent: Agent, at: float, out: list[act.Action]) -> None:
        if agent.state == AgentState.OFFERED and agent.item_id is not None:
            item = self.items.get(agent.item_id)
            if item is not None and agent.id in item.offers:
                self._missed(item, agent, at, out, hang_up=True)
        elif agent.state == AgentState.WRAP_UP:
            agent.timer = ""
            self._transition(agent, AgentTrigger.WRAPUP_DONE, at, out)
            self._dispatch(at, out)

    # --- penalties ------------------------------------------------------------------------
    def _penalty_range(self, item: Item, queue: QueueRuntime, at: float) -> tuple[int, int]:
        config = queue.config
        low, high = 0, config.max_penalty if config.max_penalty is not None else 1 << 30
        for rule in config.penalty_rules:
            if at >= item.joined_at + rule.after_seconds:
                low, high = rule.min_penalty, rule.max_penalty
        return low, high

    def _schedule_penalty_step(
        self, item: Item, queue: QueueRuntime, at: float, out: list[act.Action]
    ) -> None:
        # Instants, not waits, are compared: the timer fires at joined_at + after_seconds,
        # and (that - joined_at) can come out a hair under after_seconds in floating point,
        # which once re-armed the timer for the same instant forever.
        later = [
            item.joined_at + r.after_seconds
            for r in queue.config.penalty_rules
            if item.joined_at + r.after_seconds > at
        ]
        if later:
            self._timer(item, "penalty", min(later), out)
            self._widen_at(item, min(later))

    def _widen_at(self, item: Item, at: float) -> None:
        heapq.heappush(self._widens, (at, next(self._widen_order), item))

    # --- agents ---------------------------------------------------------------------------
    def _transition(
        self, agent: Agent, trigger: AgentTrigger, at: float, out: list[act.Action]
    ) -> None:
        new = next_state(agent.state, trigger)
        if new != agent.state:
            agent.state, agent.state_since = new, at
            out.append(act.AgentStateChanged(agent.id, new, agent.pause_reason))
            self._refresh_ready(agent)

    def _refresh_ready(self, agent: Agent) -> None:
        ready = agent.state == AgentState.READY and agent.reachable
        if ready == (agent.id in self._ready):
            return  # no change: the queues' sets are right already
        if ready:
            self._rescan = True
            self._ready.add(agent.id)
            for name in agent.memberships:
                self.queues[name].ready.add(agent.id)
        else:
            self._ready.discard(agent.id)
            for name in agent.memberships:
                self.queues[name].ready.discard(agent.id)

    def _login(self, event: ev.AgentLoggedIn, out: list[act.Action]) -> None:
        self._rescan = True  # memberships or penalties may have changed
        agent = self.agents.setdefault(event.agent_id, Agent(event.agent_id))
        first = agent.state == AgentState.LOGGED_OUT
        log = not event.restored
        if first:
            agent.logged_in_at, agent.idle_since, agent.misses = event.at, event.at, 0
            agent.device = event.device
            if log:
                out.append(
                    act.LogQueueEvent(event.at, NONE, NONE, agent.id, "AGENTLOGIN", (event.device,))
                )
        wanted = {q: p for q, p in event.memberships.items() if q in self.queues}
        for name in set(agent.memberships) - set(wanted):
            self._remove_member(agent, name, event.at, out)
        for name, penalty in wanted.items():
            if name not in agent.memberships:
                self.queues[name].members[agent.id] = next(self._member_order)
                if agent.id in self._ready:
                    self.queues[name].ready.add(agent.id)
                if log:
                    out.append(act.LogQueueEvent(event.at, NONE, name, agent.id, "ADDMEMBER", ()))
            agent.memberships[name] = penalty
        self._transition(agent, AgentTrigger.LOGIN, event.at, out)
        self._dispatch(event.at, out)

    def _remove_member(self, agent: Agent, name: str, at: float, out: list[act.Action]) -> None:
        agent.memberships.pop(name, None)
        self.queues[name].members.pop(agent.id, None)
        self.queues[name].ready.discard(agent.id)
        out.append(act.LogQueueEvent(at, NONE, name, agent.id, "REMOVEMEMBER", ()))

    def _logout_event(self, event: ev.AgentLoggedOut, out: list[act.Action]) -> None:
        agent = self.agents.get(event.agent_id)
        if agent is None or agent.state == AgentState.LOGGED_OUT:
            return
        if agent.state == AgentState.BUSY:
            agent.pending_logout = True  # after the call
            return
        self._logout(agent, event.at, out)
        self._dispatch(event.at, out)

    def _logout(self, agent: Agent, at: float, out: list[act.Action]) -> None:
        self._release_offer(agent, at, out)
        for name in list(agent.memberships):
            self._remove_member(agent, name, at, out)
        out.append(
            act.LogQueueEvent(
                at,
                NONE,
                NONE,
                agent.id,
                "AGENTLOGOFF",
                (agent.device, str(int(at - agent.logged_in_at))),
            )
        )
        agent.pause_reason, agent.pending_pause, agent.timer = "", None, ""
        self._transition(agent, AgentTrigger.LOGOUT, at, out)
        self._check_leave_when_empty(at, out)

    def _release_offer(self, agent: Agent, at: float, out: list[act.Action]) -> None:
        """Take back an offer ringing at an agent who leaves (the item keeps its place)."""
        if agent.state == AgentState.OFFERED and agent.item_id is not None:
            self._rescan = True  # the item may go to another free agent
            item = self.items.get(agent.item_id)
            if item is not None and agent.id in item.offers:
                offered_at = item.offers.pop(agent.id)
                out.append(
                    act.LogQueueEvent(
                        at,
                        item.id,
                        item.queue,
                        agent.id,
                        "RINGCANCELED",
                        (str(int((at - offered_at) * 1000)),),
                    )
                )
                out.append(act.CancelOffer(item.id, agent.id))
            agent.item_id = None

    def _pause_event(self, event: ev.AgentPaused, out: list[act.Action]) -> None:
        agent = self.agents.get(event.agent_id)
        if agent is None or agent.state == AgentState.LOGGED_OUT:
            return
        if agent.state == AgentState.BUSY:
            agent.pending_pause = event.reason
            return
        self._pause(agent, event.reason, event.at, out)
        self._dispatch(event.at, out)

    def _pause(self, agent: Agent, reason: str, at: float, out: list[act.Action]) -> None:
        self._release_offer(agent, at, out)
        agent.pause_reason, agent.timer = reason, ""
        for name in agent.memberships:
            out.append(act.LogQueueEvent(at, NONE, name, agent.id, "PAUSE", (reason,)))
        self._transition(agent, AgentTrigger.PAUSE, at, out)
        self._check_leave_when_empty(at, out)

    def _unpause(self, event: ev.AgentUnpaused, out: list[act.Action]) -> None:
        agent = self.agents.get(event.agent_id)
        if agent is None:
            return
        agent.pending_pause = None
        if agent.state != AgentState.PAUSED:
            return
        for name in agent.memberships:
            out.append(
                act.LogQueueEvent(event.at, NONE, name, agent.id, "UNPAUSE", (agent.pause_reason,))
            )
        agent.pause_reason, agent.misses, agent.idle_since = "", 0, event.at
        if agent.wrap_until > event.at:  # wrap-up runs from the call's end, pause or not
            self._transition(agent, AgentTrigger.RESUME_WRAPUP, event.at, out)
            agent.timer = self._agent_token(agent, "wrap")
            out.append(act.StartTimer(agent.timer, agent.wrap_until))
            return
        self._transition(agent, AgentTrigger.UNPAUSE, event.at, out)
        self._dispatch(event.at, out)

    def _reachability(self, event: ev.AgentReachability, out: list[act.Action]) -> None:
        agent = self.agents.setdefault(event.agent_id, Agent(event.agent_id))
        agent.reachable = event.reachable
        self._refresh_ready(agent)
        if not event.reachable:
            self._check_leave_when_empty(event.at, out)
        self._dispatch(event.at, out)

    # --- presence -------------------------------------------------------------------------
    def _presence_ok(self, queue: QueueRuntime, need: Presence) -> bool:
        if need == Presence.ALWAYS:
            return True
        for agent_id in queue.members:
            agent = self.agents[agent_id]
            if agent.state == AgentState.LOGGED_OUT:
                continue
            if need == Presence.LOGGED_IN:
                return True
            if agent.state != AgentState.PAUSED and agent.reachable:
                return True
        return False

    def _serving_agents(self, queue: QueueRuntime) -> int:
        return sum(
            1
            for a in queue.members
            if self.agents[a].state not in (AgentState.LOGGED_OUT, AgentState.PAUSED)
            and self.agents[a].reachable
        )

    def _check_leave_when_empty(self, at: float, out: list[act.Action]) -> None:
        for queue in self.queues.values():
            if not queue.waiting or self._presence_ok(queue, queue.config.leave_when):
                continue
            for item in list(queue.waiting):
                self._log(
                    out,
                    at,
                    item,
                    "EXITEMPTY",
                    queue.position(item),
                    item.original_position,
                    at - item.entered_at,
                )
                self._overflow(item, queue, "leaveempty", at, out)

    # --- distribution ---------------------------------------------------------------------
    def _dispatch(self, at: float, out: list[act.Action]) -> None:
        """Offer waiting items to free agents, best item first across queues.

        The queues' lines are merged by (weight, priority, entry) from their heads, and only
        while a free agent remains: with one agent free, as when a call ends, the work does
        not depend on how many items wait or how many agents are busy."""
        while self._widens and self._widens[0][0] <= at:
            self._fresh.append(heapq.heappop(self._widens)[2])
        if not self._ready:
            self._fresh.clear()  # nobody to offer to; an agent becoming ready rescans
            self._rescan = False
            return
        if not self._rescan:
            self._dispatch_fresh(at, out)
            return
        self._rescan = False
        self._fresh.clear()
        free = set(self._ready)
        heads: list[tuple[tuple[int, int, float, int], QueueRuntime, Item, Iterator[Item]]] = []
        names = {name for agent_id in free for name in self.agents[agent_id].memberships}
        for name in names:  # the order does not matter: every head's key is unique
            queue = self.queues[name]
            if queue.waiting:
                self._push_next(heads, queue, iter(queue.waiting))
        while heads and free:
            _, queue, item, rest = heapq.heappop(heads)
            if not item.offers:
                self._offer_to_free(item, queue, free, at, out)
            if not free.isdisjoint(queue.ready):
                self._push_next(heads, queue, rest)

    def _dispatch_fresh(self, at: float, out: list[act.Action]) -> None:
        """Only the items that joined or changed since the last full dispatch: no other
        waiting item could be given to a ready agent then, and nothing has changed for them."""
        fresh, self._fresh = self._fresh, []
        free = set(self._ready)
        pending = {
            item.id: item for item in fresh
            if item.in_line and not item.offers and self.items.get(item.id) is item
        }  # fmt: skip
        best_first = sorted(
            pending.values(), key=lambda i: (-self.queues[i.queue].config.weight, *i.sort_key())
        )
        for item in best_first:
            if not free:
                return
            queue = self.queues[item.queue]
            if not free.isdisjoint(queue.ready):
                self._offer_to_free(item, queue, free, at, out)

    @staticmethod
    def _push_next(
        heads: list[tuple[tuple[int, int, float, int], QueueRuntime, Item, Iterator[Item]]],
        queue: QueueRuntime, rest: Iterator[Item],
    ) -> None:  # fmt: skip
        item = next(rest, None)
        if item is not None:  # the key is unique (seq): the heap never compares further
            heapq.heappush(heads, ((-queue.config.weight, *item.sort_key()), queue, item, rest))

    def _offer_to_free(
        self, item: Item, queue: QueueRuntime, free: set[str], at: float, out: list[act.Action]
    ) -> None:
        low, high = self._penalty_range(item, queue, at)
        name = queue.config.name
        members = queue.members
        eligible = [
            (agent_id, self.agents[agent_id].memberships[name])
            for agent_id in sorted(queue.ready & free, key=members.__getitem__)
        ]  # in join order, as strategies read them
        if item.reserved_for is not None:  # chosen by a person: penalties do not apply
            eligible = [(a, p) for a, p in eligible if a == item.reserved_for]
        else:
            eligible = [(a, p) for a, p in eligible if low <= p <= high]
        rested = [(a, p) for a, p in eligible if item.missed_until.get(a, 0.0) <= at]
        candidates = [(self._stats(queue, a), p) for a, p in rested]
        chosen = choose(queue.config.strategy, candidates, queue.last_pick_order, self.rng)
        for stats in chosen:
            self._offer(item, self.agents[stats.agent_id], queue, at, out)
            free.discard(stats.agent_id)
            queue.last_pick_order = stats.order

    def _stats(self, queue: QueueRuntime, agent_id: str) -> AgentStats:
        agent = self.agents[agent_id]
        return AgentStats(agent_id, agent.idle_since, agent.calls_taken, queue.members[agent_id])

    def _offer(
        self, item: Item, agent: Agent, queue: QueueRuntime, at: float, out: list[act.Action]
    ) -> None:
        self._transition(agent, AgentTrigger.OFFER, at, out)
        agent.item_id = item.id
        agent.timer = self._agent_token(agent, "ring")
        item.offers[agent.id] = at
        out.append(act.Offer(item.id, agent.id, queue.config.name, queue.config.ring_timeout))
        out.append(act.StartTimer(agent.timer, at + queue.config.ring_timeout))

    def _log(
        self,
        out: list[act.Action],
        at: float,
        item: Item,
        event: str,
        position: int,
        original: int,
        waited: float,
    ) -> None:
        out.append(
            act.LogQueueEvent(
                at,
                item.id,
                item.queue,
                NONE,
                event,
                (str(position), str(original), str(int(waited))),
            )
        )
