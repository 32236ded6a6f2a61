"""Admin API for filters, mailboxes, sites and the CRM: bad input is refused when saved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role, TicketFilter
from ehd.platform import create_platform_app
from tests.harness.web_client import log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def admin(tmp_path: Path) -> AsyncIterator[Client]:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        await log_in(client, "admin", "admin-pass")
        yield client


async def put(client: Client, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = await client.put(path, json=body)
    return response.status, await response.json()


async def test_filters_with_bad_patterns_are_refused_when_saved(admin: Client) -> None:
    good = {"rules": [{"field": "subject", "words": ["invoice*"]}],
            "actions": [{"kind": "priority", "value": "high"}]}  # fmt: skip
    assert (await put(admin, "/api/ticket-filters/invoices", good))[0] == 200
    bad = {**good, "rules": [{"field": "subject", "words": ["in*voice"]}]}
    status, body = await put(admin, "/api/ticket-filters/invoices", bad)
    assert status == 400 and "only at its start or end" in body["message"]
    stored = await TicketFilter.get(name="invoices")
    assert stored.definition["rules"][0]["words"] == ["invoice*"]  # the good one stays


async def test_sites_mailboxes_and_crm(admin: Client) -> None:
    assert (await put(admin, "/api/sites/ACME", {"description": "Acme"}))[0] == 200
    status, body = await put(admin, "/api/sites/TOOLONGID", {})
    assert status == 400 and "1-8" in body["message"]
    box = {"host": "imap.example", "username": "u", "password": "p", "site": "ACME", "port": 993}
    status, _ = await put(admin, "/api/mailboxes/support", box)
    assert status == 200
    status, body = await put(admin, "/api/mailboxes/other", {"host": "x"})
    assert status == 400 and "needs host" in body["message"]
    acme = {"name": "Acme AB", "phone_series": ["08-123 45*"]}
    response = await admin.post("/api/companies", json=acme)
    company = await response.json()
    assert response.status == 201 and company["phone_series"] == ["+46812345*"]
    anna = {"name": "Anna", "emails": ["ANNA@acme.se"], "phones": ["070-123 45 67"],
            "company_id": company["id"]}  # fmt: skip
    response = await admin.post("/api/contacts", json=anna)
    assert response.status == 201
    assert (await response.json())["phones"] == ["+46701234567"]
    bad = await admin.post("/api/contacts", json={"emails": ["not-an-address"]})
    assert bad.status == 400


async def test_templates_are_checked_when_saved(admin: Client) -> None:
    from ehd.db.models import Queue

    await Queue.create(name="billing")
    template = {"subject": "Invoice question", "group": "billing", "default_priority": "high",
                "types": [{"name": "credit", "instruction": "Check the ledger first"}],
                "steps": ["Find the invoice", "Answer"], "sla_goal_minutes": 240}  # fmt: skip
    status, body = await put(admin, "/api/ticket-templates/invoice", template)
    assert status == 200 and body["default_priority"] == "high"
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"group": "nope"}, "no group"),
        ({"default_status": "sleeping"}, "unknown"),
        ({"types": [{"instruction": "x"}]}, "types is a list"),
    ]
    for bad, message in refusals:
        status, body = await put(admin, "/api/ticket-templates/invoice", bad)
        assert status == 400 and message in body["message"]
