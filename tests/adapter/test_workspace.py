"""My workspace, as an agent sets it on its page: new unassigned tickets of my groups in my
in-tray, statuses that take a ticket out of it (the in-tray's poll follows), opening an
unassigned ticket makes it mine, and replying or noting makes me watch; bad values are
refused and change nothing."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ehd.db.models import Contact, Queue, QueueMember, Role, Ticket, User
from ehd.tickets.service import create_ticket
from tests.harness.mail_sink import mail_sink
from tests.harness.web_client import app_client, csrf_token, mailing

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    with mail_sink() as sink:
        async with app_client(mailing(tmp_path, sink), {"bob": Role.AGENT}, "bob") as web:
            yield web


async def save(client: Client, fields: list[tuple[str, str]]) -> aiohttp.ClientResponse:
    token = csrf_token(await (await client.get("/workspace")).text())
    return await client.post("/workspace", data=[("csrf_token", token), *fields])


def in_tray(page: str) -> list[int]:
    return sorted(int(n) for n in re.findall(r'<tr data-number="([0-9]+)"', page))


async def test_my_workspace_shapes_my_in_tray_and_my_work(client: Client) -> None:
    bob = await User.get(username="bob")
    support, sales = await Queue.create(name="support"), await Queue.create(name="sales")
    await QueueMember.create(user=bob, queue=support)
    own = await create_ticket("Mine", "", "manual", None, [])
    waiting = await create_ticket("Mine, waiting", "", "manual", None, [])
    group_new = await create_ticket("New in support", "", "manual", None, [])
    other_group = await create_ticket("New in sales", "", "manual", None, [])
    await Ticket.filter(id__in=[own.id, waiting.id]).update(agent_id=bob.id, status="open")
    await Ticket.filter(id=waiting.id).update(status="with_contact")
    await Ticket.filter(id=group_new.id).update(group_id=support.id)
    await Ticket.filter(id=other_group.id).update(group_id=sales.id)

    page = await (await client.get("/tickets?mine=1")).text()
    assert in_tray(page) == sorted([own.number, waiting.number])
    before = await (await client.get("/api/tickets/inbox")).json()
    chosen = [("inbox_new", "groups"), ("inbox_hide", "with_contact"), ("take_on_open", "on"),
              ("watch_on_activity", "on")]  # fmt: skip
    response = await save(client, chosen)
    assert response.status == 200 and "Saved." in await response.text()
    page = await (await client.get("/tickets?mine=1")).text()
    assert in_tray(page) == sorted([own.number, group_new.number])
    after = await (await client.get("/api/tickets/inbox")).json()  # the poll sees the change
    assert after["count"] == 2 and after["version"] != before["version"]

    await client.get(f"/tickets/{group_new.number}")  # opening it makes it mine
    assert (await Ticket.get(id=group_new.id)).agent_id == bob.id
    await client.get(f"/tickets/{other_group.number}")
    assert (await Ticket.get(id=other_group.id)).agent_id == bob.id  # any unassigned one

    anna = await Contact.create(name="Anna", emails=["anna@example.com"])
    await Ticket.filter(id=own.id).update(contact_id=anna.id)
    token = csrf_token(await (await client.get(f"/tickets/{own.number}")).text())
    await client.post(f"/tickets/{own.number}/note", data={"csrf_token": token, "text": "Hm"})
    assert bob.id in (await Ticket.get(id=own.id)).watchers

    response = await save(client, [("inbox_new", "everything"), ("inbox_hide", "closed")])
    assert response.status == 400
    assert "inbox_new is none or groups" in html.unescape(await response.text())
    settings = (await User.get(id=bob.id)).workspace
    assert settings["inbox_new"] == "groups" and settings["inbox_hide"] == ["with_contact"]
    response = await save(client, [("inbox_new", "none"), ("inbox_hide", "closed")])
    assert response.status == 400  # closed tickets always leave: not a choice
