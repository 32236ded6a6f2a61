"""Numbers that are not plain ASCII digits, and JSON that is not plain JSON, get a clear 4xx at
every boundary that reads them: never a 500, never a quiet conversion of ``٣`` into 3."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role
from ehd.platform import create_platform_app
from tests.harness.web_client import logged_in_session, post_form

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]
ADMIN = {"Authorization": aiohttp.encode_basic_auth("root", "root-pass")}
# Superscript, Arabic-Indic, full-width, Bengali, mathematical digits; an overflow; signs.
ODD = ["²", "٣", "１２", "৪", "𝟕", "1²", "99999999999999999999", "-1", "+1", "1_0", " 1"]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Client]:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    async with TestClient(TestServer(app)) as client:
        await create_user("root", "root-pass", role=Role.ADMIN)
        response = await client.post("/RestAPI/v1/tickets", json={"subject": "one"},
                                     headers=ADMIN)  # fmt: skip
        assert response.status == 201
        yield client


async def test_rest_ids_and_parameters_refuse_odd_digits(api: Client) -> None:
    for odd in ODD:
        await _refused_everywhere(api, odd)


async def _refused_everywhere(api: Client, odd: str) -> None:
    for method, path in [
        ("POST", f"/RestAPI/v1/tickets/{odd}"),
        ("GET", f"/RestAPI/v1/tickets/{odd}"),
        ("DELETE", f"/RestAPI/v1/contacts/{odd}"),
        ("GET", f"/RestAPI/v1/companies/1/contacts/{odd}"),
        ("GET", f"/RestAPI/v1/crm_contactstatus/{odd}"),
    ]:
        response = await api.request(method, path, json={"status": "open"}, headers=ADMIN)
        assert response.status == 404, (method, path, await response.text())
    if odd in ("-1", " 1"):
        return  # a number to search for; an id list may have spaces after its commas
    for query in ({"limit": odd}, {"id_in": f"1,{odd}"}, {"created_at": f"2026010{odd}"},
                  {"number": odd}, {"number:lt": odd}):  # fmt: skip
        response = await api.get("/RestAPI/v1/tickets", params=query, headers=ADMIN)
        assert response.status == 400, (query, await response.text())


async def test_plain_numbers_still_work(api: Client) -> None:
    [ticket] = await (await api.get("/RestAPI/v1/tickets", headers=ADMIN)).json()
    response = await api.get("/RestAPI/v1/tickets", headers=ADMIN,
                             params={"limit": "5", "id_in": f"0, {ticket['number']}"})  # fmt: skip
    assert response.status == 200 and len(await response.json()) == 1
    response = await api.post(f"/RestAPI/v1/tickets/{ticket['number']}", json={"subject": "two"},
                              headers=ADMIN)  # fmt: skip
    assert response.status == 200 and (await response.json())["subject"] == "two"


@pytest.mark.parametrize(
    "body",
    [
        '{"subject": "x", "priority": NaN}',
        '{"subject": "x", "priority": Infinity}',
        '{"subject": "x", "priority": 1e400}',
        '{"subject": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"subject": ' + "[" * 20 + "]" * 20 + "}",
        '{"subject": "x", "priority": 1' + "0" * 5000 + "}",
    ],
)
async def test_json_that_is_not_plain_json_is_a_400(api: Client, body: str) -> None:
    response = await api.post("/RestAPI/v1/tickets", data=body,
                              headers={**ADMIN, "Content-Type": "application/json"})  # fmt: skip
    assert response.status == 400, await response.text()
    response = await api.post("/RestAPI/v1/tickets", data=b'{"subject": "\xff\xfe"}',
                              headers={**ADMIN, "Content-Type": "application/json"})  # fmt: skip
    assert response.status == 400
    assert len(await (await api.get("/RestAPI/v1/tickets", headers=ADMIN)).json()) == 1


async def test_pages_refuse_odd_digits(tmp_path: Path) -> None:
    server = TestServer(create_platform_app(Config(data_dir=tmp_path), telephony=False))
    async with server:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        session = await logged_in_session(str(server.make_url("/")), "admin", "admin-pass")
        async with session:
            for odd in ODD:
                for path in (f"/tickets/{odd}", f"/api/tickets/{odd}", f"/crm/contacts/{odd}",
                             f"/chats/{odd}", f"/wallboard?seconds={odd}"):  # fmt: skip
                    async with session.get(path) as response:
                        assert response.status in (200, 404), (path, response.status)
                status, page = await post_form(session, "/tickets/mass", "/tickets",
                                               {"number": odd, "action": "close"})  # fmt: skip
                assert status < 500, page
