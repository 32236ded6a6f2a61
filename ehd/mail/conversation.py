"""Which ticket an incoming mail belongs to, and whether it was sent by a machine. Pure.

Order: our own signed Message-IDs in In-Reply-To/References; then a ticket tag in the subject,
accepted only from the ticket's contact or cc addresses; otherwise a new ticket. Our
Message-IDs carry the ticket number and an HMAC, so a forged reference cannot attach mail to
somebody else's ticket.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

_OUR_ID = re.compile(r"<?ehd\.t([0-9]{1,12})\.([0-9a-f]{12})\.([0-9a-f]{16})@[^>\s]+>?", re.I)
_TAG = re.compile(r"\[#([0-9]{1,12})\]")
_MACHINE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|noreply)\b", re.I)


def _signature(secret: bytes, ticket: int, nonce: str) -> str:
    return hmac.new(secret, f"{ticket}.{nonce}".encode(), hashlib.sha256).hexdigest()[:16]


def message_id(ticket: int, secret: bytes, domain: str) -> str:
    """A Message-ID for mail about ``ticket`` that only we can make."""
    nonce = secrets.token_hex(6)
    return f"<ehd.t{ticket}.{nonce}.{_signature(secret, ticket, nonce)}@{domain}>"


def ticket_of_message_id(value: str, secret: bytes) -> int | None:
    match = _OUR_ID.search(value)
    if match is None:
        return None
    ticket, nonce, signature = int(match.group(1)), match.group(2), match.group(3).lower()
    if not hmac.compare_digest(signature, _signature(secret, ticket, nonce)):
        return None
    return ticket


def subject_tag(ticket: int) -> str:
    return f"[#{ticket}]"


def thread(
    message: EmailMessage,
    secret: bytes,
    ticket_addresses: Callable[[int], Iterable[str] | None],
) -> int | None:
    """The ticket this mail continues, or None for a new ticket.

    ``ticket_addresses(n)`` gives ticket n's contact and cc addresses (None: no such ticket).
    """
    references = f"{message.get('In-Reply-To', '')} {message.get('References', '')}"
    for candidate in re.findall(r"<[^>]+>", references):
        ticket = ticket_of_message_id(candidate, secret)
        if ticket is not None and ticket_addresses(ticket) is not None:
            return ticket
    tag = _TAG.search(str(message.get("Subject", "")))
    if tag is None:
        return None
    ticket = int(tag.group(1))
    allowed = ticket_addresses(ticket)
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    if allowed is None or sender not in {a.lower() for a in allowed}:
        return None  # a tag from a stranger starts a new ticket instead
    return ticket


def automated(message: EmailMessage) -> str | None:
    """Why this mail was sent by a machine (never auto-reply to it), or None."""
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for header in ("X-Autoreply", "X-Autorespond", "X-Failed-Recipients"):
        if message.get(header) is not None:
            return header
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if str(message.get("X-Auto-Response-Suppress", "")).strip().lower() in ("all", "oof"):
        return "X-Auto-Response-Suppress"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "empty Return-Path"
    sender = parseaddr(str(message.get("From", "")))[1]
    if _MACHINE_SENDERS.match(sender):
        return f"sender {sender}"
    if message.get("List-Id") is not None or message.get("List-Unsubscribe") is not None:
        return "mailing list"
    return None


def addresses(message: EmailMessage, *headers: str) -> list[str]:
    values = [str(v) for h in headers for v in message.get_all(h, [])]
    return [address.lower() for _, address in getaddresses(values) if address]
