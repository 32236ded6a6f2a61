"""After logging in, only a path on this site is followed; every spelling of another site
sends home."""

from __future__ import annotations

import pytest

from ehd.web.accounts.login import safe_next


@pytest.mark.parametrize("target", ["/", "/tickets?status=open", "/crm/contacts/7#calls",
                                    "/t/abc%2Fdef"])  # fmt: skip
def test_paths_on_this_site_are_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("target", [
    "//evil.example", "/\t/evil.example", "/\n/evil.example", "/\\evil.example",
    "\\\\evil.example", "https://evil.example/", "javascript:alert(1)", "evil.example",
    "/\x7f/evil.example", "", " /tickets",
])  # fmt: skip
def test_every_way_to_another_site_goes_home(target: str) -> None:
    assert safe_next(target) == "/"
