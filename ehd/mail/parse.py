"""Turn raw mail into what a ticket needs, never failing: odd charsets fall back, HTML is
sanitised with nh3, attachments are kept, and whatever could not be read is listed.

A message the email package cannot take apart at all (an address list it chokes on, parts
nested a thousand deep) is read as plain lines instead: its headers and body as they stand.
One such message must never stop the mail behind it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import getaddresses

import nh3

FALLBACK_CHARSETS = ("utf-8", "windows-1252", "latin-1")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""  # without <>: the HTML shows it as src="cid:..."

    @property
    def sha256(self) -> str:
        """Stored once by content: the same file in ten mails is one file on disk."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class ParsedMail:
    subject: str = ""
    sender: str = ""
    sender_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    message_id: str = ""
    text: str = ""
    html: str = ""  # sanitised; remote image sources kept (shown only through the proxy)
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    message: EmailMessage | None = None


def _header(message: Message, name: str, problems: list[str]) -> str:
    try:
        return str(message.get(name, "") or "").strip()
    except (ValueError, LookupError, IndexError) as err:  # undecodable encoded-words
        problems.append(f"header {name}: {err}")
        raw = message.get_all(name, failobj=[])
        return str(raw[0]) if raw else ""


def _decode(part: Message, problems: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    declared = part.get_content_charset()
    for charset in (declared, *FALLBACK_CHARSETS) if declared else FALLBACK_CHARSETS:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            if charset == declared:
                problems.append(f"charset {declared!r} did not decode; used a fallback")
    return payload.decode("utf-8", errors="replace")  # latin-1 never fails; for the type checker


def _images_kept(remote: bool) -> Callable[[str, str, str], str | None]:
    """The attribute filter: inline images (cid:) always keep their source, remote ones only
    when ``remote`` (they are kept in the store and shown only through the app's proxy, on
    request: a remote image tells its sender who read the mail, when and where)."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        lowered = value.lower()
        if tag == "img" and attribute == "srcset":
            return None
        if tag == "img" and attribute == "src":
            inline = lowered.startswith("cid:")
            return value if inline or (remote and lowered.startswith(("http:", "https:"))) else None
        if lowered.startswith("cid:"):  # a link to a part makes no sense outside the mail
            return None
        return value

    return keep


_ONLY_INLINE_IMAGES = _images_kept(remote=False)
_WITH_REMOTE_IMAGES = _images_kept(remote=True)


def sanitise(html: str, remote_images: bool = False) -> str:
    """Safe to show inside the web app: no scripts, handlers, styles or remote objects; inline
    images keep their ``cid:`` source; remote images are dropped (the alt text stays) unless
    ``remote_images``, for the store and for the proxy."""
    keep = _WITH_REMOTE_IMAGES if remote_images else _ONLY_INLINE_IMAGES
    return nh3.clean(html, url_schemes={"http", "https", "mailto", "cid"},
                     link_rel="noopener noreferrer", attribute_filter=keep)  # fmt: skip


def parse(raw: bytes) -> ParsedMail:
    try:
        return _parse_structured(raw)
    except Exception as err:
        return _parse_lines(raw, err)


_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
MAX_FALLBACK_TEXT = 100_000


def _addresses(text: str) -> list[tuple[str, str]]:
    """(name, address) pairs; a list the parser chokes on is searched for addresses."""
    try:
        return getaddresses([text])
    except (IndexError, ValueError):
        return [("", found) for found in _ADDRESS.findall(text)]


def _parse_lines(raw: bytes, err: Exception) -> ParsedMail:
    text = raw.decode("utf-8", errors="replace")
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    headers: dict[str, str] = {}
    for line in re.sub(r"\n[ \t]+", " ", head).split("\n"):  # unfolded
        name, colon, value = line.partition(":")
        if colon and name.strip().lower() not in headers:
            headers[name.strip().lower()] = value.strip()
    sender = _addresses(headers.get("from", ""))
    return ParsedMail(
        subject=headers.get("subject", ""),
        sender=sender[0][1].lower() if sender else "",
        sender_name=sender[0][0] if sender else "",
        to=[a.lower() for _, a in _addresses(headers.get("to", "")) if a],
        cc=[a.lower() for _, a in _addresses(headers.get("cc", "")) if a],
        message_id=headers.get("message-id", "")[:255],
        text=body.strip()[:MAX_FALLBACK_TEXT],
        problems=[f"unreadable as MIME ({type(err).__name__}): kept as plain text"],
    )


def _parse_structured(raw: bytes) -> ParsedMail:
    problems: list[str] = []
    message = message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    for defect in message.defects:
        problems.append(f"defect: {type(defect).__name__}")
    parsed = ParsedMail(message=message, problems=problems)
    parsed.subject = _header(message, "Subject", problems)
    senders = _addresses(_header(message, "From", problems))
    parsed.sender_name, sender = senders[0] if senders else ("", "")
    parsed.sender = sender.lower()
    parsed.to = [a.lower() for _, a in _addresses(_header(message, "To", problems)) if a]
    parsed.cc = [a.lower() for _, a in _addresses(_header(message, "Cc", problems)) if a]
    parsed.message_id = _header(message, "Message-ID", problems)
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        content_type = part.get_content_type()
        filename = part.get_filename()
        if disposition == "attachment" or (filename and disposition != "inline"):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                name = filename or f"attachment-{len(parsed.attachments) + 1}"
                parsed.attachments.append(Attachment(name, content_type, data))
            continue
        if content_type == "text/plain" and not parsed.text:
            parsed.text = _decode(part, problems)
        elif content_type == "text/html" and not parsed.html:
            parsed.html = sanitise(_decode(part, problems), remote_images=True)
        elif filename or content_type.startswith(("image/", "application/")):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                name = filename or f"inline-{len(parsed.attachments) + 1}"
                content_id = str(part.get("Content-ID", "")).strip().strip("<>")[:255]
                parsed.attachments.append(Attachment(name, content_type, data, content_id))
    if not parsed.text and parsed.html:
        parsed.text = nh3.clean(parsed.html, tags=set()).strip()
    return parsed
