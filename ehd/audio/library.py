"""The audio library: import a sound (upload or phone recording) after checking it decodes.

Every sound is converted with sox to Asterisk's native 8 kHz 16-bit mono WAV and stored as
``<data>/sounds/<language>/<name>.wav`` with a :class:`~ehd.db.models.Sound` row describing it.
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from pathlib import Path

from ehd.db.models import Sound
from ehd.errors import NotFoundError, ValidationError

MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("wav", "gsm", "au")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?\Z")
SOX_SECONDS = 30.0


def check_name(name: str, language: str) -> None:
    if not NAME.match(name):
        raise ValidationError(
            "a sound name is 1-64 lower-case letters, digits, - or _ (no paths)", field="name"
        )
    if not LANGUAGE.match(language):
        raise ValidationError("language must look like en or sv", field="language")


def format_of(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValidationError(
            f"unsupported format {suffix or '(none)'!r}: use {', '.join(FORMATS)}", field="file"
        )
    return suffix


async def _run(*command: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), SOX_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        return 1, "sox took too long"
    return process.returncode or 0, (out + err).decode(errors="replace")


async def convert(source: Path, fmt: str, target: Path) -> float:
    """Decode ``source`` and write ``target`` in Asterisk's format; the length in seconds."""
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part.wav")
    code, output = await _run(
        "sox", "-t", fmt, str(source), "-r", "8000", "-c", "1", "-b", "16",
        "-e", "signed-integer", str(partial),
    )  # fmt: skip
    if code != 0:
        partial.unlink(missing_ok=True)
        reason = output.strip().splitlines()[-1] if output.strip() else "unreadable"
        raise ValidationError(f"the file is not {fmt} audio that can be decoded ({reason})")
    code, output = await _run("soxi", "-D", str(partial))
    seconds = float(output.strip() or 0) if code == 0 else 0.0
    if seconds < 0.1:
        partial.unlink(missing_ok=True)
        raise ValidationError("the file holds no audio (shorter than 0.1 s)")
    os.replace(partial, target)
    return seconds


async def import_sound(
    library: Path,
    source: Path,
    fmt: str,
    *,
    name: str,
    language: str,
    description: str = "",
    wording: str = "",
    created_by: str = "",
    origin: str = "upload",
) -> Sound:
    check_name(name, language)
    if fmt not in FORMATS:
        raise ValidationError(f"unsupported format {fmt!r}", field="file")
    folder = library / language
    folder.mkdir(parents=True, exist_ok=True)
    await convert(source, fmt, folder / f"{name}.wav")
    sound, _ = await Sound.update_or_create(
        name=name,
        language=language,
        defaults={
            "description": description[:255],
            "wording": wording[:2000],
            "created_by": created_by[:64],
            "source": origin,
        },
    )
    return sound


async def delete_sound(library: Path, name: str, language: str) -> None:
    check_name(name, language)
    deleted = await Sound.filter(name=name, language=language).delete()
    if not deleted:
        raise NotFoundError(f"no sound {name!r} in {language!r}")
    (library / language / f"{name}.wav").unlink(missing_ok=True)
