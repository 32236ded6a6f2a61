"""Matching callers and senders to contacts and companies."""

from __future__ import annotations

from ehd.crm.matching import (
    CompanySeries,
    ContactEntry,
    Match,
    by_email,
    by_phone,
    normalise_series,
)

CONTACTS = [ContactEntry(1, 10, ("+46701234567",), ("anna@acme.se",))]
COMPANIES = [
    CompanySeries(10, ("+46812345*",)),
    CompanySeries(20, ("+468123456*", "+46317778899")),
]


def test_a_contact_wins_over_the_company_series() -> None:
    assert by_phone("070-123 45 67", CONTACTS, COMPANIES) == Match(1, 10)


def test_the_longest_matching_prefix_and_exact_numbers() -> None:
    assert by_phone("08-123 45 00", CONTACTS, COMPANIES) == Match(None, 10)
    assert by_phone("08-123 456 00", CONTACTS, COMPANIES) == Match(None, 20)
    assert by_phone("031-777 88 99", CONTACTS, COMPANIES) == Match(None, 20)
    assert by_phone("040-11 22 33", CONTACTS, COMPANIES) is None
    assert by_phone("anonymous", CONTACTS, COMPANIES) is None


def test_email_matching_ignores_case() -> None:
    assert by_email(" Anna@ACME.se", CONTACTS) == Match(1, 10)
    assert by_email("bob@acme.se", CONTACTS) is None


def test_series_entries_are_normalised() -> None:
    assert normalise_series("08-123 45*") == "+46812345*"
    assert normalise_series("0046 8 123*") == "+468123*"
    assert normalise_series("031-777 88 99") == "+46317778899"
    assert normalise_series("1*") is None
