"""Screen pop: the URL an agent's browser opens for an offered call. Pure.

Templates use the placeholders below; every value is URL-encoded, so a caller ID or customer
number can never change the URL's structure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from ehd.errors import ValidationError

PLACEHOLDERS = {
    "AID": "the caller's number",
    "BID": "the dialled number",
    "GARPNUM": "the unique call id",
    "QID": "the queue",
    "LANG": "the call's language",
    "CUSTID": "the customer number keyed in",
    "PRIO": "the caller's priority",
    "RINGNO": "the number rung in an outbound call list",
}
_FIELD = re.compile(r"\{([A-Z]+)\}")


def check_template(template: str) -> None:
    if not template:
        return
    if not template.startswith(("http://", "https://", "/")):
        raise ValidationError("a screen pop URL starts with http://, https:// or /")
    unknown = sorted({name for name in _FIELD.findall(template) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            f"unknown placeholder(s) {', '.join(unknown)}; use {', '.join(PLACEHOLDERS)}"
        )


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill the placeholders; missing values become empty."""
    return _FIELD.sub(lambda m: quote(values.get(m.group(1), ""), safe=""), template)


def choose(agent: str, queue: str, site: str) -> str:
    """The agent's own template wins over the queue's, which wins over the site's."""
    return agent or queue or site
