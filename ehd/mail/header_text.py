"""Text that ends up in a mail header: one line, whatever it came from. Pure.

A subject can arrive with line breaks hidden in an RFC 2047 word or typed into the public
form; in a header they would end the header (Python refuses to write one, so every reply to
that ticket failed). Control characters and line or paragraph separators become spaces.
"""

from __future__ import annotations

import unicodedata

_BREAKING = {"Cc", "Zl", "Zp"}  # controls (CR, LF, TAB, …), line and paragraph separators


def one_line(text: str) -> str:
    spaced = "".join(" " if unicodedata.category(ch) in _BREAKING else ch for ch in text)
    return " ".join(spaced.split())
