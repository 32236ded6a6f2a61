"""Who is calling or writing: a contact by phone or email, else a company by its number
series (exact numbers or prefixes). Pure: the candidates come in, the match goes out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

from ehd.phone_numbers import DEFAULT_REGION, to_e164


@dataclass(frozen=True)
class ContactEntry:
    id: int
    company_id: int | None
    phones: tuple[str, ...]  # E.164
    emails: tuple[str, ...]  # lower case


@dataclass(frozen=True)
class CompanySeries:
    company_id: int
    series: tuple[str, ...]  # E.164 numbers, or prefixes ending with *


@dataclass(frozen=True)
class Match:
    contact_id: int | None
    company_id: int | None


def normalise_series(entry: str, region: str = DEFAULT_REGION) -> str | None:
    """'08-123 45*' -> '+46812345*' (national prefixes in the site's region); a full number ->
    its E.164 form."""
    entry = entry.strip()
    if entry.endswith("*"):
        digits = "".join(ch for ch in entry[:-1] if ch in "0123456789+")
        if digits.startswith("00"):
            digits = "+" + digits[2:]
        elif digits.startswith("0"):
            digits = f"+{phonenumbers.country_code_for_region(region)}{digits[1:]}"
        return f"{digits}*" if len(digits) >= 3 else None
    return to_e164(entry, region)


def by_phone(
    number: str, contacts: Iterable[ContactEntry], companies: Iterable[CompanySeries]
) -> Match | None:
    e164 = to_e164(number)
    if e164 is None:
        return None
    for contact in contacts:
        if e164 in contact.phones:
            return Match(contact.id, contact.company_id)
    best: tuple[int, int] | None = None  # (prefix length, company): the longest prefix wins
    for company in companies:
        for entry in company.series:
            if entry == e164:
                return Match(None, company.company_id)
            if entry.endswith("*") and e164.startswith(entry[:-1]):
                length = len(entry) - 1
                if best is None or length > best[0]:
                    best = (length, company.company_id)
    return Match(None, best[1]) if best else None


def by_email(address: str, contacts: Iterable[ContactEntry]) -> Match | None:
    address = address.strip().lower()
    for contact in contacts:
        if address in contact.emails:
            return Match(contact.id, contact.company_id)
    return None
