"""ehd's JSON API from a test, logged in as a given user."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.harness.ehd_process import EhdProcess
from tests.harness.web_client import admin_password, logged_in_session


class Api:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    @classmethod
    async def admin(cls, server: EhdProcess) -> Api:
        password = admin_password(server)
        return cls(await logged_in_session(server.web_url, "admin", password))

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.session.request(method, path, json=body or {}) as response:
            data = await response.json()
            if response.status >= 400:
                raise AssertionError(f"{method} {path}: {response.status} {data}")
            return data

    async def close(self) -> None:
        await self.session.close()
