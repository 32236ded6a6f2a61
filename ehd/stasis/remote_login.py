"""The remote-login number: each call from an agent's registered number toggles the login.

The caller ID (as E.164) must be the agent's remote number or alternative number; the agent is
logged into their pre-selected queues, with calls delivered to the remote number (accept by
key). Hidden or unknown numbers hear a refusal and nothing changes.
"""

from __future__ import annotations

import logging

from ehd.calls.services import PhoneServices
from ehd.calls.session import CallSession
from ehd.db.models import AgentSession, User
from ehd.errors import ValidationError
from ehd.phone_numbers import to_e164
from ehd.queueing import agents
from ehd.queueing.service import QueueService
from ehd.tortoise_q import either

log = logging.getLogger(__name__)


async def agent_for(caller_number: str) -> User | None:
    number = to_e164(caller_number)
    if number is None:
        return None
    return await User.filter(either(remote_number=number, alt_number=number), active=True).first()


async def toggle(
    services: PhoneServices,
    session: CallSession,
    queues: QueueService | None,
    caller_number: str,
    language: str,
) -> str:
    """Log the calling agent in or out; the prompt played ("refused" when nothing changed)."""
    user = await agent_for(caller_number)
    if user is None:
        log.info("remote login refused for caller %r", caller_number)
        await session.play(services.media("remote-login-refused", language))
        return "refused"
    if await AgentSession.exists(user=user):
        await agents.logout(user, queues)
        log.info("remote login: %s logged out from %s", user.username, caller_number)
        prompt = "remote-logged-out"
    else:
        try:
            await agents.login(
                user,
                queues,
                queues=user.remote_queues or None,
                number=user.remote_number,
                source="remote",
            )
        except ValidationError as err:
            log.warning("remote login of %s failed: %s", user.username, err.message)
            await session.play(services.media("remote-login-refused", language))
            return "refused"
        log.info("remote login: %s logged in on %s", user.username, user.remote_number)
        prompt = "remote-logged-in"
    await session.play(services.media(prompt, language))
    return prompt
