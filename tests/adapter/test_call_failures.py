"""How the Stasis app classifies an ARI error on a call: the caller left, or a real failure.

Asterisk stands in as a small REST server that fails the answer; the database is real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from ehd.ari.client import AriClient
from ehd.ari.events import parse_event
from ehd.audio.prompts import SoundLibrary
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import CallRecord
from ehd.stasis.application import FALLBACK_CONTEXT, CallApplication

START = {
    "type": "StasisStart",
    "application": "ehd",
    "args": ["inbound", "9999"],
    "channel": {
        "id": "caller-1",
        "name": "PJSIP/trunk-1",
        "state": "Ring",
        "caller": {"name": "", "number": "+46701234567"},
        "dialplan": {"exten": "9999"},
        "creationtime": "",
        "language": "en",
    },
}


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    await open_database(database_url)
    yield
    await close_database()


async def run_call(tmp_path: Path, *, answer_status: int, channel_alive: bool) -> list[str]:
    """One call to an unknown number whose answer fails; the REST requests ehd made."""
    requests: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        requests.append(f"{request.method} {request.path_qs}")
        # An unused number is refused without answering: its early-media message is the
        # first step that can meet a vanished channel.
        if request.path.endswith("/answer") or "/play/" in request.path:
            return web.json_response({"message": "Channel not found"}, status=answer_status)
        if request.method == "GET" and request.path == "/ari/channels/caller-1":
            if channel_alive:
                return web.json_response(START["channel"])
            return web.json_response({"message": "Channel not found"}, status=404)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    (tmp_path / "en").mkdir(exist_ok=True)
    (tmp_path / "en" / "not-in-service.wav").write_bytes(b"RIFF")
    async with TestServer(app) as server, aiohttp.ClientSession() as http:
        ari = AriClient(http, str(server.make_url("/ari")), "ehd", "secret")
        calls = CallApplication(ari, "ehd", SoundLibrary(tmp_path))
        await calls.on_event(parse_event(START))
        await calls.tasks["caller-1"]
    return requests


async def test_a_caller_gone_before_the_answer_is_a_hangup_not_a_failure(
    database: None, tmp_path: Path
) -> None:
    requests = await run_call(tmp_path, answer_status=400, channel_alive=False)
    record = await CallRecord.get(call_id="caller-1")
    assert record.result == "caller_hangup"
    assert not any("/continue" in r for r in requests)


async def test_an_ari_failure_on_a_live_call_sends_the_caller_to_the_fallback(
    database: None, tmp_path: Path
) -> None:
    requests = await run_call(tmp_path, answer_status=500, channel_alive=True)
    record = await CallRecord.get(call_id="caller-1")
    assert record.result == "failed"
    continues = [r for r in requests if r.startswith("POST /ari/channels/caller-1/continue")]
    assert continues and f"context={FALLBACK_CONTEXT}" in continues[0]
