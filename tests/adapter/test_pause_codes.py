"""Pause codes over a real database: the admin's list (page and API), agents pausing with a
code from it, free text only while there is no list, and ehd's own reasons always allowed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import AgentSession, PauseCode, Queue, QueueMember, Role
from ehd.platform import create_platform_app
from ehd.queueing import pause_codes
from ehd.web.telephony.profiles_admin import pause_code_lines
from tests.harness.web_client import logged_in_session, post_form


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[TestServer]:
    app = TestServer(create_platform_app(Config(data_dir=tmp_path), telephony=False))
    async with app:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        anna = await create_user("anna", "anna-pass", role=Role.AGENT)
        await QueueMember.create(user=anna, queue=await Queue.create(name="q"), penalty=0)
        yield app


async def _session(server: TestServer, who: str) -> aiohttp.ClientSession:
    return await logged_in_session(str(server.make_url("/")), who, f"{who}-pass")


async def _pause(anna: aiohttp.ClientSession, reason: str) -> tuple[int, dict[str, object]]:
    async with anna.post("/api/agents/anna/login", json={"number": "+46701234567"}) as response:
        assert response.status == 200, await response.text()
    async with anna.post("/api/agents/anna/pause", json={"reason": reason}) as response:
        return response.status, await response.json()


async def test_free_text_until_the_admin_sets_a_list_then_only_its_codes(
    server: TestServer,
) -> None:
    admin, anna = await _session(server, "admin"), await _session(server, "anna")
    try:
        assert (await _pause(anna, "dentist"))[0] == 200
        lunch = {"code": "lunch", "label": "Lunch"}
        codes = {"codes": [lunch, {"code": "training", "label": "Training", "productive": True}]}
        async with admin.put("/api/pause-codes", json=codes) as response:
            assert response.status == 200
            assert [c["code"] for c in await response.json()] == ["lunch", "training"]
        async with anna.get("/api/pause-codes") as response:  # the console's choice
            assert (await response.json())[1] == {
                "code": "training",
                "label": "Training",
                "productive": True,
            }
        status, body = await _pause(anna, "dentist")
        assert status == 400 and "lunch, training" in str(body)
        status, body = await _pause(anna, "training")
        assert status == 200 and body["pause_reason"] == "training"
        assert (await AgentSession.get(user__username="anna")).pause_reason == "training"
        async with anna.put("/api/pause-codes", json={"codes": []}) as response:
            assert response.status == 403
        async with anna.get("/agent") as response:  # the console offers the codes to pick
            page = await response.text()
        assert '<select id="pause-reason">' in page and 'value="training"' in page
    finally:
        await admin.close()
        await anna.close()


async def test_bad_lists_are_refused_and_keep_the_old_one(server: TestServer) -> None:
    await pause_codes.replace([pause_codes.PauseCodeSpec("lunch")])
    admin = await _session(server, "admin")
    try:
        bad_lists: list[object] = [
            [{"code": "no answer"}],
            [{"code": "a b"}],
            [{"code": "x"}, {"code": "X"}],
            [{"code": "x", "productive": "yes"}],
            {"code": "x"},
            [{"code": "٣"}],
        ]
        for bad in bad_lists:
            async with admin.put("/api/pause-codes", json={"codes": bad}) as response:
                assert response.status == 400, bad
        assert [c.code for c in await PauseCode.all()] == ["lunch"]
    finally:
        await admin.close()


async def test_the_admin_page_edits_the_list_in_lines(server: TestServer) -> None:
    admin = await _session(server, "admin")
    try:
        lines = "break | Break\ntraining | Training | yes\n"
        status, page = await post_form(
            admin, "/admin/profiles/pause-codes", "/admin/profiles", {"codes": lines}
        )
        assert status == 200 and "training | Training | yes" in page
        assert [(c.code, c.productive) for c in await pause_codes.listed()] == [
            ("break", False),
            ("training", True),
        ]
        status, page = await post_form(
            admin, "/admin/profiles/pause-codes", "/admin/profiles", {"codes": "x | X | maybe"}
        )
        assert status == 400 and "productive is yes or no" in page
    finally:
        await admin.close()


def test_lines_become_the_api_list() -> None:
    assert pause_code_lines("lunch | Lunch\n\n training|Training|YES ") == [
        {"code": "lunch", "label": "Lunch", "productive": False},
        {"code": "training", "label": "Training", "productive": True},
    ]
