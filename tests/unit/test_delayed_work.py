"""Delayed queue work (a callback retry, a callback offer) runs once, or never after stop."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

from ehd.audio.prompts import SoundLibrary
from ehd.queueing.queue_log_writer import QueueLogWriter
from ehd.queueing.service import QueueService


def _service(tmp_path: Path) -> QueueService:
    return QueueService(cast(Any, None), "ehd", SoundLibrary(), QueueLogWriter(tmp_path / "log"))


async def test_delayed_work_runs_after_its_delay(tmp_path: Path) -> None:
    service, ran = _service(tmp_path), asyncio.Event()

    async def work() -> None:
        ran.set()

    service.later(0.01, work)
    await asyncio.wait_for(ran.wait(), 2)
    await service.shutdown()


async def test_stopping_cancels_delayed_work(tmp_path: Path) -> None:
    service, ran = _service(tmp_path), []

    async def work() -> None:
        ran.append(True)

    service.later(0.05, work)
    await service.shutdown()
    await asyncio.sleep(0.1)
    assert ran == []
