"""Post-call keypad surveys: questions on a key scale, and what a keyed answer means. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ehd.errors import ValidationError
from ehd.plain_numbers import is_digits


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    low: int = 1
    high: int = 5

    def __post_init__(self) -> None:
        if not 0 <= self.low < self.high <= 10:
            raise ValidationError(f"question {self.id}: the scale must lie within 0-10")
        if not self.id or len(self.id) > 32:
            raise ValidationError("a question needs an id of 1-32 characters")

    @property
    def max_keys(self) -> int:
        """One key for 1-5 (CSAT); two for a scale reaching 10 (NPS), ended by #."""
        return 2 if self.high >= 10 else 1

    def answer(self, keys: str) -> int | None:
        """The value keyed in, or None when it is not on the scale."""
        if not is_digits(keys):
            return None
        value = int(keys)
        return value if self.low <= value <= self.high else None


def parse_questions(raw: Any) -> tuple[Question, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValidationError("questions must be a non-empty list", field="questions")
    questions = []
    for item in raw:
        if not isinstance(item, dict):
            raise ValidationError("each question is an object", field="questions")
        try:
            questions.append(
                Question(
                    str(item["id"]),
                    str(item["prompt"]),
                    int(item.get("low", 1)),
                    int(item.get("high", 5)),
                )
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ValidationError(
                "each question needs id and prompt (low, high optional)", field="questions"
            ) from err
    if len({q.id for q in questions}) != len(questions):
        raise ValidationError("question ids must differ", field="questions")
    return tuple(questions)
