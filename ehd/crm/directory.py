"""Finding contacts and companies in the database: by the indexed phones and emails of
contacts, then by the companies' number series (``ehd.crm.matching`` decides; this module
only fetches the candidates and keeps the index in step with each contact)."""

from __future__ import annotations

import re

from tortoise.transactions import in_transaction

from ehd.crm.matching import CompanySeries, ContactEntry, Match, by_email, by_phone
from ehd.db.models import Company, Contact, ContactPoint
from ehd.phone_numbers import to_e164

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # what a contact's email address must look like


async def save_contact(contact: Contact) -> Contact:
    """Save a contact and rewrite its index rows in one transaction."""
    async with in_transaction():
        await contact.save()
        await ContactPoint.filter(contact_id=contact.id).delete()
        points = [("phone", value) for value in dict.fromkeys(contact.phones)]
        points += [("email", value) for value in dict.fromkeys(contact.emails)]
        await ContactPoint.bulk_create(
            [
                ContactPoint(contact_id=contact.id, kind=kind, value=value[:254])
                for kind, value in points
            ]  # fmt: skip
        )
    return contact


async def _contacts(kind: str, value: str) -> list[Contact]:
    found = Contact.filter(points__kind=kind, points__value=value).distinct().order_by("id")
    return await found


def _entry(contact: Contact) -> ContactEntry:
    return ContactEntry(contact.id, contact.company_id, tuple(contact.phones),
                        tuple(contact.emails))  # fmt: skip


async def _entries(kind: str, value: str) -> list[ContactEntry]:
    return [_entry(c) for c in await _contacts(kind, value)]


async def _company_series() -> list[CompanySeries]:
    rows = await Company.all().values_list("id", "phone_series")
    return [CompanySeries(int(cid), tuple(series)) for cid, series in rows if series]


async def match_phone(number: str) -> Match | None:
    """The contact with this number, else the company whose series covers it."""
    e164 = to_e164(number)
    if e164 is None:
        return None
    return by_phone(e164, await _entries("phone", e164), await _company_series())


async def match_email(address: str) -> Match | None:
    address = address.strip().lower()
    return by_email(address, await _entries("email", address))


async def contact_for_email(address: str, name: str) -> Contact:
    """The sender's contact, made on first contact."""
    address = address.strip().lower()
    contacts = await _contacts("email", address)  # the rows themselves: no second query
    match = by_email(address, [_entry(c) for c in contacts])
    if match is not None and match.contact_id is not None:
        return next(c for c in contacts if c.id == match.contact_id)
    return await save_contact(Contact(name=name[:255] or address, emails=[address]))


async def contact_for_phone(number: str) -> Contact | None:
    """The texter's contact, made on first contact (in the company their number belongs to);
    None for numbers that are not phone numbers."""
    e164 = to_e164(number)
    if e164 is None:
        return None
    match = await match_phone(e164)
    if match is not None and match.contact_id is not None:
        return await Contact.get(id=match.contact_id)
    company_id = match.company_id if match else None
    return await save_contact(Contact(name=e164, phones=[e164], company_id=company_id))
