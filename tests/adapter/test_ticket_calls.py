"""Calls filed under a ticket, over a real database: an agent who took part in a call files it
under a ticket; the ticket's page then lists it with its recording, which a colleague who
sees the ticket may play though they were not on the call. Nobody files a call they were
not on; a bad ticket is a 400, an unknown one a 404."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import CallRecord, Role, Ticket
from ehd.platform import create_platform_app
from tests.harness.web_client import client_logged_in, csrf_token


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[TestServer, Config]]:
    config = Config(data_dir=tmp_path)
    server = TestServer(create_platform_app(config, telephony=False))
    async with server:
        await create_user("alice", "alice-pass", role=Role.AGENT)
        await create_user("bob", "bob-pass", role=Role.AGENT)
        yield server, config


async def test_a_call_filed_under_a_ticket_plays_for_whoever_sees_the_ticket(
    app: tuple[TestServer, Config],
) -> None:
    server, config = app
    recorded = config.paths.recordings / "calls" / "c-1.wav"
    recorded.parent.mkdir(parents=True, exist_ok=True)
    recorded.write_bytes(b"RIFF" + b"\0" * 60)
    started = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    await CallRecord.create(call_id="c-1", caller_number="+46701234567", agent="alice",
                            started_at=started, recording=str(recorded))  # fmt: skip
    await Ticket.create(number=7001, subject="Broken invoice")
    alice, bob = await client_logged_in(server, "alice"), await client_logged_in(server, "bob")
    try:
        headers = {"X-CSRF-Token": csrf_token(await (await bob.get("/tickets/7001")).text())}
        async with bob.get("/calls/c-1/recording") as before:
            assert before.status == 403  # not his call, and filed nowhere yet
        async with bob.post("/api/calls/c-1/ticket", json={"ticket": 7001},
                            headers=headers) as refused:  # fmt: skip
            assert refused.status == 403, await refused.text()
        headers = {"X-CSRF-Token": csrf_token(await (await alice.get("/tickets/7001")).text())}
        for bad, status in (({"ticket": "seven"}, 400), ({"ticket": 9999}, 404), ({}, 400)):
            async with alice.post("/api/calls/c-1/ticket", json=bad, headers=headers) as answer:
                assert answer.status == status, (bad, await answer.text())
        async with alice.post("/api/calls/c-1/ticket", json={"ticket": 7001},
                              headers=headers) as filed:  # fmt: skip
            assert filed.status == 200, await filed.text()
            assert await filed.json() == {"call_id": "c-1", "ticket": 7001}
        page = await (await bob.get("/tickets/7001")).text()
        assert 'data-call="c-1"' in page and "/calls/c-1/recording?part=1" in page
        async with bob.get("/calls/c-1/recording") as heard:
            assert heard.status == 200 and heard.content_type == "audio/wav"
        record = await CallRecord.get(call_id="c-1")
        assert record.ticket_id == (await Ticket.get(number=7001)).id
    finally:
        await alice.close()
        await bob.close()
