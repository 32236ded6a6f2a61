"""The tickets API on a real database: create, assign (next, own and locked), change with
history, notes stay internal, replies go out by real SMTP, closing a master closes children."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Queue, QueueMember, Role, Ticket, TicketChange
from ehd.platform import create_platform_app
from tests.harness.mail_sink import MailSink, mail_sink
from tests.harness.web_client import log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[tuple[Client, Client, MailSink]]:
    with mail_sink() as sink:
        config = Config(data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=sink.port,
                        ticket_auto_assign="on")  # fmt: skip
        app = create_platform_app(config, telephony=False)
        server = TestServer(app)
        jar = aiohttp.CookieJar
        async with (
            TestClient(server, cookie_jar=jar(unsafe=True)) as alice,
            TestClient(server, cookie_jar=jar(unsafe=True)) as bob,
        ):
            queue = await Queue.create(name="helpdesk")
            for name in ("alice", "bob"):
                user = await create_user(name, f"{name}-pass-1", role=Role.AGENT)
                await QueueMember.create(user=user, queue=queue)
            await log_in(alice, "alice", "alice-pass-1")
            await log_in(bob, "bob", "bob-pass-1")
            yield alice, bob, sink


async def call(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = await client.request(method, path, json=body or {})
    return response.status, await response.json()


async def test_the_ticket_lifecycle_through_the_api(
    setup: tuple[Client, Client, MailSink],
) -> None:
    alice, bob, sink = setup
    new_ticket = {"subject": "Printer on fire", "email": "cust@example.com"}
    status, made = await call(alice, "POST", "/api/tickets", new_ticket)
    assert status == 201 and made["status"] == "new"
    number = made["number"]
    status, opened = await call(bob, "GET", f"/api/tickets/{number}")
    assert opened["status"] == "open" and opened["agent_id"] is not None  # auto assigned to bob
    status, _ = await call(alice, "POST", f"/api/tickets/{number}/pick")
    assert status == 200  # not locked yet: alice picks it as her own
    status, refused = await call(bob, "PATCH", f"/api/tickets/{number}", {"priority": "high"})
    assert status == 409 and "locked" in refused["message"]
    status, _ = await call(alice, "PATCH", f"/api/tickets/{number}", {"priority": "high"})
    assert status == 200
    await call(alice, "POST", f"/api/tickets/{number}/entries",
               {"kind": "note", "text": "call the fire brigade", "public": True})  # fmt: skip
    status, sent = await call(alice, "POST", f"/api/tickets/{number}/reply",
                              {"text": "We are on it."})  # fmt: skip
    assert status == 201 and sent["message_id"].startswith("<ehd.t")
    mail = await sink.wait_for("cust@example.com")
    assert f"[#{number}]" in str(mail["Subject"])
    ticket = await Ticket.get(number=number)
    assert ticket.status == "with_contact" and ticket.priority == "high"
    fields = await TicketChange.filter(ticket=ticket).values_list("who", "field", "new")
    assert ("alice", "priority", "high") in fields and ("bob", "status", "open") in fields
    status, detail = await call(alice, "GET", f"/api/tickets/{number}")
    note = next(e for e in detail["entries"] if e["kind"] == "note")
    assert note["public"] is False  # notes never reach the customer


async def test_pick_next_and_closing_a_master(setup: tuple[Client, Client, MailSink]) -> None:
    alice, _, _ = setup
    numbers = []
    for subject in ("low one", "urgent one"):
        _, made = await call(alice, "POST", "/api/tickets", {"subject": subject})
        numbers.append(made["number"])
    await call(alice, "PATCH", f"/api/tickets/{numbers[1]}", {"priority": "high"})
    status, chosen = await call(alice, "POST", "/api/tickets/next")
    assert status == 200 and chosen["number"] == numbers[1]
    master = await Ticket.get(number=numbers[0])
    child = await Ticket.get(number=numbers[1])
    child.master = master
    await child.save()
    await call(alice, "PATCH", f"/api/tickets/{numbers[0]}", {"status": "closed"})
    assert (await Ticket.get(number=numbers[1])).status == "closed"
    status, bad = await call(alice, "PATCH", f"/api/tickets/{numbers[0]}",
                             {"status": "resting_until"})  # fmt: skip
    assert status == 400 and "future" in bad["message"]


async def test_required_and_hidden_fields(tmp_path: Path) -> None:
    config = Config(data_dir=tmp_path, ticket_required_fields=("ticket_type",),
                    ticket_hidden_fields=("source",))  # fmt: skip
    app = create_platform_app(config, telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        await create_user("carl", "carl-pass-1", role=Role.AGENT)
        await log_in(client, "carl", "carl-pass-1")
        _, made = await call(client, "POST", "/api/tickets", {"subject": "x"})
        status, listed = await call(client, "GET", "/api/tickets")
        assert "source" not in listed["tickets"][0]
        status, refused = await call(client, "PATCH", f"/api/tickets/{made['number']}",
                                     {"status": "solved"})  # fmt: skip
        assert status == 400 and "fill in ticket_type first" in refused["message"]
        ticket = await Ticket.get(number=made["number"])
        ticket.ticket_type = "question"
        await ticket.save()
        status, _ = await call(client, "PATCH", f"/api/tickets/{made['number']}",
                               {"status": "solved"})  # fmt: skip
        assert status == 200


async def test_one_answer_to_a_master_reaches_every_child_from_the_sites_address(
    setup: tuple[Client, Client, MailSink],
) -> None:
    from ehd.db.models import Site

    alice, _, sink = setup
    brand = await Site.create(code="ACME", email_sender="help@acme.example")
    numbers = []
    for email in ("one@example.com", "two@example.com"):
        _, made = await call(alice, "POST", "/api/tickets", {"subject": "Outage", "email": email})
        numbers.append(made["number"])
    master, child = await Ticket.get(number=numbers[0]), await Ticket.get(number=numbers[1])
    child.master = master
    await child.save()
    master.site = brand
    await master.save()
    status, body = await call(alice, "POST", f"/api/tickets/{numbers[0]}/reply",
                              {"text": "Fixed now.", "children": True, "close": True})  # fmt: skip
    assert status == 201 and [s["ticket"] for s in body["sent"]] == numbers
    first, second = await sink.wait_for("one@example.com"), await sink.wait_for("two@example.com")
    assert "help@acme.example" in str(first["From"]) and "help@acme.example" not in str(
        second["From"]
    )
    assert {t.status for t in await Ticket.filter(number__in=numbers)} == {"closed"}


async def test_custom_fields_and_watching(setup: tuple[Client, Client, MailSink]) -> None:
    alice, bob, _ = setup
    _, made = await call(alice, "POST", "/api/tickets", {"subject": "fields"})
    path = f"/api/tickets/{made['number']}"
    status, changed = await call(
        bob, "PATCH", path, {"custom_fields": {"order": "A-17"}, "watch": True}
    )
    assert status == 200 and changed["custom_fields"] == {"order": "A-17"}
    assert len(changed["watchers"]) == 1
    status, bad = await call(bob, "PATCH", path, {"custom_fields": {"order": {"nested": 1}}})
    assert status == 400 and "plain values" in bad["message"]
    # Every ticket list carries them: 100,000 of them were once taken.
    many = {f"f{n}": "x" for n in range(1000)}
    status, bad = await call(bob, "PATCH", path, {"custom_fields": many})
    assert status == 400 and "at most 50" in bad["message"]
    status, bad = await call(bob, "PATCH", path, {"custom_fields": {"note": "x" * 5000}})
    assert status == 400 and bad["details"]["field"] == "custom_fields"
    status, kept = await call(alice, "GET", path)
    assert kept["custom_fields"] == {"order": "A-17"}


async def test_a_refused_change_saves_none_of_its_fields(
    setup: tuple[Client, Client, MailSink],
) -> None:
    """All of a change or nothing: a bad priority after a good status used to leave the status
    saved behind a 400, and a closing master whose last field failed closed its children."""
    alice, _, _ = setup
    _, master = await call(alice, "POST", "/api/tickets", {"subject": "master"})
    _, child = await call(alice, "POST", "/api/tickets", {"subject": "child"})
    child_row = await Ticket.get(number=child["number"])
    child_row.master = await Ticket.get(number=master["number"])
    await child_row.save()
    before = await TicketChange.all().count()
    for body in ({"status": "solved", "priority": "bogus"},
                 {"status": "closed", "agent": "nobody-here"},
                 {"custom_fields": {"a": "1"}, "group": "no-such-group"}):  # fmt: skip
        status, _ = await call(alice, "PATCH", f"/api/tickets/{master['number']}", body)
        assert status == 400, body
    assert (await Ticket.get(number=master["number"])).status == "new"
    assert (await Ticket.get(number=master["number"])).custom_fields == {}
    assert (await Ticket.get(number=child["number"])).status == "new"
    assert await TicketChange.all().count() == before
    status, _ = await call(alice, "PATCH", f"/api/tickets/{master['number']}",
                           {"status": "closed", "priority": "high"})  # fmt: skip
    assert status == 200
    assert (await Ticket.get(number=child["number"])).status == "closed"
