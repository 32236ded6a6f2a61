"""Agents' phones on the carrier: registered to ehd, answering (or not) as a test tells them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from tests.harness.carrier import Carrier, CarrierCall


@dataclass
class Policy:
    answer: bool = True
    after: float = 0.3  # ring this long before answering
    talk: float | None = None  # hang up after this long (None: stay until the far end ends)
    media: str | None = None  # play this to the caller once answered


@dataclass
class Ring:
    extension: str
    call: CarrierCall
    answered: bool


@dataclass
class PhoneFarm:
    carrier: Carrier
    policies: dict[str, Policy] = field(default_factory=dict)
    rings: list[Ring] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def answered_by(self, extension: str) -> list[Ring]:
        return [ring for ring in self.rings if ring.extension == extension and ring.answered]

    async def _serve(self) -> None:
        seen = 0
        events = self.carrier.events
        while True:
            await events.wait(lambda seen=seen: len(events.incoming) > seen, 3600)
            for start in events.incoming[seen:]:
                extension = start.args[1] if len(start.args) > 1 else ""
                task = asyncio.create_task(self._ring(extension, start.channel.id))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            seen = len(events.incoming)

    async def _ring(self, extension: str, channel_id: str) -> None:
        policy = self.policies.get(extension, Policy(answer=False))
        call = CarrierCall(self.carrier, channel_id)
        ring = Ring(extension, call, answered=False)
        self.rings.append(ring)
        if not policy.answer:
            return  # let it ring until ehd gives up
        await asyncio.sleep(policy.after)
        with contextlib.suppress(Exception):
            await self.carrier.ari.answer(channel_id)
            ring.answered = True
            if policy.media:
                await call.play(policy.media)
            if policy.talk is not None:
                await asyncio.sleep(policy.talk)
                await call.hangup()


@contextlib.asynccontextmanager
async def serving(carrier: Carrier, policies: dict[str, Policy]) -> AsyncIterator[PhoneFarm]:
    farm = PhoneFarm(carrier, dict(policies))
    task = asyncio.create_task(farm._serve())
    try:
        yield farm
    finally:
        task.cancel()
        for pending in [task, *farm._tasks]:
            pending.cancel()
        await asyncio.gather(task, *farm._tasks, return_exceptions=True)
