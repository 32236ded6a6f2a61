"""Caller IDs to E.164, however they are written."""

import pytest

from ehd.phone_numbers import to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("070-123 45 67", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("0046701234567", "+46701234567"),
        ("+1 202 555 0123", "+12025550123"),
        ("", None),
        ("anonymous", None),
        ("12", None),
        ("not a number", None),
    ],
)
def test_to_e164(raw: str, expected: str | None) -> None:
    assert to_e164(raw) == expected
