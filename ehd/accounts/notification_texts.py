"""What a notification says, in the reader's language: one sentence per kind, filled from the
facts the notification keeps (``Notification.details``), so a Swedish colleague reads Swedish
whoever caused it. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import assert_never

from ehd.db.models import NotificationKind

# The catalogue's source texts (web/locale), by kind.
SENTENCES = {
    NotificationKind.MENTION: "%(who)s mentioned you on ticket %(number)s: %(subject)s",
    NotificationKind.ASSIGNED: "%(who)s gave you ticket %(number)s: %(subject)s",
    NotificationKind.NEW_TICKET: "New ticket %(number)s in your group: %(subject)s",
    NotificationKind.CHAT_WAITING: "%(who)s waits for a chat",
    NotificationKind.SERVICE_GOAL: (
        "Queue %(queue)s is below its service goal: %(level)s %% of calls within %(goal)s s "
        "in the last hour (target %(target)s %%)"
    ),
    NotificationKind.SLA_AT_RISK: "Ticket %(number)s will soon miss its %(goal)s goal: %(subject)s",
    NotificationKind.SLA_BREACHED: "Ticket %(number)s missed its %(goal)s goal: %(subject)s",
}
A_VISITOR = "A visitor"  # a chat visitor who gave neither name nor address


def _untranslated(text: str) -> str:
    return text


def sentence(
    kind: NotificationKind,
    details: Mapping[str, str],
    translate: Callable[[str], str] = _untranslated,
) -> str:
    """The notification as a sentence; English unless ``translate`` says otherwise."""
    named = ("who", "number", "subject", "queue", "level", "goal", "target")
    facts = {key: str(details.get(key, "")) for key in named}
    match kind:
        case (
            NotificationKind.MENTION
            | NotificationKind.ASSIGNED
            | NotificationKind.NEW_TICKET
            | NotificationKind.SERVICE_GOAL
        ):
            pass
        case NotificationKind.SLA_AT_RISK | NotificationKind.SLA_BREACHED:
            # the goal's name ("first response", "resolution") is kept in English
            facts["goal"] = translate(facts["goal"])
        case NotificationKind.CHAT_WAITING:
            facts["who"] = facts["who"] or translate(A_VISITOR)
        case _:
            assert_never(kind)
    return translate(SENTENCES[kind]) % facts


def shown(
    kind: NotificationKind, details: Mapping[str, str], text: str, translate: Callable[[str], str]
) -> str:
    """What a reader sees: the sentence in their language, or the stored English text of a
    notification made before notifications kept their facts."""
    return sentence(kind, details, translate) if details else text
