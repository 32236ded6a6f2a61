"""What people read for the codes the data keeps: a ticket's status, priority and channel, and
the kind of an entry in its log. Every code has an English label that is also the catalogue's
message id, so pages show it in the reader's language; a code without a label (one added
later) is shown as words rather than with underscores."""

from __future__ import annotations

from collections.abc import Callable

LABELS = {
    # ticket statuses
    "new": "New",
    "open": "Open",
    "with_contact": "Waiting for the customer",
    "with_external": "Waiting for a third party",
    "resting": "Resting",
    "resting_until": "Resting until a date",
    "solved": "Solved",
    "closed": "Closed",
    # priorities
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    # channels
    "manual": "By hand",
    "email": "Email",
    "form": "Contact form",
    "sms": "Text message",
    "phone": "Phone",
    "chat": "Chat",
    "social": "Social media",
    # ITIL processes
    "incident": "Incident",
    "problem": "Problem",
    "change": "Change",
    # agents' states
    "ready": "Ready",
    "paused": "Paused",
    # entries in a ticket's log
    "note": "Note",
    "action": "Action",
    "solution": "Solution",
    "mail_in": "Mail from the customer",
    "mail_out": "Mail to the customer",
    "customer": "From the customer's page",
    "sms_in": "Text from the customer",
    "sms_out": "Text to the customer",
    "chat_in": "Chat from the visitor",
    "chat_out": "Chat to the visitor",
    "chat_event": "Chat event",
    # SLA goals, clock states (paused: above) and escalation actions
    "first_response": "First response",
    "resolution": "Resolution",
    "running": "Running",
    "breached": "Breached",
    "met": "Met",
    "missed": "Missed",
    "notify": "Notify the agent or group",
    "mail": "Send mail",
    "raise_priority": "Raise the priority",
}


def labeller(gettext: Callable[[str], str]) -> Callable[[object], str]:
    """A function for templates: a code's label in the page's language. Pure."""

    def label(code: object) -> str:
        text = str(code.value if hasattr(code, "value") else code)
        known = LABELS.get(text)
        return gettext(known) if known else text.replace("_", " ")

    return label
