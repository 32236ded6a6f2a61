"""Pause codes: the site's list of reasons agents pause for, so statistics can count pauses by
reason instead of guessing from free text.

With a list in place an agent's pause must name one of its codes (queue_log's PAUSE and
UNPAUSE rows carry it, as app_queue's do); a site without a list keeps free-text reasons.
Reasons ehd gives itself (an agent who missed calls) are always allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from ehd.db.models import PauseCode
from ehd.errors import ValidationError

SYSTEM_REASONS = frozenset({"no answer"})  # set by the ACD itself, never by a person
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}\Z")
MAX_CODES = 50


@dataclass(frozen=True)
class PauseCodeSpec:
    code: str
    label: str = ""
    productive: bool = False


def parse(raw: Any) -> list[PauseCodeSpec]:
    """The API's list of ``{"code", "label", "productive"}`` objects, checked. Pure."""
    if not isinstance(raw, list) or len(raw) > MAX_CODES:
        raise ValidationError(f"codes must be a list of at most {MAX_CODES}", field="codes")
    specs: list[PauseCodeSpec] = []
    for item in raw:
        if not isinstance(item, dict):
            raise ValidationError("each code is an object with code and label", field="codes")
        code, label = item.get("code"), item.get("label", "")
        productive = item.get("productive", False)
        if not isinstance(code, str) or not _CODE.match(code):
            raise ValidationError(
                f"pause code {code!r}: 1-32 letters, digits, '.', '_' or '-'", field="codes"
            )
        if code in SYSTEM_REASONS:
            raise ValidationError(f"{code!r} is reserved for ehd's own pauses", field="codes")
        if not isinstance(label, str) or len(label) > 64 or not isinstance(productive, bool):
            raise ValidationError(f"pause code {code}: label text, productive true/false",
                                  field="codes")  # fmt: skip
        specs.append(PauseCodeSpec(code, label.strip(), productive))
    if len({spec.code.lower() for spec in specs}) != len(specs):
        raise ValidationError("each pause code may appear once", field="codes")
    return specs


async def listed() -> list[PauseCode]:
    return await PauseCode.all().order_by("position", "id")


async def replace(specs: list[PauseCodeSpec]) -> None:
    """The list becomes exactly ``specs``, in their order."""
    async with in_transaction():
        await PauseCode.all().delete()
        for position, spec in enumerate(specs):
            await PauseCode.create(
                code=spec.code, label=spec.label, productive=spec.productive, position=position
            )


async def checked_reason(reason: str) -> str:
    """The reason a person pauses with: one of the codes when the site has a list."""
    codes = [str(code) for code in await PauseCode.all().values_list("code", flat=True)]
    if not codes or reason in SYSTEM_REASONS:
        return reason[:64]
    if reason not in codes:
        raise ValidationError(
            f"reason must be one of the pause codes: {', '.join(codes)}",
            field="reason",
        )
    return reason


def as_json(code: PauseCode) -> dict[str, Any]:
    return {"code": code.code, "label": code.label, "productive": code.productive}
