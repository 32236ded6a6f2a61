"""Drives the pure ACD engine: one event at a time, its actions carried out before the next.

The driver owns everything that must outlive one event: the lock that serialises the engine,
events queued while actions run (follow-ups), the engine's timers, delayed work and background
tasks. Nothing awaited under the lock waits for an ARI event (only REST calls and database
writes), so the websocket loop can never deadlock on it; work that waits for events runs in
tasks. ``shutdown`` cancels every timer and task it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from ehd.acd import actions as act
from ehd.acd import events as ev
from ehd.acd.engine import AcdEngine

Execute = Callable[[list[act.Action]], Awaitable[None]]


class EngineDriver:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.engine = AcdEngine([], random.Random())
        self.execute: Execute | None = None  # set by the owner before the first event
        self._lock = asyncio.Lock()
        self._followups: list[ev.Event] = []
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._later: set[asyncio.TimerHandle] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        # Seconds from learning an agent is free (the event) to Asterisk accepting the
        # originate of the next waiting call: the benchmark reads these.
        self.ready_to_originate: deque[float] = deque(maxlen=20000)
        self.event_seen_at = 0.0
        self.freed: set[str] = set()  # agents made ready by the event being handled

    async def handle(self, event: ev.Event) -> None:
        """Feed ``event`` and carry out its actions, then those of any follow-ups."""
        assert self.execute is not None, "the driver has no executor"
        async with self._lock:
            self._followups.append(event)
            while self._followups:
                self.event_seen_at, self.freed = time.perf_counter(), set()
                actions = self.engine.handle(self._followups.pop(0))
                self.freed = {
                    a.agent_id
                    for a in actions
                    if isinstance(a, act.AgentStateChanged) and a.state.value == "ready"
                }
                await self.execute(actions)

    def follow_up(self, event: ev.Event) -> None:
        """Queue an event for the engine while its current actions are carried out."""
        self._followups.append(event)

    @contextlib.asynccontextmanager
    async def quiet(self) -> AsyncIterator[None]:
        """No engine event is handled meanwhile (not between a connect and its bridge)."""
        async with self._lock:
            yield

    def start_timer(self, action: act.StartTimer) -> None:
        delay = max(0.0, action.at - self.clock())

        def fire() -> None:
            self._timers.pop(action.token, None)
            self.spawn(self.handle(ev.TimerFired(self.clock(), action.token)))

        self._timers[action.token] = asyncio.get_running_loop().call_later(delay, fire)

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run ``coroutine`` as a task that ``shutdown`` cancels."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def later(self, delay: float, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``work()`` as a task after ``delay`` seconds, unless the driver stops first."""

        def fire() -> None:
            self._later.discard(handle)
            self.spawn(work())

        handle = asyncio.get_running_loop().call_later(delay, fire)
        self._later.add(handle)

    def originated(self, agent_id: str) -> None:
        """An offer's originate was accepted: measure it if the agent was freed just now."""
        if agent_id in self.freed:
            self.ready_to_originate.append(time.perf_counter() - self.event_seen_at)

    async def shutdown(self) -> None:
        for handle in [*self._timers.values(), *self._later]:
            handle.cancel()
        self._timers.clear()
        self._later.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
