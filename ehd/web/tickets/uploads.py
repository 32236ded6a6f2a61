"""Files sent with a form (a reply, a note, the customer's page), checked for number and size
before anything is stored. The type a browser sends is kept only when it is a plain
``type/subtype``; anything else is stored as ``application/octet-stream``."""

from __future__ import annotations

import mimetypes
import re

from aiohttp import web
from multidict import MultiDictProxy

from ehd.errors import PayloadTooLargeError, ValidationError
from ehd.tickets.file_store import Upload
from ehd.tickets.service import MAX_MAIL_BYTES

Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
MAX_FILES, MAX_FILE_BYTES = 10, 10 * 1024 * 1024
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")


def content_type_of(filename: str, claimed: str) -> str:
    """The browser's type when well formed, else one from the name. Pure."""
    claimed = claimed.strip().lower()
    if _CONTENT_TYPE.fullmatch(claimed) and claimed != "application/octet-stream":
        return claimed
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def uploads_of(form: Form, field: str, max_files: int = MAX_FILES) -> list[Upload]:
    """The files of a form field, at most ``max_files`` of 10 MB, 25 MB together (a mail's
    limit)."""
    files = [f for f in form.getall(field, []) if isinstance(f, web.FileField) and f.filename]
    if len(files) > max_files:
        raise ValidationError(f"send at most {max_files} files at a time", field=field)
    uploads = []
    for item in files:
        data = item.file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise PayloadTooLargeError(f"{item.filename} is over 10 MB")
        name = item.filename.replace("\\", "/").rsplit("/", 1)[-1][:255] or "file"
        uploads.append(Upload(name, content_type_of(name, item.content_type), data))
    if sum(len(u.data) for u in uploads) > MAX_MAIL_BYTES:
        raise PayloadTooLargeError("the files are over 25 MB together")
    return uploads
