"""The order of a connect as Asterisk sees it: everything the caller hears stops first, then
caller and agent are bridged in one request, then CONNECT is logged; and the end of the
cancelled announcement brings no music back under the call.

Asterisk stands in as a small REST server that records every request; the database is real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from ehd.acd.actions import LogQueueEvent
from ehd.ari.client import AriClient
from ehd.ari.events import parse_event
from ehd.audio.prompts import SoundLibrary
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import Queue
from ehd.queueing.queue_log_writer import QueueLogWriter
from ehd.queueing.service import QueueService


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    await open_database(database_url)
    yield
    await close_database()


class RecordingWriter(QueueLogWriter):
    """queue_log rows go into the same list as the REST requests, to see their order."""

    def __init__(self, path: Path, seen: list[str]) -> None:
        super().__init__(path)
        self.seen = seen

    async def write(self, entries: Sequence[LogQueueEvent]) -> None:
        self.seen.extend(f"LOG {entry.event}" for entry in entries)


def _event(kind: str, **fields: object) -> dict[str, object]:
    return {"type": kind, "application": "ehd", **fields}


async def test_a_connect_during_an_announcement(database: None, tmp_path: Path) -> None:
    seen: list[str] = []

    async def asterisk(request: web.Request) -> web.Response:
        seen.append(f"{request.method} {request.path.removeprefix('/ari/')}")
        return web.json_response({"id": "x", "state": "online"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", asterisk)
    await Queue.create(name="q", number="4700")
    async with TestServer(app) as server, aiohttp.ClientSession() as http:
        ari = AriClient(http, str(server.make_url("/ari")), "ehd", "secret")
        writer = RecordingWriter(tmp_path / "queue_log", seen)
        service = QueueService(ari, "ehd", SoundLibrary(), writer)
        await service.load_queues()
        await service.audio.hold("caller-1", "default")
        await service.enqueue(
            "caller-1",
            "q",
            priority=0,
            caller_id="+46701234567",
            language="en",
            moh_class="default",
            notify=lambda _event: None,
        )
        # The position announcement (three items) starts; then alice logs in and answers.
        await service.audio.announce("caller-1", "ann", ["sound:a", "number:1", "sound:b"])
        await service.agent_logged_in("alice", {"q": 0}, "PJSIP/1001", remote=False)
        [leg] = service.legs
        start = _event("StasisStart", args=["queue-leg", "caller-1"], channel={"id": leg})
        del seen[:]
        await service.on_event(parse_event(start))
        finished = _event("PlaybackFinished", playback={"id": "ann-0", "state": "done"})
        await service.on_event(parse_event(finished))
        await service.shutdown()

    bridged = seen.index("POST bridges/ehd-call-caller-1/addChannel")
    stopped = [i for i, r in enumerate(seen) if r.startswith("DELETE playbacks/ann-")]
    assert len(stopped) == 3 and max(stopped) < bridged, seen
    assert seen.index("LOG CONNECT") > bridged, seen
    assert "POST channels/caller-1/moh" not in seen, "music started under the agent"
    assert service.audio.sound("caller-1").value == "party"
