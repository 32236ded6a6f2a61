"""The ticket list over a real SQLite and PostgreSQL database: keyset pages that neither repeat
nor skip a row, sorting on the ticket's columns both ways, true counts, "watched by me" applied
in the query, and full-text search over subject, bodies, number and the customer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.crm.directory import save_contact
from ehd.db.lifecycle import close_database
from ehd.db.models import (
    CallRecord,
    Company,
    Contact,
    Role,
    Site,
    Ticket,
    TicketEntry,
    TicketPriority,
    User,
)
from ehd.tickets.changes import apply_changes
from ehd.tickets.options import TicketOptions
from ehd.tickets.search import matching
from ehd.tickets.service import create_ticket
from tests.harness.web_client import app_client, log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def client(tmp_path: Path, database_url: str) -> AsyncIterator[Client]:
    config = Config(data_dir=tmp_path, database_url=database_url)
    async with app_client(config, {"boss": Role.SUPERVISOR}, "boss") as web:
        yield web
    await close_database()


def numbers_on(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-number="([0-9]+)"', page)]


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', page)
    return found.group(1).replace("&amp;", "&") if found else None


async def test_pages_follow_each_other_in_any_order_without_repeats(client: Client) -> None:
    for n in range(23):
        await create_ticket(f"Ticket {n:02}", "", "manual", None, [])
    # equal sort values (every subject of one kind) still page without repeats: ties go by id
    everyone = sorted(t.number for t in await Ticket.all())
    for ticket in await Ticket.filter(number__in=everyone[3:7]):
        ticket.subject = "Same"
        await ticket.save()
    for sort, direction in (("number", "asc"), ("updated", "desc"), ("subject", "asc"),
                            ("subject", "desc"), ("created", "asc")):  # fmt: skip
        seen: list[int] = []
        address: str | None = f"/tickets?sort={sort}&dir={direction}&size=25"
        pages = []
        while address:
            page = await (await client.get(address)).text()
            assert "Tickets found: <strong>23</strong>" in page
            pages.append(page)
            seen += numbers_on(page)
            address = link(page, "next")
            if len(pages) > 5:
                break
        assert sorted(seen) == everyone and len(seen) == len(set(seen)), (sort, direction)
    one = await (await client.get("/tickets?sort=subject&dir=asc&size=25")).text()
    assert link(one, "next") is None and link(one, "prev") is None  # one page, no pager
    subjects = re.findall(r'col-subject"><a href="/tickets/[0-9]+">([^<]+)<', one)
    assert subjects == sorted(subjects)


async def test_sorting_by_priority_agent_and_contact_pages_by_their_values(
    client: Client,
) -> None:
    await create_user("amy", "amy-pass", role=Role.AGENT)
    amy, boss = await _user("amy"), await _user("boss")
    names = ("Örjan", "Bea", "adam", "Bea", "Adam")
    people = [None, *[await Contact.create(name=n) for n in names]]
    for n in range(60):  # every kind of value, and ties, over three pages
        ticket = await create_ticket(f"Case {n}", "", "manual", people[n % 6], [])
        ticket.priority = list(TicketPriority)[n % 3]
        ticket.agent = (None, amy, boss)[n % 4 % 3]
        await ticket.save()
    tickets = await Ticket.all().prefetch_related("agent", "contact")
    rank = {"low": 0, "medium": 1, "high": 2}
    keys: dict[str, dict[int, int] | dict[int, str]] = {
        "priority": {t.number: rank[t.priority] for t in tickets},
        "agent": {t.number: t.agent.username if t.agent else "" for t in tickets},
        "contact": {t.number: t.contact.name.lower() if t.contact else "" for t in tickets},
    }
    for sort, of in keys.items():
        for direction in ("asc", "desc"):
            seen: list[int] = []
            address: str | None = f"/tickets?sort={sort}&dir={direction}&size=25"
            while address and len(seen) <= 75:
                page = await (await client.get(address)).text()
                seen += numbers_on(page)
                address = link(page, "next")
            assert sorted(seen) == sorted(of) and len(seen) == 60, (sort, direction)
            values = [of[number] for number in seen]
            assert values == sorted(values, reverse=direction == "desc"), (sort, direction)
    last = await (await client.get("/tickets?sort=contact&dir=asc&size=25")).text()
    page3 = await (await client.get(str(link(last, "next")))).text()
    page3 = await (await client.get(str(link(page3, "next")))).text()
    back = await (await client.get(str(link(page3, "prev")))).text()
    assert len(numbers_on(back)) == 25 and set(numbers_on(back)).isdisjoint(numbers_on(page3))


async def test_walking_forward_and_back_by_pages_of_25(client: Client) -> None:
    for n in range(60):
        await create_ticket(f"Case {n}", "", "manual", None, [])
    low = min(t.number for t in await Ticket.all())
    page1 = await (await client.get("/tickets?sort=number&dir=asc&size=25")).text()
    assert numbers_on(page1) == list(range(low, low + 25)) and link(page1, "prev") is None
    page2 = await (await client.get(str(link(page1, "next")))).text()
    assert numbers_on(page2) == list(range(low + 25, low + 50))
    page3 = await (await client.get(str(link(page2, "next")))).text()
    assert numbers_on(page3) == list(range(low + 50, low + 60)) and link(page3, "next") is None
    back = await (await client.get(str(link(page3, "prev")))).text()
    assert numbers_on(back) == list(range(low + 25, low + 50))
    back = await (await client.get(str(link(back, "prev")))).text()
    assert numbers_on(back) == list(range(low, low + 25)) and link(back, "prev") is None
    newest = await (await client.get("/tickets?sort=number&dir=desc&size=25")).text()
    assert numbers_on(newest)[:3] == [low + 59, low + 58, low + 57]
    for hostile in ("after=%E2%91%A0", "after=WzEsMl0", "before=bm9wZQ", "after=W251bGwsMV0"):
        page = await (await client.get(f"/tickets?sort=updated&{hostile}")).text()
        assert len(numbers_on(page)) == 50  # a token we did not make shows the first page


async def test_counts_and_filters_run_in_the_query(client: Client) -> None:
    boss = await Contact.create(name="Nobody")
    for n in range(230):  # more than the old cap of 200 rows
        await create_ticket(f"Bulk {n}", "", "email" if n % 2 else "sms", boss, [])
    me = await _user("boss")
    numbers = sorted(t.number for t in await Ticket.all())
    chosen = [numbers[0], numbers[1], numbers[-1]]
    watched = await Ticket.filter(number__in=chosen).order_by("number")
    for ticket in watched:  # the oldest two were beyond the old cap of the newest 200
        await apply_changes(ticket, me, {"watch": True}, TicketOptions())
    page = await (await client.get("/tickets?source=sms&size=25")).text()
    assert "Tickets found: <strong>115</strong>" in page
    page = await (await client.get("/tickets?watched=1")).text()
    assert sorted(numbers_on(page)) == chosen
    assert "Tickets found: <strong>3</strong>" in page
    await apply_changes(watched[0], me, {"status": "closed"}, TicketOptions())
    page = await (await client.get("/tickets?watched=1")).text()
    assert sorted(numbers_on(page)) == chosen[1:]
    page = await (await client.get("/tickets?watched=1&status=closed")).text()
    assert numbers_on(page) == chosen[:1]


async def _user(name: str) -> User:
    return await User.get(username=name)


async def test_search_finds_body_words_numbers_and_the_customer(client: Client) -> None:
    acme = await Company.create(name="Acme Trading")
    anna = await Contact.create(name="Anna Ström", emails=["anna@example.com"],
                                phones=["+46701234567"], company=acme)  # fmt: skip
    printer = await create_ticket("Printer trouble", "The printer on floor two", "email",
                                  anna, [])  # fmt: skip
    other = await create_ticket("Invoice question", "Wrong amount", "manual", None, [])
    await TicketEntry.create(ticket=other, kind="mail_in", text="Also the flux capacitor leaks")

    async def found(text: str) -> list[int]:
        page = await (await client.get("/tickets", params={"q": text})).text()
        return numbers_on(page)

    assert await found("capacitor") == [other.number]  # a word of a later entry
    assert await found("flux capac") == [other.number]  # words by prefix, all of them
    assert await found("invoice capacitor") == [other.number]  # words in different entries
    assert await found("printer capacitor") == []  # each word in some ticket, none in one
    assert await matching("amount flux") == [other.id]
    assert await found("printer") == [printer.number]
    assert await found(str(other.number)) == [other.number]
    assert await found("strom") == [printer.number]  # the customer, without the ring
    assert await found("Ström") == [printer.number]
    assert await found("anna@example.com") == [printer.number]
    assert await found("070-123 45 67") == [printer.number]  # the phone as people write it
    assert await found("acme") == [printer.number]  # the company
    assert await found("nothing-like-this") == []
    for odd in ('"', "*", "NEAR(", "a:b", "'; DROP TABLE tickets; --", "²", "\x00", "AND OR"):
        response = await client.get("/tickets", params={"q": odd})
        assert response.status == 200, odd
    page = await (await client.get("/tickets", params={"q": "capacitor"})).text()
    assert "<mark>capacitor</mark>" in page  # the match is shown where it was found

    # the index follows changes: a renamed customer, a new subject, a deleted ticket
    anna.name = "Anna Lind"
    await anna.save()
    assert await found("lind") == [printer.number] and await found("strom") == []
    me = await _user("boss")
    await apply_changes(other, me, {"subject": "Refund of the double charge"}, TicketOptions())
    assert await found("refund") == [other.number]
    await other.delete()
    assert await matching("capacitor") == [] and await found("refund") == []


async def test_one_search_box_finds_tickets_contacts_companies_and_calls(client: Client) -> None:
    acme = await Company.create(name="Acme Trading", org_number="556000-1234")
    anna = await Contact.create(name="Anna Ström", emails=["anna@example.com"],
                                phones=["+46701234567"], company=acme)  # fmt: skip
    await save_contact(anna)  # its phone and address indexed for lookups
    ticket = await create_ticket("Broken router", "The router blinks red", "email", anna, [])
    await CallRecord.create(call_id="c-1", caller_number="+46701234567", caller_name="ANNA S",
                            started_at=datetime.now(UTC), result="answered")  # fmt: skip
    page = await (await client.get("/search", params={"q": "router"})).text()
    assert f'href="/tickets/{ticket.number}"' in page and "<mark>router</mark>" in page
    page = await (await client.get("/search", params={"q": "070-123 45 67"})).text()
    contacts = page.split('id="found-contacts"')[1].split("</section>")[0]
    calls = page.split('id="found-calls"')[1].split("</section>")[0]
    assert f"/crm/contacts/{anna.id}" in contacts and "ANNA S" in calls
    assert f'href="/tickets/{ticket.number}"' in page  # the ticket, by the customer's phone
    page = await (await client.get("/search", params={"q": "acme"})).text()
    assert f"/crm/companies/{acme.id}" in page.split('id="found-companies"')[1]
    for odd in ("", "²", '"', "x" * 500):
        response = await client.get("/search", params={"q": odd})
        assert response.status == 200, await response.text()


async def test_an_agent_finds_only_tickets_and_calls_they_may_see(client: Client) -> None:
    north = await Site.create(code="north", name="North")
    hidden = await create_ticket("Secret router plan", "", "manual", None, [])
    hidden.site = north
    await hidden.save()
    await CallRecord.create(call_id="c-2", caller_number="+46700000001", caller_name="ROUTER CO",
                            started_at=datetime.now(UTC), agent="someone")  # fmt: skip
    await create_user("amy", "amy-pass", role=Role.AGENT)
    amy = await User.get(username="amy")
    amy.site_restricted, amy.sites = True, ["south"]
    await amy.save()
    client.session.cookie_jar.clear()
    await log_in(client, "amy", "amy-pass")
    page = await (await client.get("/search", params={"q": "router"})).text()
    assert "Secret router plan" not in page and "ROUTER CO" not in page
    page = await (await client.get("/tickets", params={"q": "router"})).text()
    assert "Secret router plan" not in page
