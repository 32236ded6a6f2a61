"""Signatures under outgoing mail: the most specific one is used (the user's own for the
ticket's site, the user's, the site's, the shared one), each a text and optionally an image
(a logo) sent inline. Images are checked to be PNG, JPEG or GIF before they are kept."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from ehd.config import Config
from ehd.db.models import Signature, Site, User
from ehd.errors import PayloadTooLargeError, ValidationError

MAX_IMAGE_BYTES = 512 * 1024
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF87a", "gif"),
          (b"GIF89a", "gif"))  # fmt: skip


def signature_folder(config: Config) -> Path:
    return config.paths.root / "signatures"


def image_kind(data: bytes) -> str | None:
    """The file type of an image by its first bytes (png, jpg, gif), else None. Pure."""
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


async def signature_for(user: User | None, site_id: int | None) -> Signature | None:
    """The most specific signature: the user's for the site, the user's, the site's, global."""
    rows = await Signature.all()

    def find(user_id: int | None, wanted_site: int | None) -> Signature | None:
        for row in rows:
            if row.user_id == user_id and row.site_id == wanted_site:
                return row
        return None

    candidates: list[tuple[int | None, int | None]] = []
    if user is not None and site_id is not None:
        candidates.append((user.id, site_id))
    if user is not None:
        candidates.append((user.id, None))
    if site_id is not None:
        candidates.append((None, site_id))
    candidates.append((None, None))
    for user_id, wanted_site in candidates:
        found = find(user_id, wanted_site)
        if found is not None:
            return found
    return None


async def save_signature(
    user: User | None,
    site: Site | None,
    text: str,
    folder: Path,
    *,
    image: bytes | None = None,
    remove_image: bool = False,
) -> Signature | None:
    """Set the signature of one scope (user and/or site, neither: the shared one). An empty
    text without an image removes it. Returns the signature, or None when removed."""
    if image is not None:
        if len(image) > MAX_IMAGE_BYTES:
            raise PayloadTooLargeError(f"the image is over {MAX_IMAGE_BYTES // 1024} kB")
        if image_kind(image) is None:
            raise ValidationError("the image must be a PNG, JPEG or GIF file", field="image")
    text = text.strip()[:4000]
    row = await signature_of(user, site)
    old_image = row.image if row else ""
    keep_image = old_image if not remove_image and image is None else ""
    if not text and not keep_image and image is None:
        if row is not None:
            await row.delete()
        await _forget(folder, old_image)
        return None
    row = row or Signature(user=user, site=site)
    row.text = text
    row.image = keep_image
    if image is not None:
        row.image = f"signature-{secrets.token_hex(6)}.{image_kind(image)}"
        await asyncio.to_thread(_write, folder / row.image, image)
    await row.save()
    if old_image and old_image != row.image:
        await _forget(folder, old_image)
    return row


async def signature_of(user: User | None, site: Site | None) -> Signature | None:
    """The signature of exactly this scope (no fallback to a wider one)."""
    query = Signature.filter(user_id=user.id) if user else Signature.filter(user_id__isnull=True)
    query = query.filter(site_id=site.id) if site else query.filter(site_id__isnull=True)
    return await query.first()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def _forget(folder: Path, name: str) -> None:
    if name:
        await asyncio.to_thread((folder / name).unlink, missing_ok=True)
