"""Saved searches (run as /tickets?g_exe=NAME) and shortcut menus per user, team or standard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Queue, QueueMember, Role, SavedSearch, User
from ehd.platform import create_platform_app
from ehd.tickets.service import create_ticket
from tests.harness.web_client import post_form, session_as


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[TestServer]:
    server = TestServer(create_platform_app(Config(data_dir=tmp_path), telephony=False))
    async with server:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        await create_user("agent", "agent-pass", role=Role.AGENT)
        yield server


async def test_saved_searches_run_by_name_and_shared_ones_reach_everyone(app: TestServer) -> None:
    await create_ticket("Invoice wrong", "", "sms", None, [])
    await create_ticket("Router dead", "", "email", None, [])
    admin = await session_as(app, "admin")
    agent = await session_as(app, "agent")
    try:
        search = {"name": "Texts", "query": "source=sms&csrf_token=x", "shared": "1"}
        _, page = await post_form(admin, "/tickets/searches", "/tickets", search)
        assert "Invoice wrong" in page and "Router dead" not in page
        stored = await SavedSearch.get(name="Texts")
        assert stored.query == "source=sms" and stored.owner_id is None
        async with agent.get("/tickets?g_exe=Texts") as response:
            page = await response.text()
        assert "Invoice wrong" in page and "Router dead" not in page
        assert 'href="/tickets?g_exe=Texts"' in page  # in the agent's shortcut menu
        async with agent.get("/tickets?g_exe=Nothing") as response:
            assert response.status == 404
        _, page = await post_form(
            agent, "/tickets/searches", "/tickets", {"name": "<bad>", "query": ""}
        )
        assert "Name the search" in page
    finally:
        await admin.close()
        await agent.close()


async def test_menus_come_from_the_user_else_the_team_else_the_standard(app: TestServer) -> None:
    admin = await session_as(app, "admin")
    agent = await session_as(app, "agent")
    try:
        for name, items, extra in (("Everyone", "Wiki | https://wiki.example", {"standard": "1"}),
                                   ("Support", "Queue | /tickets?mine=1", {"teams": "support"}),
                                   ("Personal", "Mine | /m", {})):  # fmt: skip
            await post_form(admin, "/admin/menus", "/admin/menus", {"name": name, "items": items,
                                                                  **extra})  # fmt: skip
        _, page = await post_form(admin, "/admin/menus", "/admin/menus",
                           {"name": "Bad", "items": "Evil | javascript:x"})  # fmt: skip
        assert "is not a link" in page

        async def menu() -> str:
            async with agent.get("/") as response:
                return (await response.text()).split('id="shortcuts"')[1].split("</div>")[0]

        assert "https://wiki.example" in await menu()
        queue = await Queue.create(name="support")
        await QueueMember.create(queue=queue, user=await User.get(username="agent"))
        assert "/tickets?mine=1" in await menu() and "wiki" not in await menu()
        await User.filter(username="agent").update(menu_profile="Personal")
        assert 'href="/m"' in await menu()
    finally:
        await admin.close()
        await agent.close()
