"""Sites (the brands or departments one installation serves): their settings checked, then
saved; the web screen, the JSON API and the REST API share these rules."""

from __future__ import annotations

import re
from typing import Any

from ehd.crm.directory import EMAIL
from ehd.db.models import Site
from ehd.errors import ValidationError
from ehd.phone_numbers import to_e164

# A web origin a site's pages are served from (scheme, host, optional port; no path).
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


async def save_site(code: str, body: dict[str, Any]) -> Site:
    """Create or change a site: {"description", "agent_instruction", "email_sender",
    "greeting", "phone_number", "embed_origins": ["https://www.example.com"]}."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,8}", code):
        raise ValidationError("a site ID is 1-8 letters, digits, - or _", field="code")
    limits = {"description": 255, "agent_instruction": 2000, "email_sender": 254, "greeting": 64}
    values: dict[str, Any] = {k: str(body[k])[:limit] for k, limit in limits.items() if k in body}
    if values.get("email_sender") and not EMAIL.fullmatch(values["email_sender"]):
        raise ValidationError("email_sender is not an address", field="email_sender")
    if "phone_number" in body:  # what customers see when agents call them
        raw = str(body["phone_number"] or "").strip()
        number = to_e164(raw) if raw else ""
        if number is None:
            raise ValidationError(f"{raw!r} is not a phone number", field="phone_number")
        values["phone_number"] = number
    if "embed_origins" in body:
        origins = body["embed_origins"]
        if not isinstance(origins, list) or not all(
            isinstance(o, str) and ORIGIN.fullmatch(o) for o in origins
        ):
            raise ValidationError("embed_origins are origins like https://www.example.com "
                                  "(no path)", field="embed_origins")  # fmt: skip
        values["embed_origins"] = list(dict.fromkeys(origins))[:20]
    site, _ = await Site.update_or_create(code=code, defaults=values)
    return site
