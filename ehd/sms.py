"""Text messages behind one interface: an HTTP gateway, or the local outbox that stands in for
it (development, tests, sites without a gateway)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import aiohttp

log = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class SmsGateway(Protocol):
    async def send(self, to: str, text: str) -> None: ...


class HttpSmsGateway:
    def __init__(self, url: str) -> None:
        self.url = url

    async def send(self, to: str, text: str) -> None:
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(
                    self.url, json={"to": to, "text": text}, timeout=aiohttp.ClientTimeout(10)
                ) as response,
            ):
                if response.status >= 300:
                    raise SmsError(f"SMS gateway answered {response.status}")
        except (aiohttp.ClientError, TimeoutError) as err:
            raise SmsError(f"SMS gateway unreachable: {err!r}") from err


class OutboxSmsGateway:
    """Appends each message as a JSON line; what a gateway would have sent."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, to: str, text: str) -> None:
        line = json.dumps({"at": datetime.now(UTC).isoformat(), "to": to, "text": text})
        await asyncio.to_thread(self._append, line)
        log.info("SMS to %s (outbox): %s", to, text)

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def gateway_for(url: str, outbox: Path) -> SmsGateway:
    return HttpSmsGateway(url) if url else OutboxSmsGateway(outbox)
