"""Users: create, authenticate, and the SIP accounts derived from them."""

from __future__ import annotations

import asyncio
import secrets

from tortoise.exceptions import IntegrityError

from ehd.accounts.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from ehd.asterisk.endpoints import SipAccount
from ehd.db.models import Role, User
from ehd.errors import ValidationError

MIN_PASSWORD_LENGTH = 4


async def create_user(
    username: str,
    password: str,
    *,
    name: str = "",
    email: str = "",
    role: Role = Role.AGENT,
    sip_extension: str | None = None,
    language: str = "en",
) -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise ValidationError("username must be 1 to 64 characters", field="username")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if sip_extension is not None and not sip_extension.isdigit():
        raise ValidationError("SIP extension must be digits", field="sip_extension")
    try:
        return await User.create(
            username=username,
            password_hash=hash_password(password),
            name=name,
            email=email,
            role=role,
            sip_extension=sip_extension,
            language=language,
            sip_password=secrets.token_urlsafe(12) if sip_extension else None,
        )
    except IntegrityError as err:
        raise ValidationError("username or SIP extension already taken", field="username") from err


async def authenticate(username: str, password: str) -> User | None:
    user = await User.get_or_none(username=username, active=True)
    if user is None:
        verify_password(DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        await user.save(update_fields=["password_hash"])
    return user


async def sip_accounts() -> list[SipAccount]:
    users = await User.filter(active=True, sip_extension__isnull=False)
    return [
        SipAccount(u.sip_extension, u.sip_password, u.name or u.username)
        for u in users
        if u.sip_extension and u.sip_password
    ]


async def set_phone_pin(user: User, pin: str) -> None:
    """The PIN for phone services (recording service, voicemail from another phone)."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValidationError("a PIN is 4 to 12 digits", field="pin")
    user.pin_hash = await asyncio.to_thread(hash_password, pin)
    await user.save(update_fields=["pin_hash"])
