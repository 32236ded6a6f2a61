"""One snapshot a second for every wallboard watching: computed once however many boards
are open, and only while at least one is."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Snapshot = dict[str, Any]


class WallboardFeed:
    def __init__(self, compute: Callable[[], Awaitable[Snapshot]], period: float = 1.0) -> None:
        self.compute = compute
        self.period = period
        self._boards: set[asyncio.Queue[Snapshot]] = set()
        self._task: asyncio.Task[None] | None = None

    def subscribe(self) -> asyncio.Queue[Snapshot]:
        board: asyncio.Queue[Snapshot] = asyncio.Queue(1)  # a slow board gets the newest only
        self._boards.add(board)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        return board

    def unsubscribe(self, board: asyncio.Queue[Snapshot]) -> None:
        self._boards.discard(board)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while self._boards:
            try:
                snapshot = await self.compute()
            except Exception:  # a database hiccup must not end the feed; next second retries
                log.exception("wallboard snapshot failed")
            else:
                for board in list(self._boards):
                    if board.full():
                        board.get_nowait()
                    board.put_nowait(snapshot)
            await asyncio.sleep(self.period)
