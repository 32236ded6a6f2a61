"""The ARI websocket: connect, reconcile, dispatch events; reconnect with backoff when lost.

After every (re)connect the ``on_connect`` callback runs before any event is dispatched, so the
application can rebuild its view of live calls from what Asterisk reports (Asterisk is the truth).
A handler that raises, or a payload that does not parse, is logged and never stops the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from ehd.ari.client import AriClient
from ehd.ari.events import AriPayloadError, Event, parse_event

log = logging.getLogger(__name__)

EventHandler = Callable[[Event], Awaitable[None]]
ConnectHandler = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Backoff:
    initial: float = 0.25
    maximum: float = 2.0  # Asterisk restarts are noticed and reconciled within seconds
    factor: float = 2.0

    def delay(self, attempt: int) -> float:
        base = min(self.maximum, self.initial * self.factor**attempt)
        return base * random.uniform(0.8, 1.2)  # jitter: nodes don't reconnect in lockstep


RECENT_EVENTS = 512


class AriConnection:
    def __init__(
        self,
        client: AriClient,
        session: aiohttp.ClientSession,
        app: str,
        on_event: EventHandler,
        on_connect: ConnectHandler,
        backoff: Backoff | None = None,
        on_disconnect: ConnectHandler | None = None,
    ) -> None:
        self.client = client
        self._session = session
        self.app = app
        self._on_event = on_event
        self._on_connect = on_connect
        self._on_disconnect = on_disconnect
        self._backoff = backoff or Backoff()
        self.connected = asyncio.Event()
        self.connect_count = 0
        # Asterisk sends a channel's events once per subscription that covers it: a caller's
        # channel in Stasis on a subscribed endpoint (endpoint:PJSIP) arrives twice, so one
        # key press would count twice. Identical texts (same millisecond timestamp) are dropped.
        self._recent: deque[str] = deque(maxlen=RECENT_EVENTS)
        self._recent_set: set[str] = set()

    @property
    def events_url(self) -> str:
        ws_base = self.client.base_url.replace("http://", "ws://").replace("https://", "wss://")
        return f"{ws_base}/events?app={self.app}&subscribeAll=false"

    async def run(self) -> None:
        """Run until cancelled."""
        attempt = 0
        while True:
            try:
                async with self._session.ws_connect(
                    self.events_url, heartbeat=10, headers=self.client.auth_headers
                ) as websocket:
                    attempt = 0
                    self.connect_count += 1
                    self._recent.clear()
                    self._recent_set.clear()
                    log.info("ARI connected (%s, connection %d)", self.app, self.connect_count)
                    try:
                        await self._on_connect()
                    except Exception:
                        log.exception("ARI reconcile failed; continuing with live events")
                    self.connected.set()
                    await self._read(websocket)
                log.warning("ARI websocket closed")
            except (aiohttp.ClientError, OSError, TimeoutError) as err:
                log.warning("ARI connection failed: %r", err)
            finally:
                if self.connected.is_set() and self._on_disconnect is not None:
                    with contextlib.suppress(Exception):
                        await self._on_disconnect()
                self.connected.clear()
            delay = self._backoff.delay(attempt)
            attempt += 1
            await asyncio.sleep(delay)

    async def _read(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        async for message in websocket:
            if message.type != aiohttp.WSMsgType.TEXT:
                if message.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                    return
                continue
            await self.dispatch_text(message.data)

    def _seen(self, text: str) -> bool:
        if text in self._recent_set:
            return True
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(text)
        self._recent_set.add(text)
        return False

    async def dispatch_text(self, text: str) -> None:
        if self._seen(text):
            return
        try:
            event = parse_event(json.loads(text))
        except (json.JSONDecodeError, AriPayloadError) as err:
            log.warning("ignoring malformed ARI event (%s): %.200s", err, text)
            return
        try:
            await self._on_event(event)
        except Exception:
            log.exception("ARI event handler failed for %s", event.type)
