"""Callers waiting in a queue as the queue service knows them, and the notices it sends their
call tasks (leave the queue; the caller chose a callback; an agent sent the caller on or put
them through)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ehd.ari.events import Event
from ehd.calls.routing import Route
from ehd.db.models import CallRecord


@dataclass(frozen=True)
class QueueExit(Event):
    """Delivered to the caller's call task: leave the queue with this prompt (or, with
    ``voicemail``, to that user's mailbox)."""

    prompt: str
    voicemail: str = ""


@dataclass(frozen=True)
class CallbackOffer(Event):
    """Delivered to the caller's call task: the caller chose a callback; confirm the number."""

    queue: str
    priority: int
    entered_at: float


@dataclass(frozen=True)
class SentOn(Event):
    """Delivered to the caller's call task: the agent sent the caller out of the queues; the
    call follows ``route`` (a menu, a phone, a mailbox, an outside number)."""

    route: Route


@dataclass(frozen=True)
class HandedOn(Event):
    """Delivered to the caller's call task: the agent put the caller through to ``channel``,
    the answered party of a consultation or of their phone's own other call (an attended
    transfer); the call leaves the queues and lasts while both stay. With ``bridge_id`` the
    two already talk in that bridge."""

    channel: str
    bridge_id: str = ""


@dataclass(frozen=True)
class Lent(Event):
    """Delivered to the customer's call task of a call an agent placed: the agent's phone put
    another customer through to this one (an attended transfer), whose call task keeps the
    channel from here; this task ends without hanging it up."""


@dataclass(frozen=True)
class CrmMatch:
    contact_id: int | None
    company_id: int | None
    name: str  # the contact's name, else the company's
    company: str

    def page(self) -> str:
        """The default screen pop with CRM: the matched contact, else the company."""
        if self.contact_id is not None:
            return f"/crm/contacts/{self.contact_id}"
        return f"/crm/companies/{self.company_id}"


@dataclass
class Caller:
    channel_id: str
    queue: str
    language: str
    moh_class: str
    notify: Callable[[Event], None]  # to the caller's call task
    caller_id: str = ""
    did: str = ""
    customer_number: str = ""
    priority: int = 0
    crm: CrmMatch | None = None  # the contact or company the number belongs to
    # Its call task waits in a queue's holding bridge, so a transfer puts the same item back
    # in line; else (a call outside the queues, a callback's customer) it joins as a new one.
    rejoins: bool = True


async def crm_match_of(call_id: str) -> CrmMatch | None:
    record = await CallRecord.get_or_none(call_id=call_id).select_related("contact", "company")
    if record is None or (record.contact is None and record.company is None):
        return None
    company = record.company.name if record.company else ""
    return CrmMatch(
        record.contact.id if record.contact else None,
        record.company.id if record.company else None,
        record.contact.name if record.contact else company,
        company,
    )
