"""The ARI websocket client against a local websocket server: reconnect, reconcile, bad input."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from ehd.ari.client import AriClient
from ehd.ari.connection import AriConnection, Backoff
from ehd.ari.events import Event, StasisStart

START = {
    "type": "StasisStart",
    "application": "ehd",
    "args": ["inbound", "4600"],
    "channel": {
        "id": "c1",
        "name": "PJSIP/trunk-1",
        "state": "Ring",
        "caller": {"name": "", "number": "+4670"},
        "dialplan": {"exten": "4600"},
        "creationtime": "",
        "language": "en",
    },
}


async def test_reconnects_after_a_drop_and_reconciles_before_events() -> None:
    connections = 0
    seen_auth: list[str] = []

    async def events(request: web.Request) -> web.WebSocketResponse:
        nonlocal connections
        connections += 1
        seen_auth.append(request.headers.get("Authorization", ""))
        assert request.query["app"] == "ehd"
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str("this is not json")
        await socket.send_str(json.dumps({"type": "StasisStart", "application": "ehd"}))
        await socket.send_str(json.dumps(START))
        if connections == 1:
            await socket.close()  # Asterisk went away
        else:
            await asyncio.sleep(30)
        return socket

    app = web.Application()
    app.router.add_get("/ari/events", events)
    order: list[str] = []
    received: list[Event] = []
    second_event = asyncio.Event()

    async def on_event(event: Event) -> None:
        order.append("event")
        received.append(event)
        if len(received) == 2:
            second_event.set()
        if len(received) == 1:
            raise RuntimeError("a handler bug must not stop the connection")

    async def on_connect() -> None:
        order.append("reconcile")

    async with TestServer(app) as server, aiohttp.ClientSession() as session:
        client = AriClient(session, str(server.make_url("/ari")), "ehd", "pw")
        connection = AriConnection(
            client, session, "ehd", on_event, on_connect, Backoff(initial=0.01, maximum=0.05)
        )
        task = asyncio.create_task(connection.run())
        try:
            async with asyncio.timeout(5):
                await second_event.wait()
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    assert connection.connect_count == 2
    assert order == ["reconcile", "event", "reconcile", "event"]
    assert all(isinstance(e, StasisStart) for e in received)
    assert seen_auth[0].startswith("Basic ")


async def test_keeps_retrying_while_asterisk_is_down() -> None:
    async def ignore(_event: Event) -> None:
        return None

    async def nothing() -> None:
        return None

    async with aiohttp.ClientSession() as session:
        client = AriClient(session, "http://127.0.0.1:9/ari", "ehd", "pw")
        connection = AriConnection(
            client, session, "ehd", ignore, nothing, Backoff(initial=0.01, maximum=0.02)
        )
        task = asyncio.create_task(connection.run())
        await asyncio.sleep(0.3)
        assert not task.done(), "the loop gave up"
        assert not connection.connected.is_set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_backoff_grows_to_its_ceiling() -> None:
    backoff = Backoff(initial=0.25, maximum=5.0)
    delays = [backoff.delay(n) for n in range(10)]
    assert delays[0] < 0.31 and delays[-1] <= 6.0
    assert all(delay >= 0.2 for delay in delays)


async def test_an_event_delivered_twice_by_overlapping_subscriptions_is_handled_once() -> None:
    received: list[Event] = []

    async def on_event(event: Event) -> None:
        received.append(event)

    async def nothing() -> None:
        return None

    async with aiohttp.ClientSession() as session:
        client = AriClient(session, "http://127.0.0.1:9/ari", "u", "p")
        connection = AriConnection(client, session, "ehd", on_event, nothing)
        dtmf = {**START, "type": "ChannelDtmfReceived", "digit": "5", "timestamp": "t1"}
        await connection.dispatch_text(json.dumps(dtmf))
        await connection.dispatch_text(json.dumps(dtmf))  # the endpoint subscription's copy
        await connection.dispatch_text(json.dumps({**dtmf, "timestamp": "t2"}))  # pressed again
    assert [e.type for e in received] == ["ChannelDtmfReceived", "ChannelDtmfReceived"]
