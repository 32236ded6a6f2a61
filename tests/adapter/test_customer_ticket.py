"""The customer's ticket link: public history only, replies with files, forged links 404."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.config import Config
from ehd.db.models import Ticket, TicketAttachment, TicketEntry, TicketStatus
from ehd.instance_secrets import load_or_create_secrets
from ehd.platform import create_platform_app
from ehd.tickets.links import token_for
from ehd.tickets.service import ingest_mail
from tests.harness.web_client import csrf_token

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[tuple[Client, str]]:
    config = Config(data_dir=tmp_path)
    app = create_platform_app(config, telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        key = bytes.fromhex(load_or_create_secrets(config).signing_key)
        mail = b"From: anna@example.com\r\nSubject: Broken phone\r\n\r\nIt does not start.\r\n"
        result = await ingest_mail(mail, key, tmp_path / "mail")
        ticket = await Ticket.get(number=result.ticket_number)
        await TicketEntry.create(ticket=ticket, kind="note", public=False, author="bob",
                                 text="INTERNAL: customer is difficult")  # fmt: skip
        ticket.status = TicketStatus.SOLVED
        await ticket.save()
        yield client, token_for(ticket.number, key)


async def test_the_customer_sees_public_history_and_can_reply_with_a_file(
    client: tuple[Client, str],
) -> None:
    http, token = client
    page = await http.get(f"/t/{token}")
    html = await page.text()
    assert page.status == 200 and "Broken phone" in html and "It does not start." in html
    assert "INTERNAL" not in html and "difficult" not in html
    form = aiohttp.FormData()
    form.add_field("csrf_token", csrf_token(html))
    form.add_field("text", "Still broken after the update.")
    form.add_field("file", io.BytesIO(b"photo-bytes"), filename="photo.jpg",
                   content_type="image/jpeg")  # fmt: skip
    reply = await http.post(f"/t/{token}", data=form)
    assert reply.status == 200 and "Still broken after the update." in await reply.text()
    ticket = await Ticket.get(subject="Broken phone")
    assert ticket.status == "open"  # back with the agents
    assert await TicketAttachment.filter(ticket=ticket, filename="photo.jpg").exists()


async def test_forged_or_unknown_links_reveal_nothing(client: tuple[Client, str]) -> None:
    http, token = client
    number = token.split("-")[0]
    for bad in (f"{number}-AAAAAAAAAAAAAAAAAAAAAA", "999999-" + token.split("-")[1], "nonsense"):
        response = await http.get(f"/t/{bad}")
        body = await response.text()
        assert response.status == 404 and "Broken phone" not in body


async def test_a_reply_without_the_form_token_is_refused(client: tuple[Client, str]) -> None:
    http, token = client
    response = await http.post(f"/t/{token}", data={"text": "forged"})
    assert response.status == 403
    assert not await TicketEntry.filter(text="forged").exists()


async def _reply(http: Client, token: str, files: int = 0, size: int = 10) -> int:
    page = await http.get(f"/t/{token}")
    form = aiohttp.FormData()
    form.add_field("csrf_token", csrf_token(await page.text()))
    form.add_field("text", "More details.")
    for n in range(files):
        form.add_field("file", io.BytesIO(b"x" * size), filename=f"f{n}.txt",
                       content_type="text/plain")  # fmt: skip
    return (await http.post(f"/t/{token}", data=form)).status


async def test_replies_are_limited_in_files_and_per_address(client: tuple[Client, str]) -> None:
    """A link once took 80 MB in 0.7 s: files are limited in number and size, and one address
    may send a few replies at once, then about two a minute."""
    http, token = client
    assert await _reply(http, token, files=6) == 400
    assert await _reply(http, token, files=1, size=10 * 1024 * 1024 + 1) == 413
    statuses = [await _reply(http, token) for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    assert await TicketEntry.filter(kind="customer").count() == 5


async def test_a_link_expires_some_days_after_the_ticket_is_done(
    client: tuple[Client, str],
) -> None:
    http, token = client
    assert (await http.get(f"/t/{token}")).status == 200  # solved just now
    long_ago = datetime.now(UTC) - timedelta(days=31)
    await Ticket.filter(subject="Broken phone").update(updated_at=long_ago)
    response = await http.get(f"/t/{token}")
    assert response.status == 410 and "expired" in await response.text()
    await Ticket.filter(subject="Broken phone").update(status="open")
    assert (await http.get(f"/t/{token}")).status == 200  # open again: the link works
