"""What an agent's phone may dial out, and as what. Pure.

A number typed on a phone or clicked in the web comes in any form ("08-123 456 78",
"0046 8 …", "+46 8 …"); the trunk gets E.164. Colleagues' extensions stay internal. Emergency
numbers of the site's region always go out, exactly as dialled, whatever the user's rights;
international and premium-rate numbers only for users allowed them (a toll-fraud guard that
every PBX has). Anything else that is not a valid number is refused with the reason, never
sent to the carrier to fail there.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberType, shortnumberinfo

_SEPARATORS = re.compile(r"[\s().\-/]")


class DialKind(StrEnum):
    INTERNAL = "internal"  # a colleague's extension
    EMERGENCY = "emergency"
    NATIONAL = "national"
    INTERNATIONAL = "international"
    PREMIUM_RATE = "premium_rate"
    REFUSED = "refused"


@dataclass(frozen=True)
class DialRights:
    international: bool = False
    premium_rate: bool = False


@dataclass(frozen=True)
class DialDecision:
    kind: DialKind
    target: str  # the extension, the emergency number as dialled, or E.164
    reason: str = ""  # why it was refused

    @property
    def allowed(self) -> bool:
        return self.kind is not DialKind.REFUSED


def _refused(reason: str) -> DialDecision:
    return DialDecision(DialKind.REFUSED, "", reason)


def decide(
    dialled: str, region: str, extensions: Collection[str], rights: DialRights
) -> DialDecision:
    """Where ``dialled`` goes for a user with ``rights`` on a site in ``region``."""
    text = _SEPARATORS.sub("", dialled)
    if not text:
        return _refused("nothing was dialled")
    if text in extensions:
        return DialDecision(DialKind.INTERNAL, text)
    if text.isascii() and text.isdigit() and shortnumberinfo.is_emergency_number(text, region):
        return DialDecision(DialKind.EMERGENCY, text)
    if text.startswith("00"):
        text = "+" + text[2:]
    if not re.fullmatch(r"\+?[0-9]{2,17}", text):
        return _refused("a phone number is digits, with an optional leading +")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return _refused("not a phone number")
    if not phonenumbers.is_valid_number(number):
        return _refused("not a valid phone number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.number_type(number) == PhoneNumberType.PREMIUM_RATE:
        if not rights.premium_rate:
            return _refused("premium-rate numbers are not allowed for this user")
        return DialDecision(DialKind.PREMIUM_RATE, e164)
    if phonenumbers.region_code_for_number(number) != region.upper():
        if not rights.international:
            return _refused("international numbers are not allowed for this user")
        return DialDecision(DialKind.INTERNATIONAL, e164)
    return DialDecision(DialKind.NATIONAL, e164)


def presented_number(own: str, site_numbers: Sequence[str]) -> str:
    """The number a called customer sees: the user's own outbound number, else the number of
    the first of the user's sites that has one; empty leaves it to the trunk."""
    return own or next((number for number in site_numbers if number), "")
