"""The Swedish catalogue covers every text the templates and scripts mark for translation."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from ehd.config import PROJECT_ROOT
from ehd.web.i18n import LOCALES, from_accept_language, translations
from ehd.web.wallboard import SCRIPT_TEXTS, VIEWS

TEMPLATES = PROJECT_ROOT / "web" / "templates"
MARKED = re.compile(r"""_\((["'])((?:(?!\1)[^\\]|\\.)+)\1\)""")


def marked_texts() -> set[str]:
    found = set(SCRIPT_TEXTS) | set(VIEWS.values())
    for template in TEMPLATES.glob("*.html"):
        found |= {text.replace('\\"', '"').replace("\\'", "'")
                  for _, text in MARKED.findall(template.read_text())}  # fmt: skip
    return found


def test_every_marked_text_has_a_swedish_translation() -> None:
    with (LOCALES / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {str(m.id) for m in catalog if m.id and m.string}
    texts = marked_texts()
    assert len(texts) > 100
    assert sorted(texts - translated - {"ehd"}) == []
    assert translations("sv").gettext("Tickets") == "Ärenden"


def test_the_browser_language_is_chosen_by_quality() -> None:
    assert from_accept_language("sv-SE,sv;q=0.9,en;q=0.8") == "sv"
    assert from_accept_language("de, en;q=0.5, sv;q=0.7") == "sv"
    assert from_accept_language("fr") == "en"
    assert from_accept_language("sv;q=bad, en") == "en"
