"""A ticket's files on disk: each stored once under its SHA-256 (however many mails or replies
carry it), written atomically, and recorded as attachments of an entry."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ehd.db.models import Ticket, TicketAttachment, TicketEntry


def raw_path(folder: Path, digest: str, suffix: str) -> Path:
    return folder / digest[:2] / f"{digest}{suffix}"


async def store_file(folder: Path, data: bytes, suffix: str) -> str:
    """Keep ``data`` under its SHA-256 (written once, atomically); the digest."""
    digest = hashlib.sha256(data).hexdigest()
    path = raw_path(folder, digest, suffix)

    def write() -> None:
        if not path.exists():  # stored once, whatever number of mails carry it
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(path)

    await asyncio.to_thread(write)
    return digest


@dataclass(frozen=True)
class Upload:
    """A file someone attached to what they wrote on a page."""

    filename: str
    content_type: str
    data: bytes


async def attach_files(
    ticket: Ticket, entry: TicketEntry, files: Sequence[Upload], store: Path
) -> list[TicketAttachment]:
    """Keep files with an entry of the ticket (each stored once by its digest)."""
    attached = []
    for upload in files:
        digest = await store_file(store / "attachments", upload.data, "")
        attached.append(await TicketAttachment.create(
            ticket=ticket, entry=entry, filename=upload.filename[:255],
            content_type=upload.content_type[:128], sha256=digest, size=len(upload.data),
        ))  # fmt: skip
    return attached
