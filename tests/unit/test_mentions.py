"""@mentions in notes."""

from __future__ import annotations

from ehd.tickets.mentions import mentioned

USERS = {"bob", "anna.k", "eve"}


def test_known_users_are_found_once_in_order() -> None:
    assert mentioned("@bob and @anna.k, see this. @bob again", USERS) == ["bob", "anna.k"]


def test_sentence_ends_unknown_names_and_addresses_are_not_mentions() -> None:
    assert mentioned("Ask @eve.", USERS) == ["eve"]
    assert mentioned("mail bob@example.com or @nobody", USERS) == []
    assert mentioned("@@bob", USERS) == []
