"""A message that fails for a reason of its own, for the quarantine tests of every door."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from ehd.mail import conversation
from ehd.tickets import service

POISON = b"From: Pia <pia@example.com>\r\nSubject: poison\r\n\r\nthis one breaks a rule\r\n"


def fail_on_poison(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault of the message's own (a rule or parser that chokes on it), injected at the
    machine-mail check every message passes through."""
    real = conversation.automated

    def choking(message: EmailMessage) -> str | None:
        if "poison" in str(message.get("Subject", "")):
            raise IndexError("a check choked on this message")
        return real(message)

    monkeypatch.setattr(service, "automated", choking)
