"""A corpus of tricky mail (tests/corpus/mail/*.eml): parsing never fails, and what matters is
read correctly; machine mail is recognised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ehd.mail.conversation import automated
from ehd.mail.parse import parse

CORPUS = Path(__file__).parent.parent / "corpus" / "mail"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expectations.json").read_text())


def test_the_corpus_is_complete() -> None:
    files = sorted(path.stem for path in CORPUS.glob("*.eml"))
    assert len(files) >= 30 and files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_message(name: str) -> None:
    expected = EXPECTED[name]
    mail = parse((CORPUS / f"{name}.eml").read_bytes())
    assert mail.message is not None
    if "subject" in expected:
        assert mail.subject == expected["subject"]
    if "subject_contains" in expected:
        assert expected["subject_contains"] in mail.subject
    if "text" in expected:
        text = mail.text.strip()
        assert (expected["text"] in text) if expected["text"] else not text
    if "sender" in expected:
        assert mail.sender == expected["sender"]
    if "html" in expected:
        assert expected["html"] in mail.html
    for bad in expected.get("html_excludes", []):
        assert bad not in mail.html.lower() and bad not in mail.text.lower()
    if "attachments" in expected:
        assert [a.filename for a in mail.attachments] == expected["attachments"]
    if "attachments_count" in expected:
        assert len(mail.attachments) == expected["attachments_count"]
    if "cc" in expected:
        assert mail.cc == expected["cc"]
    if expected.get("problems"):
        assert mail.problems
    assert (automated(mail.message) is not None) == expected.get("automated", False)
