"""What a standby sends on to the active process: the client's address with its proof, and
never an X-Forwarded-For the client wrote itself, in any letter case."""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path
from unittest import mock

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer, make_mocked_request
from aiohttp.web_protocol import RequestHandler

from ehd.config import Config
from ehd.web.client_address import PEER_PROOF, client_address, peer_proof
from ehd.web.forwarding import SESSION, _forward
from ehd.web.keys import CONFIG, SIGNING_KEY

KEY = b"s" * 32


async def test_the_client_goes_on_with_its_proof_and_a_forged_header_does_not(
    tmp_path: Path,
) -> None:
    seen: list[list[tuple[str, str]]] = []

    async def active(request: web.Request) -> web.Response:
        seen.append(list(request.headers.items()))
        return web.Response(text="done")

    echo = web.Application()
    echo.router.add_post("/api/agents/alice/pause", active)
    async with TestServer(echo) as server, aiohttp.ClientSession() as session:
        app = web.Application()
        app[CONFIG] = Config(data_dir=tmp_path)
        app[SIGNING_KEY] = KEY
        app[SESSION] = session
        protocol = mock.Mock(spec=RequestHandler, peername=("203.0.113.9", 40000))
        forged = {"x-forwarded-for": "192.0.2.66", PEER_PROOF.upper(): "forged"}
        request = make_mocked_request("POST", "/api/agents/alice/pause", headers=forged,
                                      app=app, protocol=protocol)  # fmt: skip
        request.read = mock.AsyncMock(return_value=b"{}")  # type: ignore[method-assign]
        answer = await _forward(request, str(server.make_url("")).rstrip("/"))
    assert answer.status == 200
    [headers] = seen
    forwarded = [v for k, v in headers if k.lower() == "x-forwarded-for"]
    proofs = [v for k, v in headers if k.lower() == PEER_PROOF.lower()]
    assert forwarded == ["203.0.113.9"] and proofs == [peer_proof(KEY, "203.0.113.9")]
    # and the active process reads the client from them
    assert client_address("127.0.0.1", dict(headers), (ip_network("10.0.0.0/8"),), KEY) == (
        "203.0.113.9"
    )
