"""Live updates between processes over PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
from typing import Any

from ehd.db.live_bus import LocalBus, PostgresBus, bus_for
from tests.harness.polling import eventually
from tests.harness.postgres import admin_url, throwaway_database


async def test_a_message_reaches_the_other_processes_and_not_its_sender() -> None:
    async with throwaway_database(admin_url(), migrated=False) as url:
        first, second = PostgresBus(url), PostgresBus(url)
        heard_first: list[dict[str, Any]] = []
        heard_second: list[dict[str, Any]] = []
        first.on("console", heard_first.append)
        second.on("console", heard_second.append)
        second.on("other kind", lambda _data: heard_second.append({"wrong": True}))
        await first.start()
        await second.start()
        try:
            await first.send("console", {"username": "alice", "event": {"type": "state"}})
            await first.send("x" * 10, {"too large": "y" * 9000})  # logged, not sent

            async def heard() -> bool:
                return bool(heard_second)

            await eventually(heard, timeout=5, what="the other process heard it")
            await asyncio.sleep(0.2)
            assert heard_second == [
                {"username": "alice", "event": {"type": "state"}, "origin": first.origin}
            ]
            assert heard_first == [], "a process does not hear itself"
        finally:
            await first.stop()
            await second.stop()


def test_sqlite_has_no_one_to_tell() -> None:
    assert isinstance(bus_for("sqlite:///tmp/ehd.sqlite3"), LocalBus)
    assert isinstance(bus_for("postgres://u:p@h/ehd?minsize=1"), PostgresBus)
