"""Notifications over a real database: a mention and a ticket given by a colleague are kept
for a user who is not online; their bell counts them; opening one marks it read; no one sees
another's; giving oneself a ticket or naming oneself tells no one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Notification, Role, Ticket, User
from ehd.platform import create_platform_app
from ehd.tickets.service import create_ticket
from tests.harness.web_client import csrf_token, log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as web:
        await create_user("boss", "boss-pass", role=Role.SUPERVISOR)
        await create_user("bob", "bob-pass", role=Role.AGENT)
        await create_user("eve", "eve-pass", role=Role.AGENT)
        await log_in(web, "boss", "boss-pass")
        yield web


async def post(client: Client, path: str, data: dict[str, str]) -> aiohttp.ClientResponse:
    token = csrf_token(await (await client.get("/notifications")).text())
    return await client.post(path, data={"csrf_token": token, **data})


async def test_mentions_and_given_tickets_wait_for_the_user(client: Client) -> None:
    ticket = await create_ticket("Printer", "", "manual", None, [])
    await post(client, f"/tickets/{ticket.number}/note", {"text": "@bob look, and @boss too"})
    await post(client, f"/tickets/{ticket.number}/change", {"agent": "bob"})
    await post(client, f"/tickets/{ticket.number}/change", {"agent": "boss"})  # oneself: none
    assert await Notification.filter(user__username="boss").count() == 0

    client.session.cookie_jar.clear()
    await log_in(client, "bob", "bob-pass")
    bell = await (await client.get("/api/notifications")).json()
    assert bell["unread"] == 2
    assert [n["kind"] for n in bell["latest"]] == ["assigned", "mention"]
    assert f"ticket {ticket.number}" in bell["latest"][1]["text"]
    mention = bell["latest"][1]
    assert mention["link"].startswith(f"/tickets/{ticket.number}#entry-")
    opened = await post(client, "/notifications/read", {"id": str(mention["id"])})
    assert opened.status == 200 and opened.url.path == f"/tickets/{ticket.number}"
    assert (await (await client.get("/api/notifications")).json())["unread"] == 1
    page = await (await client.get("/notifications")).text()
    assert page.count('class="card notification unread"') == 1
    await post(client, "/notifications/read", {})
    assert (await (await client.get("/api/notifications")).json())["unread"] == 0

    client.session.cookie_jar.clear()
    await log_in(client, "eve", "eve-pass")  # bob's are not eve's to read or mark
    mine = await Notification.filter(user__username="bob").first()
    assert mine is not None
    await Notification.filter(id=mine.id).update(read_at=None)
    await post(client, "/notifications/read", {"id": str(mine.id)})
    assert (await Notification.get(id=mine.id)).read_at is None
    assert (await (await client.get("/api/notifications")).json()) == {"unread": 0, "latest": []}
    for odd in ("²", "-1", "x" * 50):
        response = await post(client, "/notifications/read", {"id": odd})
        assert response.status == 400
    bob = await User.get(username="bob")
    assert await Ticket.filter(agent=bob).count() == 0  # boss took it back
