"""A ticket's files, served through the app to those who may see the ticket: inline images of
HTML mail (their ``cid:`` sources point here) and attachments.

Only raster images are shown inline; everything else (SVG and HTML included, which could run
script on our origin) is sent as a download, and the browser is told not to guess types."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from ehd.accounts.site_scope import visible_tickets
from ehd.db.models import TicketAttachment
from ehd.errors import NotFoundError
from ehd.plain_numbers import row_id
from ehd.tickets.file_store import raw_path
from ehd.web.auth import current_user
from ehd.web.keys import CONFIG
from ehd.web.rendering import render

routes = web.RouteTableDef()
SHOWN_INLINE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
TEXT_TYPES = frozenset({"application/json", "application/xml", "application/csv"})
TEXT_ENDINGS = (".txt", ".log", ".csv", ".json", ".xml", ".md", ".ini", ".conf", ".yaml")
PREVIEW_BYTES = 200 * 1024
_CID_SOURCE = re.compile(r'src="cid:([^"]*)"', re.I)


def file_kind(filename: str) -> str:
    """What a file is, as its name's ending in capitals ("PDF", "PNG"), or "FILE". Pure."""
    stem, dot, ending = filename.rpartition(".")
    return ending.upper()[:5] if dot and stem and ending.isalnum() else "FILE"


def file_url(ticket_number: int, attachment_id: int) -> str:
    return f"/tickets/{ticket_number}/files/{attachment_id}"


def show_inline_images(sanitised: str, ticket_number: int, by_content_id: dict[str, int]) -> str:
    """Point each ``cid:`` image of sanitised HTML at its file; an unknown one loses its
    source (the alt text stays). Pure."""

    def source(match: re.Match[str]) -> str:
        attachment_id = by_content_id.get(html.unescape(match.group(1)))
        return f'src="{file_url(ticket_number, attachment_id)}"' if attachment_id else ""

    return _CID_SOURCE.sub(source, sanitised)


async def _attachment(request: web.Request) -> tuple[TicketAttachment, Path]:
    """The file the address names, on a ticket the user may see, and where its bytes are."""
    me = current_user(request)
    ticket = await visible_tickets(me).get_or_none(number=int(request.match_info["number"]))
    if ticket is None:
        raise NotFoundError("no such ticket")
    attachment_id = row_id(request.match_info["id"])
    found = (
        await TicketAttachment.get_or_none(id=attachment_id, ticket_id=ticket.id)
        if attachment_id is not None
        else None
    )
    if found is None:
        raise NotFoundError("no such file on this ticket")
    return found, raw_path(request.app[CONFIG].paths.mail / "attachments", found.sha256, "")


@routes.get("/tickets/{number:[0-9]{1,9}}/files/{id}")
async def ticket_file(request: web.Request) -> web.StreamResponse:
    found, path = await _attachment(request)
    data = await asyncio.to_thread(path.read_bytes)
    inline = found.content_type in SHOWN_INLINE
    disposition = "inline" if inline else "attachment"
    return web.Response(body=data, content_type=found.content_type if inline else
                        "application/octet-stream", headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(found.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
    })  # fmt: skip


def previewed_as(content_type: str, filename: str) -> str:
    """How a file is shown on its preview page: "image", "pdf" (drawn by pdf.js in the page),
    "text" or "" (download only). Pure."""
    if content_type in SHOWN_INLINE:
        return "image"
    if content_type == "application/pdf" or filename.lower().endswith(".pdf"):
        return "pdf"
    if content_type.startswith("text/") or content_type in TEXT_TYPES:
        return "text"
    return "text" if filename.lower().endswith(TEXT_ENDINGS) else ""


@routes.get("/tickets/{number:[0-9]{1,9}}/files/{id}/preview")
async def preview(request: web.Request) -> web.StreamResponse:
    """The file in a page: an image shown, a PDF's pages drawn, a text file's first 200 kB as
    text (never as markup, whatever its type says), anything else described with its
    download."""
    found, path = await _attachment(request)
    kind = previewed_as(found.content_type, found.filename)
    text = ""
    if kind == "text":
        head = await asyncio.to_thread(_head, path, PREVIEW_BYTES)
        text = head.decode("utf-8", errors="replace")
    return render("file_preview.html", request, {
        "file": found, "kind": kind, "text": text, "cut": found.size > PREVIEW_BYTES,
        "url": file_url(int(request.match_info["number"]), found.id),
        "number": request.match_info["number"],
    })  # fmt: skip


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)
