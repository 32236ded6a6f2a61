"""Live chat over real HTTP and a real database: offered only while its calendar is open and
an agent is logged in to chat; a visitor's chat becomes a ticket; an agent takes it and both
sides see each other's messages; ends, departures, capacity and bad input are handled."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.calendars.model import WEEKDAYS
from ehd.chat import service as chat
from ehd.config import Config
from ehd.db.models import Calendar, ChatSession, Role, Site, Ticket, TicketEntry
from ehd.platform import create_platform_app
from tests.harness.web_client import logged_in_session, post_form

ALWAYS = {day: [["00:00", "24:00"]] for day in WEEKDAYS}


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[TestServer]:
    running = TestServer(create_platform_app(Config(data_dir=tmp_path), telephony=False))
    async with running:
        for name in ("anna", "bert"):
            await create_user(name, f"{name}-pass", role=Role.AGENT)
        await create_user("sara", "sara-pass", role=Role.SUPERVISOR)
        await Site.create(code="ACME", embed_origins=["https://www.acme.example"])
        await Calendar.create(name="chat", weekly=ALWAYS)
        yield running


async def _agent(server: TestServer, name: str, ready: bool = True) -> aiohttp.ClientSession:
    session = await logged_in_session(str(server.make_url("/")), name, f"{name}-pass")
    if ready:
        status, _ = await post_form(session, "/chats/ready", "/chats", {"ready": "on"})
        assert status == 200
    return session


async def _start(visitor: aiohttp.ClientSession, **form: str) -> tuple[int, str, str]:
    """Start a chat; returns the status, the page and the chat's address."""
    async with visitor.post("/chat/ACME", data=form) as response:
        return response.status, await response.text(), response.url.path


async def _news(client: aiohttp.ClientSession, source: str, after: int = 0) -> dict[str, Any]:
    async with client.get(f"{source}/messages", params={"after": str(after)}) as response:
        assert response.status == 200
        result: dict[str, Any] = await response.json()
        return result


async def test_chat_is_offered_only_while_open_and_staffed(server: TestServer) -> None:
    async with aiohttp.ClientSession(base_url=server.make_url("/")) as visitor:
        async with visitor.get("/chat/ACME") as response:
            policy = response.headers["Content-Security-Policy"]
            assert "frame-ancestors 'self' https://www.acme.example" in policy
            assert 'id="chat-closed"' in await response.text()
        status, page, _ = await _start(visitor, message="Hello?")
        assert status == 409 and "Chat has just closed" in page
        anna = await _agent(server, "anna")
        async with visitor.get("/chat/ACME") as response:
            assert 'id="chat-start"' in await response.text()
        await Calendar.filter(name="chat").update(weekly={})  # closed all week
        async with visitor.get("/chat/ACME") as response:
            assert "Chat is closed now." in await response.text()
        await anna.close()
    assert not await Ticket.exists(source="chat")


