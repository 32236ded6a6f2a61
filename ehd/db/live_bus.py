"""Live updates between the ehd processes on one database: PostgreSQL LISTEN/NOTIFY.

Each message is a kind and a small JSON object, sent to every other process (a process never
hears its own). The process that runs the calls tells the others where it serves, the queues'
figures and each agent's console events; each process tells which consoles it holds open.
With SQLite there is one process per database, and the bus carries nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import asyncpg

from ehd.db.urls import asyncpg_dsn, is_postgres

log = logging.getLogger(__name__)

CHANNEL = "ehd_live"
# PostgreSQL refuses a payload of 8000 bytes or more.
MAX_PAYLOAD_BYTES = 7900
RECONNECT_SECONDS = 1.0

Handler = Callable[[dict[str, Any]], None]


class LiveBus(Protocol):
    def on(self, kind: str, handler: Handler) -> None:
        """Call ``handler`` with each message of ``kind`` from another process."""
        ...

    async def send(self, kind: str, data: dict[str, Any]) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class LocalBus:
    """One process per database: nothing to tell anyone."""

    def on(self, kind: str, handler: Handler) -> None:
        pass

    async def send(self, kind: str, data: dict[str, Any]) -> None:
        pass

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


class PostgresBus:
    """LISTEN on a connection of its own (reconnected when lost); NOTIFY on the same one."""

    def __init__(self, database_url: str) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._sending = asyncio.Lock()  # one statement at a time on a connection
        self.origin = uuid.uuid4().hex[:12]
        self._handlers: dict[str, list[Handler]] = {}
        self._connection: asyncpg.Connection | None = None
        self._runner: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def on(self, kind: str, handler: Handler) -> None:
        self._handlers.setdefault(kind, []).append(handler)

    async def send(self, kind: str, data: dict[str, Any]) -> None:
        text = json.dumps({"o": self.origin, "k": kind, "d": data}, separators=(",", ":"))
        if len(text.encode()) > MAX_PAYLOAD_BYTES:
            log.warning("live update %s too large for NOTIFY (%d bytes): not sent", kind,
                        len(text.encode()))  # fmt: skip
            return
        connection = self._connection
        if connection is None or connection.is_closed():
            return  # the others catch up with the next one (figures, presence) or miss it
        try:
            async with self._sending:
                await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, text)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
            log.warning("live update %s not sent: %s", kind, err)

    async def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="live-bus")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await self.connected.wait()

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        await self._close()

    async def _run(self) -> None:
        while True:
            try:
                self._connection = await asyncpg.connect(self._dsn, timeout=5)
                lost = asyncio.Event()
                self._connection.add_termination_listener(_setter(lost))
                await self._connection.add_listener(CHANNEL, self._heard)
                self.connected.set()
                await lost.wait()
                log.warning("live updates: the database connection was lost")
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as err:
                log.warning("live updates: cannot listen: %s", err)
            self.connected.clear()
            await self._close()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), 2)
            connection.terminate()

    def _heard(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            message = json.loads(payload)
            origin, kind, data = message["o"], message["k"], message["d"]
        except (ValueError, KeyError, TypeError):
            log.warning("live updates: ignoring a malformed message: %.200s", payload)
            return
        if origin == self.origin or not isinstance(data, dict):
            return
        data["origin"] = origin
        for handler in self._handlers.get(kind, ()):
            try:
                handler(data)
            except Exception:
                log.exception("live update %s: a handler failed", kind)


def _setter(event: asyncio.Event) -> Callable[[object], None]:
    return lambda _connection: event.set()


def bus_for(database_url: str) -> LiveBus:
    return PostgresBus(database_url) if is_postgres(database_url) else LocalBus()
