"""Classification codes on calls, through the API, on a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import CallRecord, Role
from ehd.platform import create_platform_app
from tests.harness.web_client import log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def app_client(tmp_path: Path) -> AsyncIterator[Client]:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        await create_user("alice", "alice-pass")
        await create_user("bob", "bob-pass-1")
        await log_in(client, "admin", "admin-pass")
        codes = {"codes": [{"code": "SALE", "label": "Sale"}, {"code": "INFO", "label": "Info"}]}
        assert (await client.put("/api/classifications/sales", json=codes)).status == 200
        queue = await client.put("/api/queues/sales", json={"classification": "sales"})
        assert queue.status == 200, await queue.text()
        await CallRecord.create(
            call_id="c1", started_at=datetime.now(UTC), queue_name="sales", agent="alice"
        )
        await client.post("/logout", data={})
        yield client


async def test_the_answering_agent_classifies_the_call(app_client: Client) -> None:
    await log_in(app_client, "alice", "alice-pass")
    response = await app_client.post("/api/calls/c1/classification", json={"code": "SALE"})
    assert response.status == 200, await response.text()
    assert (await CallRecord.get(call_id="c1")).classification == "SALE"
    wrong = await app_client.post("/api/calls/c1/classification", json={"code": "NOPE"})
    assert wrong.status == 400 and "INFO, SALE" in (await wrong.json())["message"]


async def test_another_agent_may_not_classify_it(app_client: Client) -> None:
    await log_in(app_client, "bob", "bob-pass-1")
    response = await app_client.post("/api/calls/c1/classification", json={"code": "SALE"})
    assert response.status == 403
    assert (await CallRecord.get(call_id="c1")).classification == ""
