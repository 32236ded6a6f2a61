"""Shortcut menu links as admins write them."""

from __future__ import annotations

import pytest

from ehd.errors import ValidationError
from ehd.web.tickets.shortcuts import parse_items


def test_lines_become_links() -> None:
    items = parse_items("My tickets | /tickets?mine=1\n\n CRM | https://crm.example/x \n")
    assert items == [{"label": "My tickets", "url": "/tickets?mine=1"},
                     {"label": "CRM", "url": "https://crm.example/x"}]  # fmt: skip


@pytest.mark.parametrize("line", ["no bar", "| /x", "Label |", "Evil | javascript:alert(1)",
                                  "Other site | //evil.example", "Gap | /a b"])  # fmt: skip
def test_bad_lines_are_refused_with_their_number(line: str) -> None:
    with pytest.raises(ValidationError, match="line 2"):
        parse_items(f"Fine | /tickets\n{line}")
