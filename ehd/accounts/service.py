"""Users: create, authenticate, and the SIP accounts derived from them."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from ehd.accounts.login_guard import AccountState, after_failure, locked
from ehd.accounts.password_policy import (
    ADMIN_MIN_LENGTH,
    HISTORY_KEPT,
    Policy,
    expired,
    problems,
)
from ehd.accounts.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from ehd.asterisk.endpoints import SipAccount
from ehd.db.models import PasswordHistory, PhoneKind, Role, User, WebSession
from ehd.errors import EhdError, ValidationError
from ehd.plain_numbers import is_digits


class AccountLockedError(EhdError):
    error_id = "account-locked"
    status = 403


def new_sip_secret() -> str:
    """16 random characters: a phone stores it, nobody types it twice."""
    return secrets.token_urlsafe(12)


def check_password(
    password: str, policy: Policy, role: Role = Role.AGENT, admin_min_length: int = ADMIN_MIN_LENGTH
) -> None:
    found = problems(password, policy, role is Role.ADMIN, admin_min_length)
    if found:
        raise ValidationError("; ".join(found), field="password")


async def create_user(
    username: str,
    password: str,
    *,
    name: str = "",
    email: str = "",
    role: Role = Role.AGENT,
    sip_extension: str | None = None,
    language: str = "en",
    policy: Policy = Policy.BASIC,
    admin_min_length: int = ADMIN_MIN_LENGTH,
) -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise ValidationError("username must be 1 to 64 characters", field="username")
    check_password(password, policy, role, admin_min_length)
    if sip_extension is not None and not is_digits(sip_extension):
        raise ValidationError("SIP extension must be digits", field="sip_extension")
    try:
        return await User.create(
            username=username,
            password_hash=await asyncio.to_thread(hash_password, password),
            name=name,
            email=email,
            role=role,
            sip_extension=sip_extension,
            language=language,
            sip_password=new_sip_secret() if sip_extension else None,
        )
    except IntegrityError as err:
        raise ValidationError("username or SIP extension already taken", field="username") from err


async def authenticate(username: str, password: str, now: datetime | None = None) -> User | None:
    """The user, or None for a wrong name or password. Raises AccountLockedError while the
    account is locked after repeated failures (even for the right password)."""
    now = now or datetime.now(UTC)
    user = await User.get_or_none(username=username, active=True)
    if user is None:
        await asyncio.to_thread(verify_password, DUMMY_HASH, password)  # uniform timing
        return None
    state = AccountState(user.failed_logins, user.locked_until)
    if locked(state, now):
        raise AccountLockedError("too many failed logins: the account is locked for a while")
    if not await asyncio.to_thread(verify_password, user.password_hash, password):
        state = after_failure(state, now)
        user.failed_logins, user.locked_until = state.failures, state.locked_until
        await user.save(update_fields=["failed_logins", "locked_until"])
        return None
    if user.failed_logins or user.locked_until:
        user.failed_logins, user.locked_until = 0, None
        await user.save(update_fields=["failed_logins", "locked_until"])
    if needs_rehash(user.password_hash):
        user.password_hash = await asyncio.to_thread(hash_password, password)
        await user.save(update_fields=["password_hash"])
    return user


async def verify_credentials(username: str, password: str) -> User | None:
    """The active user with this password, else None, for machine clients (the REST API).

    Unlike a login it never counts failures against the account, so a stranger cannot lock
    anyone out through it (the caller limits tries per address instead), and an unknown name
    costs the same time as a wrong password."""
    user = await User.get_or_none(username=username, active=True)
    known_hash = user.password_hash if user is not None else DUMMY_HASH
    if not await asyncio.to_thread(verify_password, known_hash, password):
        return None
    return user


async def change_password(
    user: User, new: str, policy: Policy, admin_min_length: int = ADMIN_MIN_LENGTH
) -> None:
    """Set a new password under the policy; the strict one refuses earlier passwords. Every
    session of the user ends (whoever knew the old password is out); the caller starts a new
    one for the browser that made the change."""
    check_password(new, policy, user.role, admin_min_length)
    history = PasswordHistory.filter(user=user).order_by("-id").limit(HISTORY_KEPT)
    earlier = [user.password_hash, *[row.password_hash for row in await history]]
    if policy is Policy.STRICT:
        for old_hash in earlier:
            if await asyncio.to_thread(verify_password, str(old_hash), new):
                raise ValidationError(
                    "choose a password you have not used before", field="password"
                )
    await PasswordHistory.create(user=user, password_hash=user.password_hash)
    stale = PasswordHistory.filter(user=user).order_by("-id").offset(HISTORY_KEPT)
    stale_ids = [row.id for row in await stale]
    if stale_ids:
        await PasswordHistory.filter(id__in=stale_ids).delete()
    user.password_hash = await asyncio.to_thread(hash_password, new)
    user.password_changed_at = datetime.now(UTC)
    await user.save(update_fields=["password_hash", "password_changed_at"])
    await WebSession.filter(user=user).delete()


def password_expired(user: User, policy: Policy, now: datetime | None = None) -> bool:
    return expired(user.password_changed_at, now or datetime.now(UTC), policy)


async def sip_accounts() -> list[SipAccount]:
    users = await User.filter(active=True, sip_extension__isnull=False)
    return [
        SipAccount(
            u.sip_extension,
            u.sip_password,
            u.name or u.username,
            browser=u.phone_kind is PhoneKind.BROWSER,
        )
        for u in users
        if u.sip_extension and u.sip_password
    ]


async def choose_phone(user: User, kind: PhoneKind) -> bool:
    """Make ``kind`` the phone on the user's extension; whether it changed (the SIP accounts
    must then be written again)."""
    if not user.sip_extension:
        raise ValidationError("there is no SIP extension: an administrator gives one first")
    if user.phone_kind is kind:
        return False
    user.phone_kind = kind
    await user.save(update_fields=["phone_kind"])
    return True


async def set_phone_pin(user: User, pin: str) -> None:
    """The PIN for phone services (recording service, voicemail from another phone)."""
    if not is_digits(pin) or not 4 <= len(pin) <= 12:
        raise ValidationError("a PIN is 4 to 12 digits", field="pin")
    user.pin_hash = await asyncio.to_thread(hash_password, pin)
    await user.save(update_fields=["pin_hash"])
