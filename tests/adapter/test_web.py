"""The web skeleton against a real SQLite database: login, CSRF, sessions, errors, access."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role, User, WebSession
from ehd.platform import create_platform_app
from ehd.web.middleware import error_middleware
from tests.harness.web_client import csrf_token, log_in


@pytest.fixture
async def client(
    tmp_path: Path,
) -> AsyncIterator[TestClient[aiohttp.web.Request, aiohttp.web.Application]]:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        await create_user("agent", "agent-pass", role=Role.AGENT)
        yield client


Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


async def test_health_is_503_without_asterisk_but_reports_the_database(client: Client) -> None:
    response = await client.get("/health")
    assert response.status == 503
    body = await response.json()
    assert body["checks"] == {"asterisk": False, "ari": False, "database": True}


async def test_pages_need_a_login(client: Client) -> None:
    response = await client.get("/status", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/login?next=/status")


async def test_login_sets_a_strict_session_cookie(client: Client) -> None:
    response = await log_in(client, "admin", "admin-pass")
    assert response.status == 303
    cookie = response.headers.getall("Set-Cookie")
    session_cookie = next(c for c in cookie if c.startswith("ehd_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    home = await client.get("/")
    assert "Welcome, admin" in await home.text()


async def test_wrong_password_is_refused_without_saying_which_part(client: Client) -> None:
    response = await log_in(client, "admin", "nope")
    assert response.status == 401
    assert "Wrong username or password." in await response.text()
    unknown = await log_in(client, "nobody", "nope")
    assert "Wrong username or password." in await unknown.text()


async def test_forms_without_the_csrf_token_are_rejected(client: Client) -> None:
    await client.get("/login")
    response = await client.post("/login", data={"username": "admin", "password": "admin-pass"})
    assert response.status == 403
    assert "security token" in await response.text()
    await log_in(client, "admin", "admin-pass")
    forged = await client.post("/logout", data={"csrf_token": "forged"})
    assert forged.status == 403


async def test_logout_ends_the_session_for_good(client: Client) -> None:
    await log_in(client, "admin", "admin-pass")
    stolen = {c.key: c.value for c in client.session.cookie_jar}["ehd_session"]
    home = await client.get("/")
    await client.post("/logout", data={"csrf_token": csrf_token(await home.text())})
    assert await WebSession.all().count() == 0
    replay = await client.get("/", cookies={"ehd_session": stolen}, allow_redirects=False)
    assert replay.status == 303 and replay.headers["Location"].startswith("/login")


async def test_login_never_redirects_off_site(client: Client) -> None:
    response = await log_in(client, "admin", "admin-pass", next_url="//evil.example/")
    assert response.headers["Location"] == "/"


async def test_security_headers_and_escaping(client: Client) -> None:
    await create_user("<script>x</script>", "pass-word", name="<b>bold</b>", role=Role.ADMIN)
    await log_in(client, "<script>x</script>", "pass-word")
    page = await client.get("/")
    html = await page.text()
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp


async def test_errors_are_json_for_api_and_pages_for_people(client: Client) -> None:
    api = await client.get("/api/me")
    assert api.status == 401
    assert (await api.json())["error"] == "not-authenticated"
    page = await client.get("/no/such/page")
    assert page.status == 404
    assert "Error 404" in await page.text()


async def test_agents_cannot_reach_admin_pages(client: Client) -> None:
    await log_in(client, "agent", "agent-pass")
    response = await client.get("/admin/users")
    assert response.status == 403


async def test_admin_adds_a_user_with_a_sip_account(client: Client) -> None:
    await log_in(client, "admin", "admin-pass")
    page = await client.get("/admin/users")
    form = {
        "csrf_token": csrf_token(await page.text()),
        "username": "carol",
        "name": "Carol",
        "email": "",
        "password": "pw-carol",
        "role": "agent",
        "sip_extension": "1003",
    }
    created = await client.post("/admin/users", data=form)
    assert created.status == 200
    carol = await User.get(username="carol")
    assert carol.sip_extension == "1003" and carol.sip_password
    assert f'id="new-sip-password">{carol.sip_password}<' in await created.text()


async def test_a_sip_password_is_shown_once_and_can_be_replaced(client: Client) -> None:
    """The users list showed every SIP password to anyone who saw the admin's screen. Now it
    is shown on creation and on "new SIP password" only; the old one stops working."""
    await log_in(client, "admin", "admin-pass")
    await create_user("carol", "pw-carol", sip_extension="1003")
    old = (await User.get(username="carol")).sip_password
    assert old and old not in await (await client.get("/admin/users")).text()
    page = await client.get("/admin/users/carol")
    assert old not in await page.text()
    token = csrf_token(await page.text())
    answer = await client.post("/admin/users/carol/sip-password", data={"csrf_token": token})
    new = (await User.get(username="carol")).sip_password
    assert answer.status == 200 and new and new != old
    assert f'id="new-sip-password">{new}<' in await answer.text()
    assert new not in await (await client.get("/admin/users/carol")).text()
    refused = await client.post("/admin/users/admin/sip-password", data={"csrf_token": token})
    assert refused.status == 400  # no SIP account to renew


async def test_no_administrator_gets_1234_by_form_password_change_or_rest(client: Client) -> None:
    """The default policy accepted "1234" for an administrator, on every door."""
    await log_in(client, "admin", "admin-pass")
    page = await client.get("/admin/users")
    form = {"csrf_token": csrf_token(await page.text()), "username": "boss", "name": "",
            "email": "", "password": "1234", "role": "admin", "sip_extension": ""}  # fmt: skip
    refused = await client.post("/admin/users", data=form)
    assert refused.status == 400 and "administrator" in await refused.text()
    assert not await User.exists(username="boss")
    agent = await client.post("/admin/users", data={**form, "role": "agent"})
    assert agent.status == 200  # the agent's policy is the site's own choice

    page = await client.get("/password")
    change = {"csrf_token": csrf_token(await page.text()), "current": "admin-pass",
              "new": "1234567890", "repeat": "1234567890"}  # fmt: skip
    refused = await client.post("/password", data=change)
    assert refused.status == 400 and "simple" in await refused.text()

    credentials = base64.b64encode(b"admin:admin-pass").decode()
    body = {"username": "boss2", "password": "password", "role": "admin"}
    rest = await client.post("/RestAPI/v1/users", json=body,
                             headers={"Authorization": f"Basic {credentials}"})  # fmt: skip
    assert rest.status == 400 and not await User.exists(username="boss2")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password", "abc", "at least 4"),
        ("sip_extension", "10x3", "digits"),
        ("role", "overlord", "Unknown role"),
        ("username", "admin", "already taken"),
    ],
)
async def test_admin_user_form_explains_bad_input(
    client: Client, field: str, value: str, message: str
) -> None:
    await log_in(client, "admin", "admin-pass")
    page = await client.get("/admin/users")
    form = {
        "csrf_token": csrf_token(await page.text()),
        "username": "dave",
        "name": "",
        "email": "",
        "password": "pw-dave",
        "role": "agent",
        "sip_extension": "",
        field: value,
    }
    response = await client.post("/admin/users", data=form)
    assert response.status == 400
    assert message in await response.text()
    assert await User.filter(username="dave").count() == 0


async def test_an_unforeseen_failure_answers_500_with_the_incident_id_it_was_logged_under(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 500 said only "it has been logged": nobody could find which log line a user meant."""

    async def broken(_request: aiohttp.web.Request) -> aiohttp.web.StreamResponse:
        raise RuntimeError("a bug nobody foresaw")

    app = aiohttp.web.Application(middlewares=[error_middleware])
    app.router.add_get("/broken", broken)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/broken", headers={"Accept": "application/json"})
        body = await response.json()
    assert response.status == 500 and body["error"] == "internal-error"
    incident = body["details"]["incident"]
    assert re.fullmatch(r"[0-9a-f]{12}", incident) and incident in body["message"]
    logged = [r for r in caplog.records if incident in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is under that id
    assert "a bug nobody foresaw" not in body["message"]  # the user sees no internals
