"""The Swedish catalogue covers every text the templates and scripts mark for translation."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from ehd.accounts import notification_texts
from ehd.accounts.permissions import LABELS
from ehd.config import PROJECT_ROOT
from ehd.queueing.settings_help import ALL, SECTIONS
from ehd.web.boards import call_statistics, report_central, ticket_statistics
from ehd.web.boards.wallboard import SCRIPT_TEXTS, VIEWS
from ehd.web.i18n import LOCALES, from_accept_language, translations
from ehd.web.labels import LABELS as CODE_LABELS
from ehd.web.telephony import agent_console, browser_phone

TEMPLATES = PROJECT_ROOT / "web" / "templates"
MARKED = re.compile(r"""_\((["'])((?:(?!\1)[^\\]|\\.)+)\1\)""")


def marked_texts() -> set[str]:
    found = set(SCRIPT_TEXTS) | set(VIEWS.values()) | set(agent_console.SCRIPT_TEXTS)
    found |= set(browser_phone.PHONE_TEXTS)
    found |= {*notification_texts.SENTENCES.values(), notification_texts.A_VISITOR}
    found |= set(LABELS.values())  # permission names, shown through _(label)
    found |= set(CODE_LABELS.values())  # statuses, channels, entry kinds: label(code)
    found |= {*call_statistics.MEASURE_LABELS.values(), *call_statistics.CHART_TEXTS}
    found |= set(call_statistics.CALL_RECORD_LABELS.values())
    found |= set(report_central.FREQUENCY_LABELS.values())
    found |= {
        *ticket_statistics.TICKET_MEASURE_LABELS.values(), *ticket_statistics.TICKET_CHART_TEXTS,
        *ticket_statistics.PERIOD_LABELS.values(), *ticket_statistics.DIMENSION_LABELS.values(),
    }  # fmt: skip
    found |= {"first response", "resolution"}  # the goal named in an SLA notification
    found |= {
        *call_statistics.GRANULARITY_LABELS.values(),
        *call_statistics.GROUPING_LABELS.values(),
    }
    found |= {title for title, _ in SECTIONS} | {s.help for s in ALL.values()}  # queue screen
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


# Texts that are the same in every language: names, codes, examples and machine values.
UNTRANSLATED = {"Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki",
                "Europe/London", "UTC", "tls", "none", "delete", "flag", "en", "sv", "ID",
                "ID (1-8)", "/form/", "/chat/", "AND", "NOT", "Website", "hh:mm", "ehd", "· ehd",
                "cfi | survey-question-csat | 1 | 5", "SIP", "· ARI"}  # fmt: skip


def unmarked_texts(html: str) -> list[str]:
    """Visible text and labelling attributes of a template that are not inside _(). Pure."""
    for pattern in (r"\{#.*?#\}", r"\{\{.*?\}\}", r"\{%.*?%\}", r"<script.*?</script>"):
        html = re.sub(pattern, " ", html, flags=re.S)
    found = re.findall(r'(?:placeholder|aria-label|title|alt)="([^"]*[A-Za-z]{2}[^"]*)"', html)
    text = re.sub(r"<[^>]+>", "\n", html)
    parts = (part.strip() for part in re.split(r"\n| {2,}", text))
    found += [part for part in parts if re.search("[A-Za-z]{2}", part)]
    return [item for item in found if item not in UNTRANSLATED and not item.startswith("+46")]


def test_templates_have_no_text_outside_the_catalogue() -> None:
    assert unmarked_texts('<p title="Hi there">{{ _("Fine") }} Not fine</p>') == [
        "Hi there", "Not fine"]  # fmt: skip
    unmarked = {path.name: unmarked_texts(path.read_text()) for path in TEMPLATES.glob("*.html")}
    assert {name: texts for name, texts in unmarked.items() if texts} == {}
