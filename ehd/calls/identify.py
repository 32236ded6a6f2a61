"""Who is calling a phone service: their own SIP phone, or a user number and PIN."""

from __future__ import annotations

import asyncio

from ehd.accounts.passwords import verify_password
from ehd.calls.services import PhoneServices
from ehd.calls.session import CallSession
from ehd.db.models import User

ATTEMPTS = 3


def sip_account_of(channel_name: str) -> str | None:
    """'PJSIP/1001-0000002a' -> '1001'; None for trunk calls and other technologies."""
    if not channel_name.startswith("PJSIP/"):
        return None
    account, _, _ = channel_name.removeprefix("PJSIP/").rpartition("-")
    return account or None


async def by_phone(channel_name: str) -> User | None:
    account = sip_account_of(channel_name)
    if account is None:
        return None
    return await User.get_or_none(sip_extension=account, active=True)


async def by_pin(services: PhoneServices, session: CallSession, language: str) -> User | None:
    """Ask for the user number (the SIP extension) and PIN; three tries."""
    for _ in range(ATTEMPTS):
        number = await session.collect(
            services.media("enter-user-number", language), max_digits=16, terminator="#"
        )
        pin = await session.collect(
            services.media("enter-pin", language), max_digits=16, terminator="#"
        )
        user = await User.get_or_none(sip_extension=number, active=True) if number else None
        known = user is not None and bool(user.pin_hash) and bool(pin)
        if known and user and await asyncio.to_thread(verify_password, user.pin_hash, pin):
            return user
        await session.play(services.media("login-failed", language))
    return None
