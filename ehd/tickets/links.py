"""The customer's link to a ticket: unguessable, signed, and useless for any other ticket."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

_TOKEN = re.compile(r"^([0-9]{1,12})-([A-Za-z0-9_-]{22})\Z")


def _mac(key: bytes, number: int) -> str:
    digest = hmac.new(key, f"ticket-link:{number}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_for(number: int, key: bytes) -> str:
    return f"{number}-{_mac(key, number)}"


def ticket_of(token: str, key: bytes) -> int | None:
    """The ticket number a token opens, or None (unknown, altered or malformed)."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    number = int(match.group(1))
    return number if hmac.compare_digest(match.group(2), _mac(key, number)) else None
