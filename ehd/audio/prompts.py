"""Find a prompt in the sound library and name it the way Asterisk plays it.

Prompts are stored as ``<library>/<language>/<name>.wav``; Asterisk is given the absolute path
without the extension (it picks the format). A prompt missing in the caller's language falls back
to English, so a half-translated library never plays silence.
"""

from __future__ import annotations

import re
from pathlib import Path

from ehd.asterisk.instance import SOUNDS_DIR
from ehd.errors import NotFoundError

FALLBACK_LANGUAGE = "en"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")


class SoundLibrary:
    def __init__(self, *folders: Path) -> None:
        # Earlier folders win: uploaded sounds (data dir) before the standard prompts.
        self.folders = folders or (SOUNDS_DIR,)

    def path(self, name: str, language: str) -> Path:
        if not _NAME.match(name) or not _NAME.match(language):
            raise NotFoundError(f"invalid sound name {name!r} or language {language!r}")
        for lang in (language, FALLBACK_LANGUAGE):
            for folder in self.folders:
                candidate = folder / lang / f"{name}.wav"
                if candidate.exists():
                    return candidate
        raise NotFoundError(f"sound {name!r} not found", name=name, language=language)

    def media(self, name: str, language: str) -> str:
        """The ARI media URI for a prompt."""
        return f"sound:{self.path(name, language).with_suffix('')}"
