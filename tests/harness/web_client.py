"""A logged-in browser-like HTTP client for ehd's web pages (cookies and CSRF tokens)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role
from ehd.platform import create_platform_app
from tests.harness.ehd_process import EhdProcess
from tests.harness.mail_sink import MailSink

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def post_form(
    session: aiohttp.ClientSession, path: str, page: str, data: dict[str, str]
) -> tuple[int, str]:
    """Post a form the way a browser does: with the CSRF token of ``page``."""
    async with session.get(page) as response:
        token = csrf_token(await response.text())
    async with session.post(path, data={"csrf_token": token, **data}) as response:
        return response.status, await response.text()


async def logged_in_session(base_url: str, username: str, password: str) -> aiohttp.ClientSession:
    # unsafe=True: keep cookies for an IP-address host (127.0.0.1), as browsers do.
    session = aiohttp.ClientSession(base_url, cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.get("/login") as response:
        token = csrf_token(await response.text())
    async with session.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
    ) as response:
        page = await response.text()  # the logout form shows a session, in any language
        assert response.status == 200 and 'action="/logout"' in page, "login failed"
    return session


def admin_password(server: EhdProcess) -> str:
    return next(a.password for a in server.demo_site().accounts if a.username == "admin")


async def add_user_with_phone(
    server: EhdProcess, username: str, extension: str, email: str = ""
) -> str:
    """Create the user through the admin page; return the SIP password it shows."""
    session = await logged_in_session(server.web_url, "admin", admin_password(server))
    async with session:
        async with session.get("/admin/users") as response:
            token = csrf_token(await response.text())
        form = {
            "csrf_token": token,
            "username": username,
            "name": "Carol Carlsson",
            "password": "carol-pass-1",
            "role": "agent",
            "sip_extension": extension,
            "email": email,
        }
        async with session.post("/admin/users", data=form) as response:
            page = await response.text()
            assert response.status == 200, page
        row = re.search(r'<code id="new-sip-password">([^<]+)</code>', page)
        assert row, "the new user's SIP password is not shown"
        return row.group(1)


async def log_in(
    client: TestClient[Any, Any], username: str, password: str, next_url: str = "/"
) -> aiohttp.ClientResponse:
    """Post the login form as a browser does (its CSRF token first); the unfollowed answer."""
    page = await client.get("/login")
    token = csrf_token(await page.text())
    return await client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next_url},
        allow_redirects=False,
    )


async def session_as(server: TestServer, username: str) -> aiohttp.ClientSession:
    """A logged-in session of a test user whose password is ``<username>-pass``."""
    return await logged_in_session(str(server.make_url("/")), username, f"{username}-pass")


async def client_logged_in(
    server: TestServer, username: str, password: str = ""
) -> TestClient[Any, Any]:
    """A client of its own (cookies and all) on ``server``, logged in as ``username`` (whose
    password is ``<username>-pass`` unless given)."""
    client: TestClient[Any, Any] = TestClient(server, cookie_jar=aiohttp.CookieJar(unsafe=True))
    await client.start_server()
    answer = await log_in(client, username, password or f"{username}-pass")
    assert answer.status == 303, await answer.text()
    return client


@asynccontextmanager
async def app_client(
    config: Config, users: dict[str, Role], login: str | None = None
) -> AsyncIterator[TestClient[Any, Any]]:
    """A client of the whole web app (no telephony) over ``config``'s database, with these
    users (each one's password ``<name>-pass``), logged in as ``login`` when given."""
    app = create_platform_app(config, telephony=False)
    jar = aiohttp.CookieJar(unsafe=True)
    async with TestClient(TestServer(app), cookie_jar=jar) as client:
        for name, role in users.items():
            await create_user(name, f"{name}-pass", role=role)
        if login is not None:
            await log_in(client, login, f"{login}-pass")
        yield client


def mailing(config_dir: Path, sink: MailSink, **settings: Any) -> Config:
    """A configuration whose mail goes to the test's SMTP sink."""
    return Config(data_dir=config_dir, smtp_host="127.0.0.1", smtp_port=sink.port,
                  mail_from="support@ehd.example", **settings)  # fmt: skip
