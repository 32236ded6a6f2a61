"""Live events for agents' consoles: state changes, offered calls (before the phone rings)
and screen pops, fanned out to every open console of that agent.

With several ehd processes on one database (ehd.web.peers), a console may be open on any of
them: each event is relayed to the others, which deliver it to their own consoles, and each
process's open consoles count when another asks whether an agent is watching."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

BACKLOG = 100  # events kept for a console that reads slowly; older ones are dropped

Relay = Callable[[str, dict[str, Any]], None]


class AgentEvents:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._consoles: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._clock = clock
        self._relay: Relay | None = None
        self._watchers_changed: Callable[[], None] | None = None
        # Consoles open in other processes: process -> (heard until, agents watching).
        self._elsewhere: dict[str, tuple[float, frozenset[str]]] = {}

    def relay_to(self, relay: Relay, watchers_changed: Callable[[], None]) -> None:
        """Hand each published event to ``relay`` too, and call ``watchers_changed`` when a
        console opens or closes here."""
        self._relay, self._watchers_changed = relay, watchers_changed

    def subscribe(self, username: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(BACKLOG)
        first = not self._consoles.get(username)
        self._consoles[username].add(queue)
        if first and self._watchers_changed is not None:
            self._watchers_changed()
        return queue

    def unsubscribe(self, username: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        consoles = self._consoles.get(username)
        if consoles is not None:
            consoles.discard(queue)
            if not consoles:
                del self._consoles[username]
                if self._watchers_changed is not None:
                    self._watchers_changed()

    def watched_here(self) -> list[str]:
        return sorted(self._consoles)

    def watched_elsewhere(self, process: str, usernames: Iterable[str], for_seconds: float) -> None:
        self._elsewhere[process] = (self._clock() + for_seconds, frozenset(usernames))

    def watching(self, username: str) -> bool:
        if self._consoles.get(username):
            return True
        now = self._clock()
        return any(until > now and username in users for until, users in self._elsewhere.values())

    def publish(self, username: str, event: dict[str, Any]) -> None:
        self.deliver(username, event)
        if self._relay is not None:
            self._relay(username, event)

    def deliver(self, username: str, event: dict[str, Any]) -> None:
        """To this process's own consoles of ``username``."""
        for queue in self._consoles.get(username, ()):
            if queue.full():
                queue.get_nowait()  # a stalled console loses its oldest event, not the newest
                log.warning("console of %s is not reading; dropped an event", username)
            queue.put_nowait(event)
