"""A console login outlives its closed console for a grace period (a reload, a brief network
drop), then ends. One timer per agent, owned by the web app and cancelled when it stops."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine

from aiohttp import web


class ConsoleGrace:
    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Task[None]] = {}

    def start(self, username: str, end_login: Callable[[], Coroutine[object, object, None]],
              seconds: float) -> None:  # fmt: skip
        """After ``seconds`` without ``cancel``, run ``end_login()``."""
        self.cancel(username)

        async def wait_then_end() -> None:
            await asyncio.sleep(seconds)
            self._waiting.pop(username, None)
            await end_login()

        self._waiting[username] = asyncio.create_task(wait_then_end())

    def cancel(self, username: str) -> None:
        """The console came back in time."""
        waiting = self._waiting.pop(username, None)
        if waiting is not None:
            waiting.cancel()

    async def stop(self, _app: web.Application | None = None) -> None:
        tasks = list(self._waiting.values())
        self._waiting.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


CONSOLE_GRACE = web.AppKey("console_grace", ConsoleGrace)
