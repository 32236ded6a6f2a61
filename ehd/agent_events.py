"""Live events for agents' consoles: state changes, offered calls (before the phone rings)
and screen pops, fanned out to every open console of that agent."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

log = logging.getLogger(__name__)

BACKLOG = 100  # events kept for a console that reads slowly; older ones are dropped


class AgentEvents:
    def __init__(self) -> None:
        self._consoles: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    def subscribe(self, username: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(BACKLOG)
        self._consoles[username].add(queue)
        return queue

    def unsubscribe(self, username: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        consoles = self._consoles.get(username)
        if consoles is not None:
            consoles.discard(queue)
            if not consoles:
                del self._consoles[username]

    def watching(self, username: str) -> bool:
        return bool(self._consoles.get(username))

    def publish(self, username: str, event: dict[str, Any]) -> None:
        for queue in self._consoles.get(username, ()):
            if queue.full():
                queue.get_nowait()  # a stalled console loses its oldest event, not the newest
                log.warning("console of %s is not reading; dropped an event", username)
            queue.put_nowait(event)
