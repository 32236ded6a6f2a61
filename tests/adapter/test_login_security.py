"""Login security through the web app and a real database: accounts lock after repeated
failures, an address that keeps failing waits, strict passwords expire and are never reused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.password_policy import Policy
from ehd.accounts.service import change_password, create_user
from ehd.config import Config
from ehd.db.models import PasswordHistory, Role, User
from ehd.platform import create_platform_app
from tests.harness.web_client import csrf_token, log_in, logged_in_session

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def strict(tmp_path: Path) -> AsyncIterator[Client]:
    app = create_platform_app(Config(data_dir=tmp_path, password_policy="strict"), telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        await create_user("agent", "Sommar2026", role=Role.AGENT)
        yield client


async def test_the_account_locks_after_five_failures_even_for_the_right_password(
    strict: Client,
) -> None:
    for _ in range(5):
        response = await log_in(strict, "agent", "wrong-password")
        assert response.status == 401 and "Wrong username" in await response.text()
    response = await log_in(strict, "agent", "Sommar2026")
    assert response.status == 401 and "locked" in await response.text()
    await User.filter(username="agent").update(locked_until=datetime.now(UTC))
    response = await log_in(strict, "agent", "Sommar2026")
    assert response.status == 303
    user = await User.get(username="agent")
    assert user.failed_logins == 0 and user.locked_until is None


async def test_an_address_that_keeps_failing_must_wait(strict: Client) -> None:
    for attempt in range(10):
        response = await log_in(strict, f"nobody{attempt}", "guess")
        assert response.status == 401
    response = await log_in(strict, "agent", "Sommar2026")
    assert response.status == 429 and int(response.headers["Retry-After"]) >= 1


@pytest.mark.parametrize("trusted", [(), ("127.0.0.1",)], ids=["direct", "behind-a-proxy"])
async def test_behind_a_trusted_proxy_each_client_waits_for_itself(
    tmp_path: Path, trusted: tuple[str, ...]
) -> None:
    """Behind a reverse proxy every request comes from the proxy's address: with it listed
    in ``trusted_proxies``, the address the proxy adds is the one that waits; without, the
    header is anyone's to send and is not believed."""
    app = create_platform_app(Config(data_dir=tmp_path, trusted_proxies=trusted), telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:

        async def attempt(address: str) -> int:
            token = csrf_token(await (await client.get("/login")).text())
            form = {"username": "nobody", "password": "guess", "csrf_token": token, "next": "/"}
            headers = {"X-Forwarded-For": f"192.0.2.66, {address}"}  # first entry forged
            response = await client.post("/login", data=form, headers=headers,
                                         allow_redirects=False)  # fmt: skip
            return response.status

        for _ in range(10):
            assert await attempt("203.0.113.5") == 401
        assert await attempt("203.0.113.5") == 429
        assert await attempt("203.0.113.6") == (401 if trusted else 429)


async def change(client: Client, current: str, new: str) -> tuple[int, str]:
    page = await client.get("/password")
    data = {"csrf_token": csrf_token(await page.text()), "current": current, "new": new,
            "repeat": new}  # fmt: skip
    response = await client.post("/password", data=data)
    return response.status, await response.text()


async def test_an_expired_password_must_be_changed_and_not_to_an_old_one(strict: Client) -> None:
    await User.filter(username="agent").update(
        password_changed_at=datetime.now(UTC) - timedelta(days=91)
    )
    assert (await log_in(strict, "agent", "Sommar2026")).status == 303
    response = await strict.get("/", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/password?expired=1"
    api = await strict.get("/api/me")
    assert api.status == 403 and (await api.json())["error"] == "password-expired"

    status, page = await change(strict, "Sommar2026", "abc12abc")
    assert status == 400 and "repeat a run" in page
    status, page = await change(strict, "Sommar2026", "Sommar2026")
    assert status == 400 and "not used before" in page
    status, page = await change(strict, "wrong", "Vinter2027")
    assert status == 400 and "current password is wrong" in page
    status, page = await change(strict, "Sommar2026", "Vinter2027")
    assert status == 200 and "is changed" in page
    assert (await strict.get("/", allow_redirects=False)).status == 200
    assert await PasswordHistory.filter(user__username="agent").count() == 1
    status, page = await change(strict, "Vinter2027", "Sommar2026")  # the earlier one
    assert status == 400 and "not used before" in page


async def test_a_login_never_redirects_to_another_site(strict: Client) -> None:
    """``next`` as the login page gets it from a link: a tab hidden in it used to lead to
    ``//evil.example``."""
    page = await strict.get("/login?next=/%09/evil.example")
    assert '<input type="hidden" name="next" value="/">' in await page.text()
    response = await log_in(strict, "agent", "Sommar2026", next_url="/\t/evil.example")
    assert response.status == 303 and response.headers["Location"] == "/"


async def test_sessions_end_with_a_password_change_or_deactivation(strict: Client) -> None:
    """Whoever knew the old password is out: the other browser's session ends, the one that
    changed it goes on; a deactivated user is out at once, whatever session they hold."""
    other = await logged_in_session(str(strict.make_url("/")), "agent", "Sommar2026")
    try:
        assert (await log_in(strict, "agent", "Sommar2026")).status == 303
        status, page = await change(strict, "Sommar2026", "Vinter2027")
        assert status == 200 and "is changed" in page
        assert (await strict.get("/", allow_redirects=False)).status == 200
        response = await other.get("/", allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/login")
        assert (await other.get("/api/me")).status == 401

        await User.filter(username="agent").update(active=False)
        response = await strict.get("/", allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/login")
    finally:
        await other.close()


async def test_a_rest_credential_stops_working_when_the_password_changes(strict: Client) -> None:
    """REST calls are verified once a minute; a changed password must not wait for that."""
    await create_user("root", "Root-pass-2026", role=Role.ADMIN)
    header = {"Authorization": aiohttp.encode_basic_auth("root", "Root-pass-2026")}
    assert (await strict.get("/RestAPI/v1/users", headers=header)).status == 200
    await change_password(await User.get(username="root"), "Root-pass-2027", Policy.STRICT)
    assert (await strict.get("/RestAPI/v1/users", headers=header)).status == 401
