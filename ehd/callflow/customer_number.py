"""Customer numbers keyed in on the phone: length and checksum checks. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from ehd.errors import ValidationError
from ehd.plain_numbers import is_digits

CHECKSUMS = ("", "luhn")


def luhn_valid(digits: str) -> bool:
    """Mod-10 (Luhn) check, as used by Swedish personal and organisation numbers and cards."""
    if not is_digits(digits):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@dataclass(frozen=True)
class CustomerNumberRule:
    mode: str = "off"  # off | optional | required
    min_length: int = 1
    max_length: int = 12
    checksum: str = ""

    def __post_init__(self) -> None:
        if self.mode not in ("off", "optional", "required"):
            raise ValidationError("customer_number must be off, optional or required")
        if not 1 <= self.min_length <= self.max_length <= 32:
            raise ValidationError("customer number lengths must satisfy 1 <= min <= max <= 32")
        if self.checksum not in CHECKSUMS:
            raise ValidationError(f"checksum must be one of {CHECKSUMS}")

    def problem(self, digits: str) -> str | None:
        """Why ``digits`` is not acceptable, or None when it is."""
        if not digits:
            return None if self.mode == "optional" else "no number entered"
        if not is_digits(digits):
            return "only digits are allowed"
        if not self.min_length <= len(digits) <= self.max_length:
            return f"the number must have {self.min_length}-{self.max_length} digits"
        if self.checksum == "luhn" and not luhn_valid(digits):
            return "the check digit is wrong"
        return None
