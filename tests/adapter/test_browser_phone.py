"""The browser phone's doors over a real database: choosing the phone, its settings (the SIP
password to its owner only), the phone window, and the SIP relay: who may open it, what it
says when Asterisk is away, and that it carries SIP both ways under the ``sip`` subprotocol."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user, sip_accounts
from ehd.asterisk.instance import free_ports
from ehd.config import Config
from ehd.db.models import Role
from ehd.platform import create_platform_app
from tests.harness.web_client import logged_in_session, post_form


async def _standin_asterisk(port: int, heard: list[str]) -> web.AppRunner:
    """Asterisk's /ws as the relay sees it: speaks ``sip``, answers each message, and hangs
    up the socket when told to (as a restarting Asterisk does)."""

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("sip",))
        await ws.prepare(request)
        async for message in ws:
            if message.type is WSMsgType.TEXT:
                heard.append(message.data)
                if message.data == "go away":
                    await ws.close()
                    break
                await ws.send_str("SIP/2.0 200 OK\r\n\r\n")
        return ws

    app = web.Application()
    app.router.add_get("/ws", socket)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


@pytest.fixture
async def ari_port() -> int:
    return free_ports(1)[0]


@pytest.fixture
async def server(tmp_path: Path, ari_port: int) -> AsyncIterator[TestServer]:
    config = Config(data_dir=tmp_path, ari_port=ari_port, stun_server="stun.example.org:3478")
    app = TestServer(create_platform_app(config, telephony=False))
    async with app:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        await create_user("sam", "sam-pass", role=Role.SUPERVISOR)
        await create_user("anna", "anna-pass", role=Role.AGENT, sip_extension="1001")
        await create_user("bert", "bert-pass", role=Role.AGENT)
        yield app


async def _session(server: TestServer, who: str) -> aiohttp.ClientSession:
    return await logged_in_session(str(server.make_url("/")), who, f"{who}-pass")


async def test_an_agent_switches_to_the_browser_phone_and_gets_its_settings(
    server: TestServer,
) -> None:
    anna, bert = await _session(server, "anna"), await _session(server, "bert")
    try:
        async with anna.get("/api/agents/anna/phone") as response:
            desk = await response.json()
        assert (desk["kind"], desk["extension"], desk["password"]) == ("desk", "1001", "")
        async with anna.put("/api/agents/anna/phone", json={"kind": "browser"}) as response:
            assert response.status == 200, await response.text()
            browser = await response.json()
        assert browser["kind"] == "browser" and len(browser["password"]) >= 16
        assert browser["socket"] == "/phone/socket"
        assert browser["ice_servers"] == [{"urls": "stun:stun.example.org:3478"}]
        assert [(a.extension, a.browser) for a in await sip_accounts()] == [("1001", True)]

        async with anna.put("/api/agents/anna/phone", json={"kind": "fax"}) as response:
            assert response.status == 400
            assert (await response.json())["details"]["field"] == "kind"
        async with bert.put("/api/agents/bert/phone", json={"kind": "browser"}) as response:
            assert response.status == 400
            assert "no SIP extension" in (await response.json())["message"]
        async with anna.put("/api/agents/anna/phone", json={"kind": "desk"}) as response:
            assert (await response.json())["password"] == ""
        assert [a.browser for a in await sip_accounts()] == [False]
    finally:
        await anna.close()
        await bert.close()


async def test_only_the_owner_sees_the_password_and_only_an_admin_chooses_for_others(
    server: TestServer,
) -> None:
    sessions = [await _session(server, who) for who in ("anna", "bert", "sam", "admin")]
    anna, bert, sam, admin = sessions
    try:
        async with anna.put("/api/agents/anna/phone", json={"kind": "browser"}) as response:
            assert response.status == 200
        async with admin.get("/api/agents/anna/phone") as response:
            seen = await response.json()
        assert seen["kind"] == "browser" and seen["password"] == ""
        async with bert.get("/api/agents/anna/phone") as response:
            assert response.status == 403
        async with sam.put("/api/agents/anna/phone", json={"kind": "desk"}) as response:
            assert response.status == 403
        async with admin.put("/api/agents/anna/phone", json={"kind": "desk"}) as response:
            assert response.status == 200
            assert (await response.json())["password"] == ""
    finally:
        for session in sessions:
            await session.close()


async def test_the_phone_window_is_in_the_users_language_and_loads_the_library(
    server: TestServer,
) -> None:
    anna = await _session(server, "anna")
    try:
        async with anna.get("/phone") as response:
            page = await response.text()
        assert response.status == 200
        assert '<script src="/static/vendor/jssip.js">' in page
        assert 'id="phone-use-browser"' in page and "Keep this window open" in page
        async with anna.get("/static/phone.js") as response:
            assert response.status == 200
    finally:
        await anna.close()


async def test_the_relay_refuses_strangers_and_says_when_asterisk_is_away(
    server: TestServer,
) -> None:
    anna, bert = await _session(server, "anna"), await _session(server, "bert")
    try:
        async with anna.get("/phone/socket", headers={"Origin": "https://evil.example"}) as r:
            assert r.status == 403
        async with bert.get("/phone/socket") as response:  # no extension, no phone
            assert response.status == 404
        async with anna.get("/phone/socket", headers={"Accept": "application/json"}) as response:
            assert response.status == 503
            assert "not reachable" in (await response.json())["message"]
        async with aiohttp.ClientSession(str(server.make_url("/"))) as stranger:
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await stranger.ws_connect("/phone/socket", protocols=("sip",))
    finally:
        await anna.close()
        await bert.close()


async def test_the_relay_carries_sip_both_ways_and_closes_with_asterisk(
    server: TestServer, ari_port: int
) -> None:
    heard: list[str] = []
    asterisk = await _standin_asterisk(ari_port, heard)
    anna = await _session(server, "anna")
    try:
        origin = str(server.make_url("/")).rstrip("/")
        phone = await anna.ws_connect(
            "/phone/socket", protocols=("sip",), headers={"Origin": origin}, autoclose=False
        )
        assert phone.protocol == "sip"
        await phone.send_str("REGISTER sip:127.0.0.1 SIP/2.0\r\n\r\n")
        answer = await asyncio.wait_for(phone.receive(), 5)
        assert answer.data == "SIP/2.0 200 OK\r\n\r\n"
        assert heard == ["REGISTER sip:127.0.0.1 SIP/2.0\r\n\r\n"]
        await phone.send_str("go away")  # Asterisk closes: so does the phone's socket
        closing = await asyncio.wait_for(phone.receive(), 5)
        assert closing.type is WSMsgType.CLOSE
    finally:
        await anna.close()
        await asterisk.cleanup()


async def test_an_admin_chooses_the_phone_on_the_users_page(server: TestServer) -> None:
    admin = await _session(server, "admin")
    try:
        page = "/admin/users/anna"
        async with admin.get(page) as response:
            assert 'action="/admin/users/anna/phone"' in await response.text()
        status, _ = await post_form(admin, f"{page}/phone", page, {"phone_kind": "browser"})
        assert status == 200  # followed to the page, saved
        assert [a.browser for a in await sip_accounts()] == [True]
        status, text = await post_form(admin, f"{page}/phone", page, {"phone_kind": "fax"})
        assert status == 400 and "Choose a phone." in text
        status, text = await post_form(
            admin, "/admin/users/bert/phone", "/admin/users/bert", {"phone_kind": "browser"}
        )
        assert status == 400 and "no SIP extension" in text
        assert [a.browser for a in await sip_accounts()] == [True]
    finally:
        await admin.close()
