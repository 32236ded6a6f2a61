"""The caller ID an agent's phone shows when a queue call rings: who calls, and for which queue.

A desk phone shows the customer's number, named after the CRM contact when one matches, with
the queue beside it, so the agent can greet the caller before lifting the handset. A remote
agent's phone is reached through the carrier, which may refuse or rewrite a number the site
does not own, so it gets the queue's own number.
"""

from __future__ import annotations

import re

_DIALABLE = re.compile(r"^\+?[0-9*#]{2,32}\Z")
_UNSAFE_IN_NAME = re.compile(r'["<>\\\r\n\x00-\x1f]')
MAX_NAME = 40


def shown_to_agent(
    queue: str, queue_number: str, caller_number: str, contact_name: str = "", *, remote: bool
) -> str | None:
    """``"Name (queue)" <number>`` for Asterisk's originate; None shows nothing special."""
    number = caller_number if not remote and _DIALABLE.match(caller_number) else queue_number
    if not number:
        return None
    label = f"{contact_name} ({queue})" if contact_name and not remote else queue
    name = _UNSAFE_IN_NAME.sub("", label).strip()[:MAX_NAME]
    return f'"{name}" <{number}>' if name else number
