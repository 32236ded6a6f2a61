"""Changes made through a web process that does not run the calls go to the one that does.

Several ehd processes may serve the web on one database (ehd.web.peers). Pages and reads are
served where they are asked; a request that changes something (any method but GET, HEAD and
OPTIONS) is passed on as it came, cookies and all, to the process holding the lease, whose
queue service must see it (an agent's pause, a queue's settings, a transfer), and its answer
is returned as it is. With no process heard to run the calls, such a request gets 503.
"""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web

from ehd.errors import TelephonyDownError
from ehd.web.client_address import FORWARDED_FOR, PEER_PROOF, client_of, peer_proof
from ehd.web.keys import HEALTH, SIGNING_KEY
from ehd.web.middleware import Handler
from ehd.web.peers import PEERS

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Hop-by-hop headers, and those the client session sets itself, are not passed on.
NOT_PASSED = frozenset({"host", "connection", "keep-alive", "transfer-encoding", "upgrade",
                        "content-length", "te", "trailer", "proxy-authorization"})  # fmt: skip
FORWARD_TIMEOUT = aiohttp.ClientTimeout(total=30)
FORWARDED_HEADER = "X-Ehd-Forwarded"  # set on the way: a request is passed on once at most
SESSION = web.AppKey("forwarding_session", aiohttp.ClientSession)


@web.middleware
async def forwarding_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    app = request.app
    if (
        request.method in SAFE_METHODS
        or app[HEALTH].role != "standby"
        or FORWARDED_HEADER in request.headers
    ):
        return await handler(request)
    url = app[PEERS].active_url()
    if url is None:
        raise TelephonyDownError("no ehd process runs the calls just now; try again shortly")
    return await _forward(request, url)


async def _forward(request: web.Request, active_url: str) -> web.StreamResponse:
    # The client's address goes on as worked out here (through any trusted proxies), never
    # as the client or a proxy wrote it, in whatever letter case.
    replaced = NOT_PASSED | {FORWARDED_FOR.lower(), PEER_PROOF.lower()}
    headers = {k: v for k, v in request.headers.items() if k.lower() not in replaced}
    headers[FORWARDED_HEADER] = "1"
    client = client_of(request)
    if client:
        headers[FORWARDED_FOR] = client
        headers[PEER_PROOF] = peer_proof(request.app[SIGNING_KEY], client)
    body = await request.read()
    session = request.app[SESSION]
    try:
        async with session.request(request.method, f"{active_url}{request.path_qs}",
                                   headers=headers, data=body, allow_redirects=False,
                                   timeout=FORWARD_TIMEOUT) as answer:  # fmt: skip
            content = await answer.read()
            response = web.Response(status=answer.status, body=content)
            for name, value in answer.headers.items():
                if name.lower() not in NOT_PASSED and name.lower() != "content-encoding":
                    response.headers.add(name, value)
            return response
    except (aiohttp.ClientError, TimeoutError) as err:
        log.warning("passing %s %s on to %s failed: %r", request.method, request.path,
                    active_url, err)  # fmt: skip
        raise TelephonyDownError("the ehd process that runs the calls did not answer") from err
