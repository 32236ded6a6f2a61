"""Who a request really comes from, for the limits kept per address (login tries, contact
form sends, chat starts, REST API credentials).

``request.remote`` is the TCP peer. Behind a reverse proxy listed in ``trusted_proxies``, the
client is the address the proxy added to X-Forwarded-For (read from the right, past every
trusted hop); the header is believed from those proxies only, since anyone can send it. A
request another ehd process passed on (ehd.web.forwarding) names its client the same way and
proves it with an HMAC of that address under the data folder's signing key, which only the
processes sharing the folder hold: without that, every login through a standby would count
against the standby's one address.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from ipaddress import IPv4Network, IPv6Network, ip_address

from aiohttp import web

from ehd.web.keys import CONFIG, SIGNING_KEY

FORWARDED_FOR = "X-Forwarded-For"
PEER_PROOF = "X-Ehd-Client-Proof"

Networks = tuple[IPv4Network | IPv6Network, ...]


def peer_proof(key: bytes, address: str) -> str:
    """What an ehd process adds beside the client address it passes on."""
    return hmac.new(key, f"client:{address}".encode(), hashlib.sha256).hexdigest()


def client_address(remote: str, headers: Mapping[str, str], trusted: Networks, key: bytes) -> str:
    hops = [hop.strip() for hop in headers.get(FORWARDED_FOR, "").split(",") if hop.strip()]
    if not hops:
        return remote
    proof = headers.get(PEER_PROOF, "")
    if proof and hmac.compare_digest(proof, peer_proof(key, hops[-1])):
        return hops[-1]
    address = remote
    while hops and _is_trusted(address, trusted):
        address = hops.pop()
    return address


def _is_trusted(address: str, trusted: Networks) -> bool:
    try:
        found = ip_address(address)
    except ValueError:  # not an address (a garbled header): trust ends here
        return False
    return any(found in network for network in trusted)


CLIENT: web.RequestKey[str] = web.RequestKey("client_address")  # worked out once per request


def client_of(request: web.Request) -> str:
    """The address the request's limits count against."""
    if CLIENT in request:
        return request[CLIENT]
    remote = request.remote or ""
    trusted = request.app[CONFIG].trusted_proxy_networks
    address = client_address(remote, request.headers, trusted, request.app[SIGNING_KEY])
    request[CLIENT] = address
    return address
