"""What an agent's console shows of an offered call before the phone rings: the caller, the
queue, the CRM match and the screen pop (the agent's, else the queue's, else the site's
template; the matched contact or company page without one). Pure."""

from __future__ import annotations

from typing import Any

from ehd.acd.actions import Offer
from ehd.callflow.screen_pop import choose as choose_screen_pop
from ehd.callflow.screen_pop import render as render_screen_pop
from ehd.queueing.callers import Caller


def offer_message(
    offer: Offer,
    caller: Caller | None,
    templates: tuple[str, str, str],  # the agent's, the queue's, the site's
    classification_codes: list[dict[str, str]],
    waited: float = 0.0,  # seconds since the caller first entered a queue
) -> dict[str, Any]:
    values = {
        "AID": caller.caller_id if caller else "",
        "BID": caller.did if caller else "",
        "GARPNUM": offer.item_id,
        "QID": offer.queue,
        "LANG": caller.language if caller else "",
        "CUSTID": caller.customer_number if caller else "",
        "PRIO": str(caller.priority) if caller else "",
        "RINGNO": "",
    }
    template = choose_screen_pop(*templates)
    crm = caller.crm if caller else None
    screen_pop = render_screen_pop(template, values) if template else ""
    return {
        "type": "offer",
        "call_id": offer.item_id,
        "queue": offer.queue,
        "caller": values["AID"],
        "did": values["BID"],
        "customer_number": values["CUSTID"],
        "language": values["LANG"],
        "priority": caller.priority if caller else 0,
        "waited_seconds": round(max(0.0, waited)),
        "screen_pop": screen_pop or (crm.page() if crm else ""),
        "contact": {"name": crm.name, "company": crm.company} if crm else None,
        "classification_codes": classification_codes,
    }


def direct_call_message(call_id: str, caller: Caller) -> dict[str, Any]:
    """The console's card for a call outside the queues (to the agent's own number, or one
    they placed): who is on the other end; the agent chose the call, so no page pops up."""
    crm = caller.crm
    return {
        "type": "offer",
        "call_id": call_id,
        "queue": "",
        "caller": caller.caller_id,
        "did": caller.did,
        "customer_number": "",
        "language": caller.language,
        "priority": 0,
        "waited_seconds": 0,
        "screen_pop": "",
        "contact": {"name": crm.name, "company": crm.company} if crm else None,
        "classification_codes": [],
    }
