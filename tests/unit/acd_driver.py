"""A tiny driver for engine tests: feeds events, collects actions, fires due timers."""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from ehd.acd import actions as act
from ehd.acd import events as ev
from ehd.acd.engine import AcdEngine
from ehd.acd.model import QueueConfig

TIMER_LOOP = 10_000  # timers due at one instant: more means the engine loops


class Driver:
    def __init__(self, *queues: QueueConfig, seed: int = 1) -> None:
        import random

        self.engine = AcdEngine(queues, random.Random(seed))
        self.now = 0.0
        self.actions: list[act.Action] = []
        self._timers: list[tuple[float, int, str]] = []
        self._n = 0

    def send(self, event: ev.Event) -> list[act.Action]:
        out = self.engine.handle(event)
        for action in out:
            if isinstance(action, act.StartTimer):
                self._n += 1
                heapq.heappush(self._timers, (action.at, self._n, action.token))
        self.actions.extend(out)
        return out

    def advance(self, seconds: float) -> None:
        """Move the clock, firing every timer that falls due on the way."""
        until = self.now + seconds
        fired_at_once = 0
        while self._timers and self._timers[0][0] <= until:
            at, _, token = heapq.heappop(self._timers)
            fired_at_once = fired_at_once + 1 if at <= self.now else 0
            # An engine that re-arms a timer for the instant it fires would loop forever.
            assert fired_at_once < TIMER_LOOP, f"timers keep firing at {at}: {token}"
            self.now = max(self.now, at)
            self.send(ev.TimerFired(self.now, token))
        self.now = until

    def logs(self, *names: str) -> list[act.LogQueueEvent]:
        return [
            a
            for a in self.actions
            if isinstance(a, act.LogQueueEvent) and (not names or a.event in names)
        ]

    def offers(self) -> list[act.Offer]:
        return [a for a in self.actions if isinstance(a, act.Offer)]

    def login(self, agent: str, queues: Iterable[str] | dict[str, int] = ("q",)) -> None:
        memberships = queues if isinstance(queues, dict) else {q: 0 for q in queues}
        self.send(ev.AgentLoggedIn(self.now, agent, memberships, device=f"PJSIP/{agent}"))

    def arrive(self, item: str, queue: str = "q", priority: int = 0) -> None:
        self.send(ev.ItemArrived(self.now, item, queue, priority, caller_id="+4670"))

    def answer(self, item: str, agent: str) -> None:
        self.send(ev.OfferAnswered(self.now, item, agent, agent_channel=f"chan-{agent}"))

    def complete(self, item: str, by_agent: bool = True) -> None:
        self.send(ev.ItemCompleted(self.now, item, by_agent))

    def transfer(
        self, item: str, queue: str = "q", agent: str | None = None, keep_place: bool = True
    ) -> None:
        self.send(ev.ItemTransferred(self.now, item, queue, agent, keep_place))
