"""The start page per role: an agent sees their own open tickets, the calls waiting in their
own queues (not in others'), the chats waiting and their unread notifications; a supervisor
sees the floor."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ehd.config import Config
from ehd.db.models import (
    AgentSession,
    ChatSession,
    Queue,
    QueuedCall,
    QueueMember,
    Role,
    Ticket,
    User,
)
from ehd.tickets.service import create_ticket
from tests.harness.web_client import app_client, log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    users = {"boss": Role.SUPERVISOR, "bob": Role.AGENT}
    async with app_client(Config(data_dir=tmp_path), users) as web:
        yield web


def section(page: str, name: str) -> str:
    return page.split(f'id="start-{name}"')[1].split("</section>")[0]


async def test_each_role_starts_with_what_needs_them(client: Client) -> None:
    bob = await User.get(username="bob")
    sales, support = await Queue.create(name="sales"), await Queue.create(name="support")
    await QueueMember.create(user=bob, queue=support)
    now = time.time()
    await QueuedCall.create(call_id="c1", queue_name="support", entered_at=now - 95)
    await QueuedCall.create(call_id="c2", queue_name="support", entered_at=now - 10)
    await QueuedCall.create(call_id="c3", queue_name=sales.name, entered_at=now - 300)
    mine = await create_ticket("Bob's printer", "", "manual", None, [])
    await Ticket.filter(id=mine.id).update(agent_id=bob.id, status="open")
    await create_ticket("Nobody's router", "", "manual", None, [])
    chat_ticket = await create_ticket("Chat", "", "chat", None, [])
    await ChatSession.create(token="t" * 32, ticket=chat_ticket, visitor_name="Vera")
    await AgentSession.create(user=bob, device="PJSIP/1001", queues=["support"])

    await log_in(client, "bob", "bob-pass")
    page = await (await client.get("/")).text()
    calls = section(page, "calls")
    assert "support</strong>: 2" in calls and "1:35" in calls and "sales" not in calls
    assert "Vera" in section(page, "chats")
    tickets = section(page, "tickets")
    assert "Bob&#39;s printer" in tickets and "router" not in tickets
    assert 'id="start-floor"' not in page

    client.session.cookie_jar.clear()
    await log_in(client, "boss", "boss-pass")
    page = await (await client.get("/")).text()
    floor = section(page, "floor")
    assert "Agents logged in</dt><dd>1 · Ready 1" in floor
    assert 'Open tickets</dt><dd><a href="/tickets">3</a>' in floor
    assert "Not assigned</dt><dd>2" in floor
    assert "sales</strong>: 1" in section(page, "calls")  # every queue
