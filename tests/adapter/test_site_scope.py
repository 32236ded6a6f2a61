"""An agent restricted to their sites sees only those sites' rows (and rows of no site) on
every path: picking the next ticket, the chat list and a chat's page, taking it, the CRM
lists and records. Each path once leaked another site's rows."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.chat.service import start_chat
from ehd.config import Config
from ehd.db.models import (
    ChatSession,
    Company,
    Contact,
    Role,
    Site,
    Ticket,
    TicketChange,
    TicketEntry,
    User,
)
from ehd.platform import create_platform_app
from ehd.tickets.service import change, create_ticket
from tests.harness.web_client import csrf_token, session_as


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[TestServer]:
    server = TestServer(create_platform_app(Config(data_dir=tmp_path), telephony=False))
    async with server:
        await create_user("agent", "agent-pass", role=Role.AGENT)
        await User.filter(username="agent").update(sites=["NORTH"], site_restricted=True)
        yield server


async def test_a_site_restricted_agent_sees_nothing_of_other_sites(app: TestServer) -> None:
    north, south = await Site.create(code="NORTH"), await Site.create(code="SOUTH")
    southern = await create_ticket("South's problem", "", "manual", None, [])
    await change(southern, "test", "site_id", south.id)
    south_chat = await start_chat(south, "Sven", "sven@example.com", "Hej from the south")
    await start_chat(north, "Nora", "nora@example.com", "Hello from the north")
    south_company = await Company.create(name="Southern AB", site=south)
    south_person = await Contact.create(name="Sune Syd", company=south_company)
    north_company = await Company.create(name="Northern AB", site=north)

    agent = await session_as(app, "agent")
    try:
        response = await agent.post("/api/tickets/next", json={})
        assert response.status == 200 and (await response.json())["number"] != southern.number
        response = await agent.post("/api/tickets/next", json={})
        assert response.status == 404, "another site's ticket was handed out"

        listing = await (await agent.get("/chats")).text()
        assert "Nora" in listing and "Sven" not in listing
        assert (await agent.get(f"/chats/{south_chat.id}")).status == 404
        assert (await agent.get(f"/chats/{south_chat.id}/messages")).status == 404
        take = await agent.post(f"/chats/{south_chat.id}/take",
                                data={"csrf_token": csrf_token(listing)})  # fmt: skip
        assert take.status == 404
        counts = await (await agent.get("/api/chats/counts")).json()
        assert counts["waiting"] == 1  # the northern chat alone

        companies = await (await agent.get("/crm/companies")).text()
        assert "Northern AB" in companies and "Southern AB" not in companies
        contacts = await (await agent.get("/crm/contacts")).text()
        assert "Sune Syd" not in contacts
        assert (await agent.get(f"/crm/companies/{south_company.id}")).status == 404
        assert (await agent.get(f"/crm/contacts/{south_person.id}")).status == 404
        assert (await agent.get(f"/crm/companies/{north_company.id}")).status == 200
    finally:
        await agent.close()


ROW_PARAMETERS = {"number", "id", "entry"}  # path parts that name a ticket, chat, CRM row…


async def test_every_route_that_names_a_row_keeps_another_sites_row_out(
    app: TestServer,
) -> None:
    """The walls were added path by path, and each new path could forget them. This walks
    every route of the app that names a ticket, a chat or a CRM row, as a restricted agent,
    with the other site's row: nothing may be shown or changed. A new route that skips the
    scoping layer fails here without anyone writing a test for it."""
    south = await Site.create(code="SOUTH")
    await Site.create(code="NORTH")
    secret = await create_ticket("Southern secret", "Southern description", "manual", None, [])
    await change(secret, "test", "site_id", south.id)
    chat = await start_chat(south, "Sven", "sven@example.com", "Southern chat secret")
    company = await Company.create(name="Southern secret AB", site=south)
    person = await Contact.create(name="Southern secret person", company=company)
    rows = {
        "/tickets": secret.number,
        "/api/tickets": secret.number,
        "/chats": chat.id,
        "/api/chats": chat.id,
        "/crm/companies": company.id,
        "/crm/contacts": person.id,
    }
    before = (await Ticket.all().count(), await TicketEntry.all().count(),
              await TicketChange.all().count(),
              await ChatSession.all().values_list("state", "agent_id"))  # fmt: skip

    agent = await session_as(app, "agent")
    walked = []
    try:
        token = csrf_token(await (await agent.get("/")).text())
        for route in app.app.router.routes():
            resource = route.resource.canonical if route.resource else ""
            names = set(re.findall(r"\{(\w+)", resource))
            prefix = next((p for p in rows if resource.startswith(p + "/{")), None)
            if route.method == "HEAD" or prefix is None or not names & ROW_PARAMETERS:
                continue
            path = re.sub(r"\{\w+[^}]*\}", str(rows[prefix]), resource)
            if route.method == "GET":
                response = await agent.get(path)
            else:
                response = await agent.request(route.method, path, json={},
                                               headers={"X-CSRF-Token": token})  # fmt: skip
            body = await response.text()
            walked.append(f"{route.method} {resource}")
            assert response.status in (400, 403, 404, 405), f"{route.method} {path}: {body}"
            assert "Southern" not in body, f"{route.method} {path} shows the other site"
    finally:
        await agent.close()
    after = (await Ticket.all().count(), await TicketEntry.all().count(),
             await TicketChange.all().count(),
              await ChatSession.all().values_list("state", "agent_id"))  # fmt: skip
    assert after == before and (await Ticket.get(id=secret.id)).updated_at == secret.updated_at
    assert len(walked) >= 20, walked  # the walk found the routes (a broken walk finds none)
