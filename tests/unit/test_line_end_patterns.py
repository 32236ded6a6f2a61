"""A name checked with a pattern ending in ``$`` passes with a newline after it (``$`` also
matches before a final newline): a sound called "hello\\n" made a file of that name. Every
check that a whole value fits ends in ``\\Z``; this test reads the source so a new one cannot
slip back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ehd
from ehd.audio.library import LANGUAGE, NAME
from ehd.calendars.model import parse_clock
from ehd.errors import EhdError

SOURCE = Path(ehd.__file__).parent


def test_no_pattern_in_ehd_ends_in_a_dollar() -> None:
    found = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r're\.compile\(r?"[^"]*\$"', line)
    ]
    assert not found, "end these patterns with \\Z instead of $: " + ", ".join(found)


@pytest.mark.parametrize("value", ["hello\n", "welcome\n"])
def test_a_sound_name_with_a_newline_is_refused(value: str) -> None:
    assert NAME.match(value.strip()) and not NAME.match(value)
    assert not LANGUAGE.match("en\n")


def test_a_clock_with_a_newline_is_refused() -> None:
    with pytest.raises((EhdError, ValueError)):
        parse_clock("08:00\n")
