"""Call recordings in the browser: streamed through the app (never a static folder), to the
agents who handled the call, to supervisors and admins, and (once it is filed under a
ticket) to whoever may see the ticket, with range requests so a
player can seek, and as a download. A transferred call has a file per recorded part.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from ehd.accounts.site_scope import visible_tickets
from ehd.calls import records
from ehd.db.models import CallHandling, CallRecord, Role
from ehd.errors import NotFoundError, PermissionDeniedError
from ehd.plain_numbers import whole_number
from ehd.web.auth import current_user
from ehd.web.keys import CONFIG

routes = web.RouteTableDef()


@routes.get("/calls/{call_id}/recording")
async def call_recording(request: web.Request) -> web.StreamResponse:
    """The call's WAV; ``?part=2`` for the second recorded part (after a transfer),
    ``?download=1`` to save it. Range requests answer 206."""
    user = current_user(request)
    call_id = request.match_info["call_id"][:64]
    record = await CallRecord.get_or_none(call_id=call_id)
    files = await records.recordings_of(call_id)
    part = whole_number(request.query.get("part", "1"), low=1, high=max(1, len(files)))
    if record is None or not files:
        raise NotFoundError("the call has no recording")
    if part is None:
        raise NotFoundError(f"the call has {len(files)} recorded part(s)")
    handled = record.agent == user.username or await CallHandling.exists(
        call_id=call_id, agent=user.username
    )
    filed = (
        record.ticket_id is not None
        and await visible_tickets(user).filter(id=record.ticket_id).exists()
    )  # filed under a ticket: whoever may see the ticket hears it
    if user.role not in (Role.ADMIN, Role.SUPERVISOR) and not handled and not filed:
        raise PermissionDeniedError(
            "only the call's agents, supervisors and those who see its ticket hear it"
        )
    return await audio_file(request, Path(files[part - 1]), f"call-{call_id}-{part}.wav")


async def audio_file(request: web.Request, path: Path, filename: str) -> web.StreamResponse:
    """A recorded WAV from Asterisk's recording folders (inline, or ``?download=1``), with
    range requests; 404 when the file is gone (retention)."""
    paths = request.app[CONFIG].paths
    roots = (paths.asterisk / "spool" / "recording", paths.recordings)
    if not await asyncio.to_thread(_stored_under, path, roots):
        raise NotFoundError("the recording is gone (deleted after its retention time)")
    disposition = "attachment" if request.query.get("download") == "1" else "inline"
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "audio/wav",
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def _stored_under(path: Path, roots: tuple[Path, ...]) -> bool:
    """A file inside one of the recording folders (a stored path never leads elsewhere)."""
    real = path.resolve()
    return real.is_file() and any(real.is_relative_to(root.resolve()) for root in roots)
