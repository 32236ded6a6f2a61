"""Texts and calls meet the CRM: a text becomes a ticket of the sender's contact (found by
number, or made in the company whose series covers it), later texts continue it, the agent's
answer goes back by text, and a caller's number finds their contact or company."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.crm.directory import match_email, match_phone
from ehd.db.models import Contact, ContactPoint, Role, Ticket, TicketEntry
from ehd.platform import create_platform_app
from tests.harness.web_client import log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]
TOKEN = "gateway-secret-0123456789"


@pytest.fixture
async def agent(tmp_path: Path) -> AsyncIterator[Client]:
    config = Config(data_dir=tmp_path, sms_inbound_token=TOKEN)
    app = create_platform_app(config, telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        await create_user("agent", "agent-pass", role=Role.AGENT)
        await log_in(client, "agent", "agent-pass")
        yield client


async def text(client: Client, body: dict[str, Any], token: str = TOKEN) -> tuple[int, Any]:
    response = await client.post(
        "/api/sms/inbound", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status, await response.json()


def outbox(tmp_path: Path) -> list[dict[str, str]]:
    path = tmp_path / "logs" / "sms-outbox.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_texts_become_a_ticket_of_the_company_and_get_answers_by_text(
    agent: Client, tmp_path: Path
) -> None:
    response = await agent.post(
        "/api/companies", json={"name": "Acme", "phone_series": ["070-12*"]}
    )
    company = await response.json()
    status, first = await text(agent, {"from": "070-123 45 67", "text": "My router is dead\nHelp"})
    assert status == 201 and first["new"] is True
    ticket = await Ticket.get(number=first["ticket"]).prefetch_related("contact")
    assert ticket.source == "sms" and ticket.subject == "My router is dead"
    assert ticket.contact is not None and ticket.contact.phones == ["+46701234567"]
    assert ticket.contact.company_id == company["id"]

    status, second = await text(agent, {"from": "+46701234567", "text": "Still dead"})
    assert status == 201 and second == {"ticket": first["ticket"], "new": False}
    kinds = await TicketEntry.filter(ticket=ticket).order_by("id").values_list("kind", "text")
    assert kinds == [("sms_in", "My router is dead\nHelp"), ("sms_in", "Still dead")]

    response = await agent.post(f"/api/tickets/{ticket.number}/reply", json={"text": "Restart it"})
    assert response.status == 201, await response.text()
    assert outbox(tmp_path)[-1]["to"] == "+46701234567"
    assert outbox(tmp_path)[-1]["text"] == "Restart it"
    assert await TicketEntry.filter(ticket=ticket, kind="sms_out").count() == 1


async def test_the_text_door_refuses_strangers_and_bad_input(agent: Client) -> None:
    assert (await text(agent, {"from": "0701234567", "text": "hi"}, token="guess"))[0] == 401
    status, body = await text(agent, {"from": "not a number", "text": "hi"})
    assert status == 400 and body["details"]["field"] == "from"
    status, body = await text(agent, {"from": "0701234567", "text": "x" * 5000})
    assert status == 400 and "at most" in body["message"]
    assert (await text(agent, {"from": "0701234567"}))[0] == 400
    assert await Ticket.all().count() == 0


async def test_without_a_token_there_is_no_text_door(tmp_path: Path) -> None:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    async with TestClient(TestServer(app)) as client:
        response = await client.post("/api/sms/inbound", json={"from": "070", "text": "x"})
        assert response.status == 404


async def test_callers_and_senders_are_found_by_the_index(agent: Client) -> None:
    response = await agent.post(
        "/api/companies", json={"name": "Bolaget", "phone_series": ["08-55*"]}
    )
    company = await response.json()
    anna = {"name": "Anna", "emails": ["Anna@Example.se"], "phones": ["070-111 22 33"],
            "company_id": company["id"]}  # fmt: skip
    response = await agent.post("/api/contacts", json=anna)
    contact = await response.json()
    assert await ContactPoint.filter(contact_id=contact["id"]).count() == 2

    found = await match_phone("0046 70 111 22 33")
    assert found is not None and found.contact_id == contact["id"]
    assert found.company_id == company["id"]
    by_series = await match_phone("08-55 12 34")
    assert by_series is not None and (by_series.contact_id, by_series.company_id) == (
        None, company["id"])  # fmt: skip
    assert await match_phone("031-123456") is None
    assert await match_phone("anonymous") is None
    by_mail = await match_email("anna@example.SE ")
    assert by_mail is not None and by_mail.contact_id == contact["id"]
    assert await Contact.all().count() == 1