async def test_a_visitor_and_an_agent_chat_and_it_stays_on_the_ticket(server: TestServer) -> None:
    anna = await _agent(server, "anna")
    bert = await _agent(server, "bert")
    async with aiohttp.ClientSession(base_url=server.make_url("/")) as visitor:
        first = {"name": "Vera Visitor", "email": "vera@example.com",
                 "message": "Where is my parcel?"}  # fmt: skip
        status, page, address = await _start(visitor, **first)
        assert status == 200 and re.fullmatch(r"/chat/s/[\w-]{32}", address), address
        assert "Where is my parcel?" in page and "Waiting for an agent" in page
        session = await ChatSession.get(token=address.rsplit("/", 1)[1]).prefetch_related(
            "ticket__contact")  # fmt: skip
        ticket = session.ticket
        assert (ticket.source, ticket.subject) == ("chat", "Where is my parcel?")
        contact = ticket.contact
        assert contact is not None and contact.emails == ["vera@example.com"]
        async with anna.get("/chats") as response:
            assert "Vera Visitor" in await response.text()
        async with anna.get("/api/overview") as response:  # the agent console's chat count
            assert (await response.json())["chats"] == {"waiting": 1, "mine": 0}
        async with anna.get("/api/chats/counts") as response:  # what the console polls
            assert await response.json() == {"waiting": 1, "mine": 0}
        status, _ = await post_form(anna, f"/chats/{session.id}/take", "/chats", {})
        assert status == 200
        status, page = await post_form(bert, f"/chats/{session.id}/take", "/chats", {})
        assert status == 409 and "somebody else took this chat" in page
        async with bert.get(f"/chats/{session.id}") as response:
            assert response.status == 403
        async with anna.get("/api/overview") as response:
            assert (await response.json())["chats"] == {"waiting": 0, "mine": 1}
        news = await _news(visitor, address)
        assert news["state"] == "active" and news["messages"][-1]["text"] == "anna joined the chat"
        seen = news["messages"][-1]["id"]
        status, _ = await post_form(anna, f"/chats/{session.id}/send", f"/chats/{session.id}",
                                    {"text": "It left our store today."})  # fmt: skip
        assert status == 200
        news = await _news(visitor, address, after=seen)
        assert [(m["author"], m["text"]) for m in news["messages"]] == [
            ("anna", "It left our store today.")]  # fmt: skip
        async with visitor.post(f"{address}/send", data={"text": "Thanks!"}) as response:
            assert response.status == 200
        agent_news = await _news(anna, f"/chats/{session.id}", after=news["messages"][0]["id"])
        assert [m["text"] for m in agent_news["messages"]] == ["Thanks!"]
        async with visitor.post(f"{address}/end") as response:
            assert "The chat has ended." in await response.text()
        status, page = await post_form(anna, f"/chats/{session.id}/send", f"/chats/{session.id}",
                                       {"text": "Anything else?"})  # fmt: skip
        assert status == 409 and "the chat has ended" in page
    async with anna.post("/chats/ready", data={"ready": "off"}) as response:
        assert response.status == 403  # agent pages are not exempt from CSRF like the visitor's
    entries = await TicketEntry.filter(ticket=ticket).order_by("id").values_list("kind", "text")
    assert entries == [("chat_in", "Where is my parcel?"), ("chat_event", "anna joined the chat"),
                       ("chat_out", "It left our store today."), ("chat_in", "Thanks!"),
                       ("chat_event", "The visitor ended the chat.")]  # fmt: skip
    taken = await Ticket.get(id=ticket.id).prefetch_related("agent")
    assert taken.agent is not None and taken.agent.username == "anna" and taken.status == "open"
    await anna.close()
    await bert.close()


async def test_bad_input_departures_and_capacity(server: TestServer) -> None:
    anna = await _agent(server, "anna")
    async with aiohttp.ClientSession(base_url=server.make_url("/")) as visitor:
        for form, code, message in (({"message": "  "}, 400, "write a message first"),
                                    ({"message": "x" * 4001}, 400, "at most 4000 characters"),
                                    ({"message": "Hi", "email": "not-an-address"}, 400,
                                     "email address looks wrong")):  # fmt: skip
            status, page, _ = await _start(visitor, **form)
            assert status == code and message in page, page[-800:]
        async with visitor.get("/chat/s/not-a-real-token") as response:
            assert response.status == 404
        addresses = [(await _start(visitor, message=f"Question {i}"))[2] for i in range(2)]
        status, page, _ = await _start(visitor, message="One more")  # the sixth start in a row
        assert status == 429 and "Too many chats" in page
    sessions = [await ChatSession.get(token=a.rsplit("/", 1)[1]) for a in addresses]
    site = await Site.get(code="ACME")
    sessions += [await chat.start_chat(site, "", "", f"From another visitor {i}") for i in range(2)]
    for session in sessions[:3]:
        assert (await post_form(anna, f"/chats/{session.id}/take", "/chats", {}))[0] == 200
    status, page = await post_form(anna, f"/chats/{sessions[3].id}/take", "/chats", {})
    assert status == 409 and "you have 3 chats already" in page
    long_ago = datetime.now(UTC) - chat.VISITOR_TIMEOUT - timedelta(seconds=5)
    await ChatSession.filter(id=sessions[0].id).update(visitor_seen_at=long_ago)
    async with anna.get("/chats") as response:
        assert response.status == 200
    gone = await ChatSession.get(id=sessions[0].id)
    assert gone.state == "ended" and await TicketEntry.exists(
        ticket_id=gone.ticket_id, text="The visitor left the chat.")  # fmt: skip
    assert (await post_form(anna, f"/chats/{sessions[3].id}/take", "/chats", {}))[0] == 200
    await anna.close()
    sara = await _agent(server, "sara", ready=False)
    async with sara, sara.get("/statistics") as response:
        figures = (await response.text()).split('id="chat-stats"')[1].split("</table>")[0]
    cells = re.findall(r"<td>([^<]*)</td>", figures)
    assert cells[:3] == ["4", "4", "0"], figures  # started, answered, ended before taken
