"""A notification's sentence in the reader's language, from the facts it keeps."""

from __future__ import annotations

from ehd.accounts.notification_texts import sentence, shown
from ehd.db.models import NotificationKind
from ehd.web.i18n import translations

SWEDISH = translations("sv").gettext
TICKET = {"who": "Anna Berg", "number": "1042", "subject": "Printer 100% broken"}


def test_every_kind_reads_in_english_and_in_swedish() -> None:
    assert sentence(NotificationKind.MENTION, TICKET) == (
        "Anna Berg mentioned you on ticket 1042: Printer 100% broken"
    )
    assert sentence(NotificationKind.MENTION, TICKET, SWEDISH) == (
        "Anna Berg nämnde dig i ärende 1042: Printer 100% broken"
    )
    assert sentence(NotificationKind.ASSIGNED, TICKET, SWEDISH).startswith("Anna Berg gav dig")
    assert sentence(NotificationKind.NEW_TICKET, TICKET, SWEDISH) == (
        "Nytt ärende 1042 i din grupp: Printer 100% broken"
    )
    assert sentence(NotificationKind.CHAT_WAITING, {"who": "Vera"}) == "Vera waits for a chat"
    assert sentence(NotificationKind.CHAT_WAITING, {"who": ""}, SWEDISH) == (
        "En besökare väntar på en chatt"
    )
    for kind in NotificationKind:  # every kind has a sentence that takes the facts it gets
        assert sentence(kind, {}, SWEDISH)


def test_a_notification_without_facts_shows_its_stored_text() -> None:
    assert shown(NotificationKind.MENTION, {}, "Old words", SWEDISH) == "Old words"
    assert shown(NotificationKind.MENTION, TICKET, "Old words", SWEDISH).startswith("Anna")
