"""People read words, not codes: the ticket screens, the search page, a contact's page and the
customer's ticket page, in English and in Swedish, show no stored code (``with_contact``,
``mail_out``, ``resting_until``...) as text. A code added without a label fails here."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ehd.config import Config
from ehd.db.models import Contact, Role, TicketEntry, User
from ehd.tickets.links import token_for
from ehd.tickets.service import create_ticket
from ehd.tickets.status import Status
from ehd.web.keys import SIGNING_KEY
from tests.harness.web_client import app_client

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
KINDS = ("note", "mail_in", "mail_out", "customer", "sms_in", "sms_out", "chat_in", "chat_out",
         "chat_event", "action", "solution")  # fmt: skip


class VisibleText(HTMLParser):
    """The text a reader sees: character data outside script and style."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def codes_shown(page: str) -> set[str]:
    reader = VisibleText()
    reader.feed(page)
    return set(CODE.findall(" ".join(reader.parts)))


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    async with app_client(Config(data_dir=tmp_path), {"boss": Role.SUPERVISOR}, "boss") as web:
        yield web


@pytest.mark.parametrize("language", ["en", "sv"])
async def test_no_page_shows_a_stored_code(client: Client, language: str) -> None:
    await User.filter(username="boss").update(language=language)
    anna = await Contact.create(name="Anna", emails=["anna@example.com"])
    tickets = []
    for n, status in enumerate(Status):
        ticket = await create_ticket(f"Printer {n}", "", "email", anna, [])
        ticket.status = status
        await ticket.save()
        tickets.append(ticket)
    for kind in KINDS:
        await TicketEntry.create(ticket=tickets[0], kind=kind, text="An entry")
    token = token_for(tickets[0].number, client.app[SIGNING_KEY])
    for path in ("/", "/tickets", f"/tickets/{tickets[0].number}", "/tickets?status=closed",
                 "/search?q=printer", f"/crm/contacts/{anna.id}", f"/t/{token}",
                 "/tickets?col=status&col=priority&col=source&col=subject"):  # fmt: skip
        page = await (await client.get(path)).text()
        assert codes_shown(page) == set(), (language, path)
    page = await (await client.get(f"/tickets/{tickets[0].number}")).text()
    expected = "Väntar på kunden" if language == "sv" else "Waiting for the customer"
    assert expected in page
