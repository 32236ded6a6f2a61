"""The embeddable contact form and the sites screen: only the site's own origins may frame
the form, what is sent becomes a ticket of the site, robots and floods get nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role, Site, Ticket
from ehd.platform import create_platform_app
from tests.harness.web_client import csrf_token, session_as


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[TestServer]:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    running = TestServer(app)
    async with running:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        yield running


async def test_sites_list_who_may_embed_their_form(server: TestServer) -> None:
    admin = await session_as(server, "admin")
    try:
        async with admin.get("/admin/sites") as page:
            token = csrf_token(await page.text())
        origins = "https://www.acme.example\nhttp://shop.acme.example:8080"
        form = {"csrf_token": token, "code": "ACME", "description": "Acme", "email_sender": "",
                "greeting": "Hello from Acme", "agent_instruction": "",
                "embed_origins": origins}  # fmt: skip
        async with admin.post("/admin/sites", data=form) as response:
            assert response.status == 200 and "/form/ACME" in await response.text()
        site = await Site.get(code="ACME")
        assert site.embed_origins == ["https://www.acme.example", "http://shop.acme.example:8080"]
        bad = {**form, "embed_origins": "https://www.acme.example/contact"}
        async with admin.post("/admin/sites", data=bad) as response:
            assert response.status == 400 and "no path" in await response.text()
        async with admin.post("/admin/sites", data={**form, "code": "TOO-LONG-1"}) as response:
            assert response.status == 400
    finally:
        await admin.close()


async def test_the_form_is_framed_only_by_its_site_and_makes_tickets(server: TestServer) -> None:
    await Site.create(code="ACME", greeting="Hello from Acme",
                      embed_origins=["https://www.acme.example"])  # fmt: skip
    async with aiohttp.ClientSession(base_url=server.make_url("/")) as visitor:
        async with visitor.get("/form/ACME") as page:
            policy = page.headers["Content-Security-Policy"]
            assert "frame-ancestors 'self' https://www.acme.example" in policy
            assert "script-src 'self'" in policy and "Hello from Acme" in await page.text()
        async with visitor.get("/status") as page:  # every other page: never framed
            assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        async with visitor.get("/form/NOPE") as page:
            assert page.status == 404
        message = {"name": "Eva", "email": "eva@example.com", "subject": "Delivery",
                   "message": "Where is my parcel?"}  # fmt: skip
        async with visitor.post("/form/ACME", data=message) as response:  # no session, no token
            text = await response.text()
            assert response.status == 200 and "Your ticket number is" in text
        ticket = await Ticket.get(subject="Delivery").prefetch_related("site", "contact")
        assert ticket.source == "form" and ticket.site is not None and ticket.site.code == "ACME"
        assert ticket.contact is not None and ticket.contact.emails == ["eva@example.com"]
        async with visitor.post("/form/ACME", data={**message, "email": "eva"}) as response:
            assert response.status == 400 and "email address" in await response.text()
        async with visitor.post("/form/ACME", data={**message, "website": "spam"}) as response:
            assert response.status == 200  # a robot is told nothing
        assert await Ticket.filter(source="form").count() == 1
        for _ in range(3):
            async with visitor.post("/form/ACME", data=message) as response:
                last = response.status
        assert last == 429  # five sends per address, then wait


async def test_a_form_that_is_not_utf8_or_meets_a_locked_database_gets_a_clear_answer(
    server: TestServer, tmp_path: Path
) -> None:
    """Bytes that are not UTF-8 answered 500; a database held by another writer answered 500
    after the wait. Now: 400, and 503 with Retry-After, and no ticket either way."""
    await Site.create(code="ACME")
    url = str(server.make_url("/form/ACME"))
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    async with aiohttp.ClientSession() as visitor:
        raw = b"name=Eva&email=eva%40example.com&subject=\xff\xfe&message=hi"
        async with visitor.post(url, data=raw, headers=form_type) as response:
            assert response.status == 400 and "UTF-8" in await response.text()

        holder = sqlite3.connect(tmp_path / "ehd.sqlite3", timeout=1)
        holder.execute("BEGIN EXCLUSIVE")  # another writer holds the database
        try:
            message = {"name": "Eva", "email": "eva@example.com", "subject": "Hi",
                       "message": "Is anyone there?"}  # fmt: skip
            async with visitor.post(url, data=message) as response:
                assert response.status == 503 and response.headers["Retry-After"] == "2"
        finally:
            holder.rollback()
            holder.close()
    assert not await Ticket.exists()
