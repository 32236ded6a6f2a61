"""Numbers from text are ASCII digits only: Unicode digits, signs, spaces and underscores that
``int`` would read (or choke on) are refused, and nothing outside the asked range comes back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehd.plain_numbers import INT32_MAX, decimal, is_digits, row_id, whole_number

ODD_DIGITS = ["²", "٣", "１２", "৪", "𝟕", "1²", "٣4", " 7", "7 ", "1_000", "+5", "", "-", "0x1f"]


@pytest.mark.parametrize("text", ODD_DIGITS)
def test_anything_but_ascii_digits_is_refused(text: str) -> None:
    assert not is_digits(text)
    assert whole_number(text) is None
    assert row_id(text) is None


def test_ranges_hold_and_huge_text_is_never_converted() -> None:
    assert whole_number("42") == 42 and whole_number("-3", low=-5, high=5) == -3
    assert whole_number("-3") is None  # negative only when the range has room for it
    assert whole_number("101", high=100) is None
    assert row_id("0") is None and row_id(str(INT32_MAX)) == INT32_MAX
    assert row_id(str(INT32_MAX + 1)) is None
    assert whole_number("9" * 100_000) is None  # refused by length, before int() sees it


def test_decimals_are_plain() -> None:
    assert decimal("-1.5") == -1.5 and decimal("12") == 12.0
    for text in ("nan", "inf", "1e400", "1_0", "٣.٥", "1.", ".5", " 1"):
        assert decimal(text) is None


@given(st.text(max_size=12))
def test_every_accepted_text_is_exactly_its_number(text: str) -> None:
    number = whole_number(text, low=-(10**11), high=10**11)
    if number is not None:
        assert str(number) == text.lstrip("0") or text.strip("0-") == "" or text.startswith("-0")
        assert all(ch in "-0123456789" for ch in text)
