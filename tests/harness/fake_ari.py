"""Asterisk's REST interface as a small local server that records every request, for adapter
tests of the queue service: what ehd asked Asterisk to do, and in which order, next to the
queue_log rows it wrote. Events are fed to the service directly (``event``).

A request can be refused (``refuse("endpoint=PJSIP/1001")``) to play an Asterisk that fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from ehd.acd.actions import LogQueueEvent
from ehd.ari.client import AriClient
from ehd.ari.events import Event, parse_event
from ehd.audio.prompts import SoundLibrary
from ehd.queueing.queue_log_writer import QueueLogWriter
from ehd.queueing.service import QueueService


class RecordingWriter(QueueLogWriter):
    """queue_log rows go into the same list as the REST requests, to see their order."""

    def __init__(self, path: Path, seen: list[str]) -> None:
        super().__init__(path)
        self.seen = seen

    async def write(self, entries: Sequence[LogQueueEvent]) -> None:
        self.seen.extend(f"LOG {entry.event}" for entry in entries)


@dataclass
class FakeAsterisk:
    seen: list[str] = field(default_factory=list)  # "POST channels/x", "LOG CONNECT", …
    queries: list[dict[str, str]] = field(default_factory=list)  # each request's parameters
    refused: list[str] = field(default_factory=list)  # requests answered with a 500

    def refuse(self, part: str) -> None:
        """Fail every request whose "METHOD path?query" contains ``part``."""
        self.refused.append(part)

    async def handle(self, request: web.Request) -> web.Response:
        line = f"{request.method} {request.path.removeprefix('/ari/')}"
        self.seen.append(line)
        self.queries.append(dict(request.query))
        full = f"{line}?{unquote(request.query_string)}"
        if any(prefix in full for prefix in self.refused):
            return web.json_response({"message": "refused by the test"}, status=500)
        if line == "GET bridges":  # none yet: whoever needs one makes it
            return web.json_response([])
        return web.json_response({"id": "x", "state": "online"})

    def requests(self, prefix: str) -> list[str]:
        return [line for line in self.seen if line.startswith(prefix)]


def event(kind: str, **fields: Any) -> Event:
    """An ARI event as Asterisk sends it, parsed."""
    return parse_event({"type": kind, "application": "ehd", **fields})


@asynccontextmanager
async def fake_ari(
    folder: Path, clock: Any = None
) -> AsyncIterator[tuple[QueueService, FakeAsterisk]]:
    """A queue service (queues loaded) talking to a fake Asterisk; stopped on exit."""
    asterisk = FakeAsterisk()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", asterisk.handle)
    async with TestServer(app) as server, aiohttp.ClientSession() as http:
        ari = AriClient(http, str(server.make_url("/ari")), "ehd", "secret")
        writer = RecordingWriter(folder / "queue_log", asterisk.seen)
        extra = {"clock": clock} if clock is not None else {}
        service = QueueService(ari, "ehd", SoundLibrary(), writer,
                               recordings_dir=folder / "recordings", **extra)  # fmt: skip
        await service.load_queues()
        try:
            yield service, asterisk
        finally:
            await service.shutdown()
