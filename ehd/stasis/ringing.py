"""A call that rings one phone: a SIP account (one of our numbers, or where an agent sent the
caller) or an outside number through the trunk. ehd rings it on a new leg and bridges the two
on answer; a phone that is away or silent gives the caller its owner's mailbox, or an apology.
A call answered by an agent's phone goes on the floor for the agent to control
(:func:`ehd.stasis.floor_talk.talk_on_floor`): where they send the caller is returned, for the
caller's call task to follow.
"""

from __future__ import annotations

import contextlib
import logging
import uuid

from ehd.ari.client import AriClient, AriHttpError
from ehd.ari.events import ChannelDestroyed, StasisEnd, StasisStart
from ehd.audio.prompts import SoundLibrary
from ehd.calls import records, voicemail
from ehd.calls.routing import Action, Route
from ehd.calls.services import PhoneServices
from ehd.calls.session import CallSession
from ehd.db.models import User
from ehd.queueing.callers import HandedOn, SentOn
from ehd.queueing.service import QueueService
from ehd.stasis.call_steps import answer, play_and_hang_up, quietly_hang_up
from ehd.stasis.floor_talk import talk_on_floor

log = logging.getLogger(__name__)

AGENT_LEG = "agent-leg"  # Stasis argument of the leg that rings the phone
DAY_SECONDS = 86400.0


class Ringing:
    def __init__(
        self, ari: AriClient, app_name: str, sounds: SoundLibrary, queues: QueueService | None,
        services: PhoneServices | None,
    ) -> None:  # fmt: skip
        self.ari = ari
        self.app_name = app_name
        self.sounds = sounds
        self.queues = queues
        self.services = services

    async def ring(
        self, session: CallSession, route: Route, caller_number: str, *, transferred: bool = False
    ) -> SentOn | HandedOn | None:
        """Ring the SIP account (or the outside number) and carry the call until it ends, or
        until the agent who answered sends the caller on: then where to. An answered caller
        (``transferred``) hears ringing in band, which stops on answer."""
        outside = route.action == Action.RING_OUTSIDE
        state = "online" if outside else await self._endpoint_state(route.target)
        if state != "online":
            log.info("call %s: SIP account %s is %s", session.channel_id, route.target, state)
            await self._unanswered(session, route, caller_number)
            return None
        leg_id = f"ehd-leg-{uuid.uuid4().hex}"
        session.legs.add(leg_id)
        await self.ari.ring(session.channel_id)
        await self.ari.originate(
            f"PJSIP/{route.target}@trunk" if outside else f"PJSIP/{route.target}",
            channel_id=leg_id,
            app=self.app_name,
            app_args=f"{AGENT_LEG},{session.channel_id}",
            caller_id=caller_number or None,
            timeout=route.ring_seconds,
            beside=session.channel_id,
        )
        answered = await session.wait_for(
            session.leg_event(leg_id, StasisStart, ChannelDestroyed), route.ring_seconds + 2
        )
        if not isinstance(answered, StasisStart):
            session.legs.discard(leg_id)
            await quietly_hang_up(self.ari, leg_id)
            await self._unanswered(session, route, caller_number)
            return None
        await answer(self.ari, session)
        if transferred:  # answered long ago: the ringing it hears is a tone to stop
            await self.ari.ring_stop(session.channel_id)
        agent = None if outside else await User.get_or_none(sip_extension=route.target, active=True)
        return await self._talk(session, leg_id, agent, route.language)

    async def _talk(
        self, session: CallSession, leg_id: str, agent: User | None, language: str
    ) -> SentOn | HandedOn | None:
        bridge_id = f"ehd-call-{session.channel_id}"
        await self.ari.create_bridge(bridge_id, "mixing,proxy_media")
        notice: SentOn | HandedOn | None = None
        try:
            await self.ari.add_to_bridge(bridge_id, session.channel_id)
            await self.ari.add_to_bridge(bridge_id, leg_id)
            if agent is not None and self.queues is not None:  # the agent controls the call
                await records.set_agent(session.channel_id, agent.username)
                notice = await talk_on_floor(self.queues, session, session.channel_id,
                                             agent.username, leg_id, bridge_id,
                                             language)  # fmt: skip
                session.legs.discard(leg_id)  # gone, or a colleague's now
            else:  # the call lasts until either side hangs up
                await session.wait_for(
                    session.leg_event(leg_id, StasisEnd, ChannelDestroyed), DAY_SECONDS
                )
            if notice is None:
                await self.ari.hangup(session.channel_id)
            return notice
        finally:
            # Put through to a consulted party in this bridge, the caller keeps it.
            if not (isinstance(notice, HandedOn) and notice.bridge_id == bridge_id):
                with contextlib.suppress(AriHttpError):
                    await self.ari.destroy_bridge(bridge_id)

    async def _unanswered(self, session: CallSession, route: Route, caller: str) -> None:
        """Voicemail when the number has it, otherwise "not available"."""
        mailbox = await User.get_or_none(username=route.voicemail) if route.voicemail else None
        if mailbox is None or self.services is None:
            await play_and_hang_up(self.ari, self.sounds, session, "unavailable", route.language)
            return
        await answer(self.ari, session)
        await voicemail.leave_message(self.services, session, mailbox, caller, route.language)
        await session.wait_hangup()

    async def _endpoint_state(self, extension: str) -> str:
        try:
            return await self.ari.endpoint_state("PJSIP", extension)
        except AriHttpError:
            return "unknown"
