"""What a web process hears of the other ehd processes on its database (ehd.db.live_bus).

Several ehd processes may serve the web on one PostgreSQL database; one of them, holding the
lease, runs the calls. It tells the others every :data:`TELL_SECONDS` where it serves and the
queues' and agents' live figures; each process tells which agents' consoles it holds open.
The others serve pages and reads themselves, show the figures they heard, relay console
events to their own consoles, and pass every change on to the active one
(:mod:`ehd.web.forwarding`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ehd.web.keys import QUEUE_SERVICE

TELL_SECONDS = 2.0
# What was heard this long ago counts no more: its process is gone, or cut off.
HEARD_FOR_SECONDS = 3 * TELL_SECONDS


@dataclass
class Peers:
    clock: Callable[[], float] = time.monotonic
    _active_url: str = ""
    _active_heard: float = float("-inf")
    _figures: dict[str, dict[str, float]] = field(default_factory=dict)
    _agent_figures: dict[str, dict[str, object]] = field(default_factory=dict)

    def heard_active(self, data: dict[str, Any]) -> None:
        url = data.get("url")
        if isinstance(url, str) and url:
            self._active_url, self._active_heard = url, self.clock()
        figures, agents = data.get("figures"), data.get("agents")
        if isinstance(figures, dict):
            self._figures = figures
        if isinstance(agents, dict):
            self._agent_figures = agents

    def active_url(self) -> str | None:
        """Where the process that runs the calls serves, if it was heard lately."""
        if self.clock() - self._active_heard < HEARD_FOR_SECONDS:
            return self._active_url
        return None

    # The live figures as the active process last told them (wallboard.snapshot.LiveQueues).
    def figures(self) -> dict[str, dict[str, float]]:
        return self._figures if self.active_url() else {}

    def agent_figures(self) -> dict[str, dict[str, object]]:
        return self._agent_figures if self.active_url() else {}


PEERS = web.AppKey("peers", Peers)


def live_figures(app: web.Application) -> dict[str, dict[str, float]]:
    """The queues' live figures: this process's own when it runs the calls, else as heard."""
    service = app[QUEUE_SERVICE].current()
    return service.figures() if service is not None else app[PEERS].figures()
