"""Notifications over a real database: a mention and a ticket given by a colleague are kept
for a user who is not online; their bell counts them; opening one marks it read; no one sees
another's; giving oneself a ticket or naming oneself tells no one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ehd.accounts.service import create_user
from ehd.chat.service import start_chat
from ehd.config import Config
from ehd.db.models import Notification, Queue, QueueMember, Role, Site, Ticket, User
from ehd.tickets.service import change, create_ticket
from tests.harness.web_client import app_client, csrf_token, log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    users = {"boss": Role.SUPERVISOR, "bob": Role.AGENT, "eve": Role.AGENT}
    async with app_client(Config(data_dir=tmp_path), users, "boss") as web:
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

    bob.language = "sv"  # each reader in their own language, whoever wrote
    await bob.save()
    await Notification.filter(user_id=bob.id).update(read_at=None)
    client.session.cookie_jar.clear()
    await log_in(client, "bob", "bob-pass")
    page = await (await client.get("/notifications")).text()
    assert f"boss nämnde dig i ärende {ticket.number}: Printer" in page
    bell = await (await client.get("/api/notifications")).json()
    assert bell["latest"][0]["text"] == f"boss gav dig ärende {ticket.number}: Printer"


async def test_new_tickets_in_my_groups_and_waiting_chats_as_my_workspace_says(
    client: Client,
) -> None:
    bob, eve, boss = [await User.get(username=name) for name in ("bob", "eve", "boss")]
    support = await Queue.create(name="support")
    for member in (bob, eve, boss):
        await QueueMember.create(user=member, queue=support)
    eve.workspace = {"notify_new_tickets": False, "notify_chats": False}
    await eve.save()
    ticket = await create_ticket("Printer", "", "manual", None, [])
    await change(ticket, "boss", "group_id", support.id)  # boss routed it: he knows
    told = await Notification.filter(kind="new_ticket").values_list("user__username", flat=True)
    assert sorted(str(name) for name in told) == ["bob"]
    taken = await create_ticket("Taken", "", "manual", None, [])
    await change(taken, "boss", "agent_id", bob.id)
    await change(taken, "boss", "group_id", support.id)  # someone's already: no one is told
    assert await Notification.filter(kind="new_ticket").count() == 1

    site = await Site.create(code="north", name="North")
    for user in (bob, eve):
        user.chat_ready = True
        await user.save()
    await create_user("amy", "amy-pass", role=Role.AGENT)
    await User.filter(username="amy").update(chat_ready=True, site_restricted=True,
                                             sites=["south"])  # fmt: skip
    await start_chat(site, "Vera", "", "Hello?")
    told = await Notification.filter(kind="chat_waiting").values_list("user__username", flat=True)
    assert sorted(str(name) for name in told) == ["bob"]  # eve said no; amy sees no north
    waiting = await Notification.get(kind="chat_waiting")
    assert waiting.text == "Vera waits for a chat" and waiting.link == "/chats"
    assert waiting.details == {"who": "Vera"}
