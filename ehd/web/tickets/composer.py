"""What the reply form sends, read into a reply: the rich text (sanitised HTML, and the plain
text derived from it for the text part of the mail), copies, blind copies and files. A form
without rich text (no script) sends its plain text."""

from __future__ import annotations

import re

from ehd.crm.directory import EMAIL
from ehd.errors import ValidationError
from ehd.mail.body_text import text_of
from ehd.mail.parse import sanitise
from ehd.tickets.mail_out import Composed
from ehd.web.tickets.uploads import Form, uploads_of

MAX_TEXT, MAX_HTML, MAX_COPIES = 20000, 200_000, 20


def addresses(text: str, field: str) -> tuple[str, ...]:
    """Addresses separated by commas, semicolons or spaces; each checked, no repeats. Pure."""
    found = tuple(dict.fromkeys(a.strip().lower() for a in re.split(r"[,;\s]+", text) if a))
    bad = [a for a in found if not EMAIL.fullmatch(a)]
    if bad:
        raise ValidationError(f"{bad[0]} is not an email address", field=field)
    if len(found) > MAX_COPIES:
        raise ValidationError(f"at most {MAX_COPIES} addresses", field=field)
    return found


def composed_reply(form: Form) -> tuple[str, Composed]:
    """The reply's text and what goes with it; raises on a bad address or too big files."""
    written = str(form.get("html", "")).strip()
    markup = sanitise(written[:MAX_HTML]) if written else ""
    text = text_of(markup) if markup else str(form.get("text", "")).strip()
    composed = Composed(
        html=markup if text else "",
        cc=addresses(str(form.get("cc", "")), "cc") if "cc" in form else None,
        bcc=addresses(str(form.get("bcc", "")), "bcc"),
        files=tuple(uploads_of(form, "file")),
    )
    return text[:MAX_TEXT], composed
