"""The web interface in English or Swedish: gettext catalogues (``web/locale``, read with
Babel, no build step), chosen by the user's language, else the browser's Accept-Language."""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from functools import cache

from aiohttp import web
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from ehd.config import PROJECT_ROOT
from ehd.db.models import User

LOCALES = PROJECT_ROOT / "web" / "locale"
LANGUAGES = {"en": "English", "sv": "Svenska"}
DEFAULT = "en"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """English is the source text; other languages come from their catalogue."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def from_accept_language(header: str) -> str:
    """The first supported language the browser asks for (quality order)."""
    choices = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        choices.append((quality, tag.strip().lower()[:2]))
    for _, language in sorted(choices, key=lambda c: -c[0]):
        if language in LANGUAGES:
            return language
    return DEFAULT


def language_for(request: web.Request, user: User | None) -> str:
    if user is not None and user.language in LANGUAGES:
        return user.language
    return from_accept_language(request.headers.get("Accept-Language", ""))


def script_labels(request: web.Request, user: User | None, texts: Iterable[str]) -> dict[str, str]:
    """The texts a page's own script writes, in the page's language (its data-labels)."""
    translate = translations(language_for(request, user)).gettext
    return {text: translate(text) for text in texts}
