"""Which number a callback may go to: the caller's own, or one they key in. Pure.

Hidden numbers, invalid numbers and premium-rate or shared-cost services are refused, so a
callback can never be made to cost the company money or reach nobody.
"""

from __future__ import annotations

import phonenumbers

from ehd.phone_numbers import DEFAULT_REGION, to_e164

CONFIRM_KEY = "1"
_BLOCKED = {
    phonenumbers.PhoneNumberType.PREMIUM_RATE: "premium-rate numbers are not called back",
    phonenumbers.PhoneNumberType.SHARED_COST: "shared-cost numbers are not called back",
}


def callback_number(
    keys: str, caller_id: str, region: str = DEFAULT_REGION
) -> tuple[str | None, str]:
    """(E.164 number, "") when acceptable, else (None, why)."""
    raw = caller_id if keys == CONFIRM_KEY else keys
    if not raw:
        return None, "no number"
    number = to_e164(raw, region)
    if number is None:
        return None, "not a phone number"
    parsed = phonenumbers.parse(number)
    if not phonenumbers.is_valid_number(parsed):
        return None, "not a valid number"
    blocked = _BLOCKED.get(phonenumbers.number_type(parsed))
    if blocked:
        return None, blocked
    return number, ""
