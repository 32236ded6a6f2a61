"""Live updates with the other ehd processes on the same PostgreSQL database
(:mod:`ehd.web.peers`, over :mod:`ehd.db.live_bus`): console events and open consoles both
ways, and from the process that runs the calls, where it serves and its live figures."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from ehd.db.live_bus import LocalBus, bus_for
from ehd.web.keys import CONFIG, CONSOLES, HEALTH, QUEUE_SERVICE
from ehd.web.peers import HEARD_FOR_SECONDS, PEERS, TELL_SECONDS


async def live_ctx(app: web.Application) -> AsyncIterator[None]:
    """The cleanup context: listening and telling until the app stops."""
    config, probe, service = app[CONFIG], app[HEALTH], app[QUEUE_SERVICE]
    bus = bus_for(config.effective_database_url)
    if isinstance(bus, LocalBus):
        yield
        return
    peers, consoles = app[PEERS], app[CONSOLES]
    sending: set[asyncio.Task[None]] = set()

    def send(kind: str, data: dict[str, Any]) -> None:
        task = asyncio.create_task(bus.send(kind, data))
        sending.add(task)
        task.add_done_callback(sending.discard)

    def console_event(data: dict[str, Any]) -> None:
        event = data.get("event")
        if isinstance(event, dict):
            consoles.deliver(str(data.get("username")), event)

    def watchers(data: dict[str, Any]) -> None:
        users = data.get("users")
        if isinstance(users, list):
            consoles.watched_elsewhere(data["origin"], map(str, users), HEARD_FOR_SECONDS)

    bus.on("console", console_event)
    bus.on("watchers", watchers)
    bus.on("active", peers.heard_active)
    consoles.relay_to(
        lambda username, event: send("console", {"username": username, "event": event}),
        lambda: send("watchers", {"users": consoles.watched_here()}),
    )
    await bus.start()
    own_url = f"http://{_reachable(config.bind_host)}:{config.web_port}"

    async def tell_others() -> None:
        while True:
            send("watchers", {"users": consoles.watched_here()})
            queues = service.current()
            if probe.role == "active" and queues is not None:
                send("active", {"url": own_url, "figures": queues.figures(),
                                "agents": queues.agent_figures()})  # fmt: skip
            await asyncio.sleep(TELL_SECONDS)

    teller = asyncio.create_task(tell_others(), name="live-updates")
    yield
    teller.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await teller
    await bus.stop()


def _reachable(bind_host: str) -> str:
    """Where the other processes reach this one (on this machine when it listens on all)."""
    return "127.0.0.1" if bind_host in ("", "0.0.0.0", "::", "[::]") else bind_host
