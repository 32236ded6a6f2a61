"""Whatever a subject held, a header gets one line of it."""

from __future__ import annotations

import pytest

from ehd.mail.header_text import one_line


@pytest.mark.parametrize(("text", "line"), [
    ("Printer broken", "Printer broken"),
    ("Hello\r\nBcc: victim@example.com", "Hello Bcc: victim@example.com"),
    ("a\nb\rc\td", "a b c d"),
    ("one\u2028two\u2029three\x85four", "one two three four"),
    ("  spaced \x00 out  ", "spaced out"),
    ("Grüße – äöå", "Grüße – äöå"),
])  # fmt: skip
def test_a_header_gets_one_line(text: str, line: str) -> None:
    assert one_line(text) == line
