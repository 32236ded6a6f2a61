"""Remote images of HTML mail, on request, through the app.

A mail's remote images are never loaded by default (each one tells its sender who read the
mail, when and where). "Show images" on one message points its images at this proxy, which
fetches them on the server: the sender sees ehd's address, never the agent's, and no cookie or
referrer. Each proxied address is signed for its message, so the proxy fetches only what that
mail showed. It refuses private, loopback and link-local addresses (checked on the addresses it
connects to, so a name that resolves inside the network is refused too), follows no
redirects, and passes on only raster images up to 5 MB.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import ipaddress
import re
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from ehd.accounts.site_scope import visible_tickets
from ehd.db.models import TicketEntry
from ehd.errors import NotFoundError
from ehd.plain_numbers import row_id
from ehd.web.auth import current_user
from ehd.web.keys import TICKET_MAIL
from ehd.web.tickets.files import SHOWN_INLINE

routes = web.RouteTableDef()
MAX_IMAGE_BYTES = 5 * 1024 * 1024
FETCH_SECONDS = 10
_REMOTE_SOURCE = re.compile(r'src="(https?://[^"]*)"', re.I)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressCheck = Callable[[Address], bool]
# Which addresses the proxy may connect to; tests widen it to loopback.
ALLOWED_ADDRESSES: web.AppKey[AddressCheck] = web.AppKey("remote_image_addresses")


def public_only(address: Address) -> bool:
    return address.is_global and not address.is_multicast


def has_remote_images(stored_html: str) -> bool:
    return _REMOTE_SOURCE.search(stored_html) is not None


def _signature(key: bytes, entry_id: int, url: str) -> str:
    message = f"remote-image\n{entry_id}\n{url}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def proxied(sanitised: str, ticket_number: int, entry_id: int, key: bytes) -> str:
    """Point each remote image of ``sanitised`` (kept with remote images) at the proxy."""

    def source(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        proxy = (f"/tickets/{ticket_number}/entries/{entry_id}/image?u={quote(url, safe='')}"
                 f"&s={_signature(key, entry_id, url)}")  # fmt: skip
        return f'src="{html.escape(proxy)}"'

    return _REMOTE_SOURCE.sub(source, sanitised)


class RefusedAddress(OSError):
    pass


class CheckedResolver(AbstractResolver):
    """Resolves as usual, then refuses the name if any of its addresses is not allowed."""

    def __init__(self, allowed: AddressCheck) -> None:
        self.allowed = allowed

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)
        results: list[ResolveResult] = []
        for info_family, _, proto, _, sockaddr in infos:
            address = ipaddress.ip_address(sockaddr[0])
            if not self.allowed(address):
                raise RefusedAddress(f"{host} resolves to {address}, which is not public")
            results.append({"hostname": host, "host": str(address), "port": int(sockaddr[1]),
                            "family": info_family, "proto": proto,
                            "flags": socket.AI_NUMERICHOST})  # fmt: skip
        return results

    async def close(self) -> None:
        return None


async def fetch_image(url: str, allowed: AddressCheck) -> tuple[bytes, str]:
    """The image at ``url`` and its type. Raises RefusedAddress, aiohttp.ClientError,
    TimeoutError or ValueError (not an image, too large, a redirect)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) address")
    try:
        literal: Address | None = ipaddress.ip_address(parts.hostname)
    except ValueError:
        literal = None
    if literal is not None and not allowed(literal):
        raise RefusedAddress(f"{literal} is not public")
    connector = aiohttp.TCPConnector(resolver=CheckedResolver(allowed), use_dns_cache=False)
    timeout = aiohttp.ClientTimeout(total=FETCH_SECONDS)
    headers = {"User-Agent": "ehd image proxy", "Accept": "image/*"}
    async with (
        aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers) as session,
        session.get(url, allow_redirects=False) as response,
    ):
        if response.status != 200:
            raise ValueError(f"answered {response.status}")
        kind = response.content_type
        if kind not in SHOWN_INLINE:
            raise ValueError(f"{kind} is not an image shown inline")
        body = await response.content.read(MAX_IMAGE_BYTES + 1)
        if len(body) > MAX_IMAGE_BYTES:
            raise ValueError("larger than 5 MB")
        return body, kind


@routes.get("/tickets/{number:[0-9]{1,9}}/entries/{entry}/image")
async def remote_image(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    ticket = await visible_tickets(me).get_or_none(number=int(request.match_info["number"]))
    entry_id = row_id(request.match_info["entry"])
    if ticket is None or entry_id is None:
        raise NotFoundError("no such message")
    entry = await TicketEntry.get_or_none(id=entry_id, ticket_id=ticket.id)
    url, signature = request.query.get("u", ""), request.query.get("s", "")
    expected = _signature(request.app[TICKET_MAIL].key, entry_id, url)
    if entry is None or not hmac.compare_digest(signature, expected):
        raise NotFoundError("no such image in this message")
    allowed = request.app.get(ALLOWED_ADDRESSES, public_only)
    try:
        body, kind = await fetch_image(url, allowed)
    except (OSError, aiohttp.ClientError, TimeoutError, ValueError) as err:
        headers: dict[str, Any] = {"Cache-Control": "no-store"}
        raise web.HTTPBadGateway(
            reason="image not fetched", text=str(err), headers=headers
        ) from err
    return web.Response(body=body, content_type=kind, headers={
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600",
    })  # fmt: skip
