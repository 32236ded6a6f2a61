"""A closed console ends its login only after the grace period, unless it comes back; the web
app's stop cancels every grace timer still running."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine

from ehd.web.telephony.console_grace import ConsoleGrace


async def test_the_login_ends_after_the_grace_unless_the_console_comes_back() -> None:
    ended: list[str] = []
    grace = ConsoleGrace()

    def ending(name: str) -> Callable[[], Coroutine[object, object, None]]:
        async def end() -> None:
            ended.append(name)

        return end

    grace.start("alice", ending("alice"), 0.05)
    grace.start("bob", ending("bob"), 0.05)
    grace.cancel("bob")  # bob's console reconnected
    await asyncio.sleep(0.2)
    assert ended == ["alice"]

    grace.start("carol", ending("carol"), 0.05)
    await grace.stop()  # the app stops first
    await asyncio.sleep(0.1)
    assert ended == ["alice"]
