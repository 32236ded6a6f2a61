"""@mentions in internal notes. Pure: the text and the known usernames in, who was named out."""

from __future__ import annotations

import re
from collections.abc import Collection

_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_.-]{1,64})")


def mentioned(text: str, usernames: Collection[str]) -> list[str]:
    """Known users named as @username, each once, in the order first named. A trailing dot
    ends a sentence, not the name; email addresses are not mentions."""
    found: list[str] = []
    for match in _MENTION.finditer(text):
        name = match.group(1).rstrip(".")
        if name in usernames and name not in found:
            found.append(name)
    return found
