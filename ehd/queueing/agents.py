"""Agent logins: which queues an agent staffs, on which device, and the ACD told about it.

One place at a time: a new login replaces the agent's earlier one, wherever it was made.
"""

from __future__ import annotations

from ehd.db.models import AgentSession, QueueMember, User
from ehd.errors import ValidationError
from ehd.phone_numbers import to_e164
from ehd.queueing.service import QueueService


async def memberships(user: User, queues: list[str] | None) -> dict[str, int]:
    rows = await QueueMember.filter(user=user).prefetch_related("queue")
    staffed = {row.queue.name: row.penalty for row in rows}
    if queues is None:
        return staffed
    unknown = [name for name in queues if name not in staffed]
    if unknown:
        raise ValidationError(
            f"{user.username} is not a member of {', '.join(unknown)}", field="queues"
        )
    return {name: staffed[name] for name in queues}


def device_for(user: User, number: str | None) -> tuple[str, bool]:
    """The agent's SIP phone, or an outside number reached through the trunk."""
    if number:
        e164 = to_e164(number)
        if e164 is None:
            raise ValidationError(f"{number!r} is not a phone number", field="number")
        return f"PJSIP/{e164}@trunk", True
    if not user.sip_extension:
        raise ValidationError(f"{user.username} has no SIP account; give a number", field="number")
    return f"PJSIP/{user.sip_extension}", False


async def login(
    user: User,
    service: QueueService | None,
    *,
    queues: list[str] | None = None,
    number: str | None = None,
    source: str = "web",
) -> AgentSession:
    staffed = await memberships(user, queues)
    if not staffed:
        raise ValidationError(f"{user.username} is not a member of any queue", field="queues")
    device, remote = device_for(user, number)
    await AgentSession.filter(user=user).delete()
    session = await AgentSession.create(
        user=user,
        device=device,
        remote=remote,
        queues=sorted(staffed),
        state="ready",
        source=source,
    )
    if service is not None:
        await service.agent_logged_in(user.username, staffed, device, remote, user.screen_pop_url)
    return session


async def logout(user: User, service: QueueService | None) -> None:
    await AgentSession.filter(user=user).delete()
    if service is not None:
        await service.agent_logged_out(user.username)


async def pause(user: User, service: QueueService | None, reason: str) -> None:
    await AgentSession.filter(user=user).update(state="paused", pause_reason=reason[:64])
    if service is not None:
        await service.agent_paused(user.username, reason[:64])


async def unpause(user: User, service: QueueService | None) -> None:
    await AgentSession.filter(user=user).update(state="ready", pause_reason="")
    if service is not None:
        await service.agent_unpaused(user.username)
