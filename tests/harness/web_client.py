"""A logged-in browser-like HTTP client for ehd's web pages (cookies and CSRF tokens)."""

from __future__ import annotations

import re

import aiohttp

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def logged_in_session(base_url: str, username: str, password: str) -> aiohttp.ClientSession:
    # unsafe=True: keep cookies for an IP-address host (127.0.0.1), as browsers do.
    session = aiohttp.ClientSession(base_url, cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.get("/login") as response:
        token = csrf_token(await response.text())
    async with session.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
    ) as response:
        assert response.status == 200 and "Log out" in await response.text(), "login failed"
    return session
