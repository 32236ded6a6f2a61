"""Access holds on every route, whatever URL is guessed: agents stay out of admin routes and
dispatching, read-only users read but change nothing, and an admin's single grants and
revocations take effect at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role, User
from ehd.platform import create_platform_app
from ehd.tickets.service import create_ticket
from tests.harness.web_client import csrf_token, session_as


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[TestServer]:
    server = TestServer(create_platform_app(Config(data_dir=tmp_path), telephony=False))
    async with server:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        await create_user("agent", "agent-pass", role=Role.AGENT)
        await create_user("viewer", "viewer-pass", role=Role.READONLY)
        yield server


ADMIN_PAGES = ["/admin/users", "/admin/users/admin", "/admin/calendars",
               "/admin/calendars/default", "/admin/filters", "/admin/templates"]  # fmt: skip
ADMIN_JSON = [("PUT", "/api/queues/sales"), ("PUT", "/api/dids/4999"), ("PUT", "/api/sites/X"),
              ("PUT", "/api/ticket-filters/f"), ("PUT", "/api/mailboxes/m"),
              ("PUT", "/api/calendars/c"), ("PUT", "/api/pause-codes")]  # fmt: skip


async def test_agents_cannot_reach_admin_or_supervisor_routes(app: TestServer) -> None:
    agent = await session_as(app, "agent")
    try:
        for path in [*ADMIN_PAGES, "/statistics", "/schedules"]:
            assert (await agent.get(path)).status == 403, path
        for method, path in ADMIN_JSON:
            assert (await agent.request(method, path, json={})).status == 403, path
        response = await agent.get("/RestAPI/v1/users")  # cookies are no REST credentials
        assert response.status == 401
        ticket = await create_ticket("Mine", "", "manual", None, [])
        token = csrf_token(await (await agent.get("/tickets")).text())
        data = {"csrf_token": token, "number": str(ticket.number), "action": "close"}
        assert (await agent.post("/tickets/mass", data=data)).status == 403
        assert (await agent.get("/wallboard")).status == 200
    finally:
        await agent.close()


async def test_read_only_users_read_but_change_nothing(app: TestServer) -> None:
    viewer = await session_as(app, "viewer")
    try:
        ticket = await create_ticket("Look only", "", "manual", None, [])
        page = await (await viewer.get(f"/tickets/{ticket.number}")).text()
        assert "Look only" in page and "reply-form" not in page
        token = csrf_token(page)
        response = await viewer.post(f"/tickets/{ticket.number}/note",
                                     data={"csrf_token": token, "text": "hi"})  # fmt: skip
        assert response.status == 403
        response = await viewer.patch(f"/api/tickets/{ticket.number}", json={"status": "open"})
        assert response.status == 403
        assert (await viewer.post("/api/contacts", json={"name": "X"})).status == 403
        assert (await viewer.get("/statistics")).status == 200
        assert (await viewer.get("/chats")).status == 403  # read-only users take no chats
    finally:
        await viewer.close()


async def test_an_admin_grants_and_revokes_single_permissions(app: TestServer) -> None:
    admin = await session_as(app, "admin")
    try:
        page = await (await admin.get("/admin/users/agent")).text()
        form = {"csrf_token": csrf_token(page), "name": "Agent A", "alias": "A", "email": "",
                "language": "sv", "role": "agent", "sites": "NORTH, SOUTH",
                "site_restricted": "1", "active": "1", "perm:statistics": "grant",
                "perm:wallboard": "revoke"}  # fmt: skip
        response = await admin.post("/admin/users/agent", data=form)
        assert response.status == 200 and "Saved." in await response.text()
        user = await User.get(username="agent")
        assert (user.granted, user.revoked) == (["statistics"], ["wallboard"])
        assert (user.sites, user.site_restricted, user.language) == (["NORTH", "SOUTH"], True, "sv")
        bad = {**form, "sites": "TOO-LONG-ID"}
        assert (await admin.post("/admin/users/agent", data=bad)).status == 400
        own = {**form, "role": "agent", "csrf_token": csrf_token(page)}
        assert (await admin.post("/admin/users/admin", data=own)).status == 400
    finally:
        await admin.close()
    agent = await session_as(app, "agent")
    try:
        assert (await agent.get("/statistics")).status == 200
        assert (await agent.get("/wallboard")).status == 403
        page = await (await agent.get("/tickets")).text()  # the user's language: Swedish
        assert '<html lang="sv">' in page and "Ärenden/CRM" in page and "Kontrollpanel" in page
    finally:
        await agent.close()


async def test_every_state_change_needs_json_or_the_sessions_token(app: TestServer) -> None:
    """Asking for JSON back used to skip the token check, and endpoints that read no body took
    any content type: a form on another page could make an admin act."""
    admin = await session_as(app, "admin")
    try:
        ticket = await create_ticket("Printer", "", "manual", None, [])
        pick = f"/api/tickets/{ticket.number}/pick"
        plain = {"Content-Type": "text/plain", "Accept": "application/json"}
        assert (await admin.post(pick, data="x", headers=plain)).status == 403
        assert (await admin.post("/api/tickets/next", data="", headers=plain)).status == 403
        form = {"username": "mallory", "password": "Mallory-pass-1", "role": "admin"}
        json_back = {"Accept": "application/json"}
        response = await admin.post("/admin/users", data=form, headers=json_back)
        assert response.status == 403 and not await User.exists(username="mallory")

        assert (await admin.post(pick, json={})).status == 200  # a JSON body is ours
        token = csrf_token(await (await admin.get("/tickets")).text())
        response = await admin.post(pick, headers={"X-CSRF-Token": token})
        assert response.status == 200  # so is the page's token in the header
    finally:
        await admin.close()


async def test_read_only_users_get_no_customer_link(app: TestServer) -> None:
    """Whoever holds the link writes as the customer; a read-only user could fetch it."""
    ticket = await create_ticket("Mine", "", "manual", None, [])
    viewer, agent = await session_as(app, "viewer"), await session_as(app, "agent")
    try:
        assert (await viewer.get(f"/api/tickets/{ticket.number}/link")).status == 403
        assert (await agent.get(f"/api/tickets/{ticket.number}/link")).status == 200
    finally:
        await viewer.close()
        await agent.close()
