"""Working a ticket's facts from its page: the template (with its group and priority), a type
from the template's list, the ITIL process, the contact by address and the company; merging
across contacts but never into a closed or merged ticket; a new ticket for the contact; and a
reply that takes an unassigned ticket when tickets are "auto assigned"."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ehd.db.models import (
    ChatSession,
    ChatState,
    Company,
    Contact,
    KnowledgeArticle,
    Role,
    Site,
    Ticket,
    TicketEntry,
    TicketStatus,
    TicketTemplate,
    User,
)
from ehd.tickets.options import TicketOptions, save_options
from ehd.tickets.search import matching
from ehd.tickets.service import create_ticket
from tests.harness.mail_sink import MailSink, mail_sink
from tests.harness.web_client import app_client, csrf_token, mailing

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[tuple[Client, MailSink]]:
    with mail_sink() as sink:
        async with app_client(mailing(tmp_path, sink), {"boss": Role.SUPERVISOR}, "boss") as c:
            yield c, sink


async def post(client: Client, ticket: Ticket, action: str, data: dict[str, str]) -> str:
    page = f"/tickets/{ticket.number}"
    token = csrf_token(await (await client.get(page)).text())
    response = await client.post(f"{page}/{action}", data={"csrf_token": token, **data})
    assert response.status == 200
    return html.unescape(await response.text())


async def test_template_type_process_contact_and_company(web: tuple[Client, MailSink]) -> None:
    client, _ = web
    await TicketTemplate.create(name="Hardware", default_priority="high", default_status="open",
                                types=[{"name": "Printer", "instruction": ""}])  # fmt: skip
    acme = await Company.create(name="Acme")
    ticket = await create_ticket("Jammed", "", "manual", None, [])
    page = await post(client, ticket, "change", {"template": "Hardware", "ticket_type": "Phone"})
    assert "the template's types are Printer" in page
    page = await post(client, ticket, "change", {"template": "Hardware", "ticket_type": "Printer",
                                                 "itil_process": "incident"})  # fmt: skip
    assert "Saved." in page
    saved = await Ticket.get(id=ticket.id).prefetch_related("template")
    assert saved.template is not None and saved.template.name == "Hardware"
    assert (saved.ticket_type, saved.itil_process, saved.priority) == ("Printer", "incident",
                                                                       "high")  # fmt: skip
    page = await post(client, ticket, "change", {"itil_process": "bogus"})
    assert "itil_process is incident, problem, change or empty" in page
    assert (await Ticket.get(id=ticket.id)).itil_process == "incident"
    page = await post(client, ticket, "change", {"contact_email": "Nina@Example.com",
                                                 "company": str(acme.id)})  # fmt: skip
    saved = await Ticket.get(id=ticket.id).prefetch_related("contact")
    assert saved.contact is not None and saved.contact.emails == ["nina@example.com"]
    assert saved.company_id == acme.id
    assert "not an email address" in await post(client, ticket, "change",
                                                {"contact_email": "nope"})  # fmt: skip
    assert "no company" in await post(client, ticket, "change", {"company": "99999"})
    assert await matching("nina") == [ticket.id]  # the new contact is found by search
    page = await (await client.get(f"/tickets/{ticket.number}")).text()
    assert 'href="/tickets/new?email=nina%40example.com"' in page
    form = await (await client.get("/tickets/new?email=nina%40example.com")).text()
    assert 'value="nina@example.com"' in form


async def test_merging_across_contacts_but_not_into_closed_or_merged(
    web: tuple[Client, MailSink],
) -> None:
    client, _ = web
    anna = await Contact.create(name="Anna", emails=["anna@example.com"])
    bert = await Contact.create(name="Bert", emails=["bert@example.com"])
    first = await create_ticket("Printer", "", "email", anna, [])
    second = await create_ticket("Printer too", "", "email", bert, [])
    closed = await create_ticket("Old", "", "email", bert, [])
    closed.status = TicketStatus.CLOSED
    await closed.save()
    await TicketEntry.create(ticket=second, kind="mail_in", text="Tray two is empty")
    assert "is closed" in await post(client, second, "merge", {"number": str(closed.number)})
    assert "itself" in await post(client, second, "merge", {"number": str(second.number)})
    assert "No such ticket" in await post(client, second, "merge", {"number": "²"})
    page = await post(client, second, "merge", {"number": f"#{first.number}"})
    assert f"Ticket {second.number} merged here." in page and "Tray two is empty" in page
    assert await matching("tray") == [first.id]
    third = await create_ticket("Again", "", "email", anna, [])
    assert "was merged into another" in await post(client, third, "merge",
                                                   {"number": str(second.number)})  # fmt: skip


async def test_a_reply_takes_an_unassigned_ticket_when_tickets_are_auto_assigned(
    web: tuple[Client, MailSink],
) -> None:
    client, sink = web
    anna = await Contact.create(name="Anna", emails=["anna@example.com"])
    ticket = await create_ticket("Printer", "", "email", anna, [])
    await post(client, ticket, "reply", {"text": "Hello", "status": "with_contact"})
    assert (await Ticket.get(id=ticket.id)).agent_id is None  # the option is off
    await save_options(TicketOptions(auto_assign=True))
    await post(client, ticket, "reply", {"text": "Hello again", "status": "with_contact"})
    saved = await Ticket.get(id=ticket.id).prefetch_related("agent")
    assert saved.agent is not None and saved.agent.username == "boss"
    assert len(sink.messages) == 2


async def test_standard_texts_are_offered_in_the_composer_and_the_chat(
    web: tuple[Client, MailSink],
) -> None:
    client, _ = web
    north = await Site.create(code="north", name="North")
    south = await Site.create(code="south", name="South")
    await KnowledgeArticle.create(title="Opening hours", answer="We are open 8-17.")
    await KnowledgeArticle.create(title="North greeting", answer="Hej from the north!",
                                  site=north)  # fmt: skip
    await KnowledgeArticle.create(title="South only", answer="South text", site=south)
    ticket = await create_ticket("Hours?", "", "email", None, [])
    await Ticket.filter(id=ticket.id).update(site=north)
    await TicketEntry.create(ticket=ticket, kind="mail_in", text="When are you <open>?")
    page = await (await client.get(f"/tickets/{ticket.number}")).text()
    offered = page.split('id="standard-text"')[1].split("</select>")[0]
    assert offered.index("North greeting") < offered.index("Opening hours")  # the site's first
    assert "South only" not in offered
    assert 'data-quote="When are you &lt;open&gt;?"' in page  # the last customer message
    boss = await User.get(username="boss")
    session = await ChatSession.create(token="c" * 32, ticket=ticket, site=north, agent=boss,
                                       state=ChatState.ACTIVE, visitor_name="Vera")  # fmt: skip
    chat = await (await client.get(f"/chats/{session.id}")).text()
    assert "North greeting" in chat and "South only" not in chat
