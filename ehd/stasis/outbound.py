"""Calls an agent's phone places: a colleague's extension, or a customer's number through the
trunk, as :mod:`ehd.calls.dial_policy` allows it, with the number of the agent's site shown.
Click-to-dial is the same call started from the web: ehd rings the agent's own phone first
(``click-to-dial`` Stasis argument) and, once they answer, the number they clicked. When the
phone hands a customer to whoever answered such a call (an attended transfer), that party's
leg is released to the customer's call (:meth:`OutboundCalls.release`, ``talk_to``).

The agent's channel stays in ehd's Stasis application (no dialplan Dial()): ehd rings the other
side on a new leg, answers the agent's channel when it answers and bridges the two. The call
is a call record (direction, agent, the number in E.164, the contact it matches, talk time),
and a logged-in agent is busy for the queue while it lasts.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from ehd.ari.client import AriClient, AriHttpError
from ehd.ari.events import ChannelDestroyed, StasisEnd, StasisStart
from ehd.audio.prompts import SoundLibrary
from ehd.calls.dial_policy import DialDecision, DialKind
from ehd.calls.dialling import calling_site, dial_decision, presented_number
from ehd.calls.session import CallSession
from ehd.crm.directory import match_phone
from ehd.db.models import CallDirection, CallRecord, Did, User
from ehd.phone_numbers import DEFAULT_REGION
from ehd.queueing.service import QueueService
from ehd.stasis.floor_talk import CustomerSide

log = logging.getLogger(__name__)

OUTBOUND = "outbound"  # Stasis argument: a call an agent's phone placed
CLICK_TO_DIAL = "click-to-dial"  # Stasis argument: the agent's phone answered a web click
PLACED_LEG = "placed-leg"  # Stasis argument of the leg ehd rings for it
RING_SECONDS = 60


def extension_of(channel_name: str) -> str:
    """``PJSIP/1001-0000002a`` → ``1001``."""
    technology, _, rest = channel_name.partition("/")
    return rest.rpartition("-")[0] if technology == "PJSIP" and "-" in rest else ""


class OutboundCalls:
    def __init__(
        self,
        ari: AriClient,
        app_name: str,
        sounds: SoundLibrary,
        queues: QueueService | None,
        region: str = DEFAULT_REGION,
    ) -> None:
        self.ari = ari
        self.app_name = app_name
        self.sounds = sounds
        self.queues = queues
        self.region = region
        # Set by the Stasis application: start the call task of a customer's leg.
        self.start_customer_side: Callable[[CustomerSide], None] | None = None

    async def place(self, session: CallSession, start: StasisStart) -> bool:
        """Carry out the call; False when it is not for here (one of our own numbers, or not
        an agent's phone), so the inbound routes take it."""
        channel = start.channel
        dialled = start.args[1] if len(start.args) > 1 else channel.exten
        extension = extension_of(channel.name)
        if not extension or await Did.exists(number=dialled):
            return False
        user = await User.get_or_none(sip_extension=extension, active=True)
        if user is None:
            return False
        await self._carry_out(session, user, dialled)
        return True

    async def click_answered(self, session: CallSession, start: StasisStart) -> None:
        """The agent answered the web's click-to-dial call: now the number they clicked."""
        number, username = [*start.args, "", "", ""][1:3]
        user = await User.get_or_none(username=username, active=True)
        if user is None:
            await self.ari.hangup(session.channel_id)
            await session.wait_hangup()
            return
        await self._carry_out(session, user, number)

    async def _carry_out(self, session: CallSession, user: User, dialled: str) -> None:
        channel_id = session.channel_id
        decision = await dial_decision(user, dialled, self.region)
        await self._open_record(channel_id, user, dialled, decision)
        if not decision.allowed:
            log.info("call %s: %s may not dial %r: %s", channel_id, user.username, dialled,
                     decision.reason)  # fmt: skip
            await self._refuse(session, decision, user.language)
            return
        await self._connect(session, user, decision)

    async def _open_record(
        self, call_id: str, user: User, dialled: str, decision: DialDecision
    ) -> None:
        internal = decision.kind == DialKind.INTERNAL
        await CallRecord.create(
            call_id=call_id,
            direction=CallDirection.INTERNAL if internal else CallDirection.OUTBOUND,
            did=dialled[:32],
            caller_number=decision.target[:64],
            route_type="internal" if internal else "outbound",
            route_target=decision.kind.value,
            started_at=datetime.now(UTC),
            agent=user.username,
            site_id=0 if internal else await calling_site(user),
        )
        match = await match_phone(decision.target) if not internal else None
        if match is not None:
            await CallRecord.filter(call_id=call_id).update(
                contact_id=match.contact_id, company_id=match.company_id
            )

    async def _refuse(self, session: CallSession, decision: DialDecision, language: str) -> None:
        """The reason as early media (nothing is answered, nothing billed), then the refusal."""
        not_allowed = "not allowed" in decision.reason
        session.outcome = "refused"
        prompt = "number-not-allowed" if not_allowed else "number-invalid"
        await session.play(self.sounds.media(prompt, language))
        await self.ari.hangup(session.channel_id, "rejected" if not_allowed else "unallocated")
        await session.wait_hangup()

    async def _connect(self, session: CallSession, user: User, decision: DialDecision) -> None:
        internal = decision.kind == DialKind.INTERNAL
        caller_id = (
            f'"{user.name or user.username}" <{user.sip_extension}>'
            if internal
            else await presented_number(user)
        )
        endpoint = f"PJSIP/{decision.target}" + ("" if internal else "@trunk")
        leg_id = f"ehd-out-{uuid.uuid4().hex[:16]}"
        session.legs.add(leg_id)
        await self.ari.ring(session.channel_id)
        try:
            await self.ari.originate(endpoint, channel_id=leg_id, app=self.app_name,
                                     app_args=f"{PLACED_LEG},{session.channel_id}",
                                     caller_id=caller_id or None, timeout=RING_SECONDS,
                                     beside=session.channel_id)  # fmt: skip
        except AriHttpError as err:
            log.warning("call %s: %s could not be dialled: %s", session.channel_id, endpoint, err)
            session.outcome = "failed"
            await self.ari.hangup(session.channel_id, "congestion")
            await session.wait_hangup()
            return
        answered = await session.wait_for(
            session.leg_event(leg_id, StasisStart, ChannelDestroyed), RING_SECONDS + 2
        )
        if not isinstance(answered, StasisStart):
            session.outcome = "no_answer"
            await self.ari.hangup(session.channel_id, "no_answer")
            await session.wait_hangup()
            return
        await self.ari.answer(session.channel_id)
        bridge_id = f"ehd-out-{session.channel_id}"
        await self.ari.create_bridge(bridge_id, "mixing,proxy_media")
        connected_at = time.time()
        await CallRecord.filter(call_id=session.channel_id).update(
            answered_at=datetime.now(UTC), result="answered"
        )
        if self.queues is not None and self.start_customer_side is not None:
            await self._on_floor(session, user, leg_id, bridge_id)
            return
        if self.queues is not None:
            await self.queues.agent_on_other_call(user.username, busy=True)
        try:
            # The phone may have handed its party to a customer already (an attended
            # transfer sent the moment the call was answered): then it is not bridged here.
            mine = [c for c in (session.channel_id, leg_id) if session.owns(c)]
            await self.ari.add_to_bridge(bridge_id, mine)
            await session.wait_for(session.leg_event(leg_id, StasisEnd, ChannelDestroyed), 86400)
            await self.ari.hangup(session.channel_id)
        finally:
            talk = time.time() - connected_at
            await CallRecord.filter(call_id=session.channel_id).update(talk_seconds=talk)
            if self.queues is not None:
                await self.queues.agent_on_other_call(user.username, busy=False)
            with contextlib.suppress(AriHttpError):
                await self.ari.destroy_bridge(bridge_id)

    async def _on_floor(
        self, session: CallSession, user: User, leg_id: str, bridge_id: str
    ) -> None:
        """The customer's leg gets a call task of its own, which puts the call on the floor
        for the agent to control; the agent's channel is then one of the call's agent legs,
        and this task lasts as long as it does."""
        assert self.start_customer_side is not None
        session.outcome = "completed"
        # Until the customer side starts, the party stays this task's leg: the phone may
        # hand it to a customer at any moment (an attended transfer), and can only take it
        # from whoever holds it.
        await self.ari.add_to_bridge(bridge_id, [c for c in (session.channel_id, leg_id)
                                                 if session.owns(c)])  # fmt: skip
        if session.owns(leg_id):  # not handed to a customer meanwhile
            session.legs.discard(leg_id)
            side = CustomerSide(session.channel_id, leg_id, user.username, session.channel_id,
                                bridge_id, user.language)  # fmt: skip
            self.start_customer_side(side)  # no await between: always one holder
        await session.wait_hangup()

    async def release(self, call_id: str, leg_id: str) -> str:
        """Take the answered ``leg_id`` out of the call's bridge (its session no longer owns
        it): another call keeps it. The number the call reached."""
        with contextlib.suppress(AriHttpError):
            await self.ari.request(
                "POST", f"bridges/ehd-out-{call_id}/removeChannel", {"channel": leg_id}
            )
        record = await CallRecord.get_or_none(call_id=call_id)
        return record.caller_number if record is not None and record.caller_number else leg_id

    async def talk_to(self, session: CallSession, leg_id: str, bridge_id: str = "") -> None:
        """Bridge the caller with ``leg_id``, lent by another call (or keep the ``bridge_id``
        they share), until either hangs up."""
        session.legs.add(leg_id)
        try:
            try:
                if not bridge_id:
                    bridge_id = f"ehd-out-{session.channel_id}"
                    await self.ari.create_bridge(bridge_id, "mixing,proxy_media")
                    await self.ari.add_to_bridge(bridge_id, [session.channel_id, leg_id])
                else:
                    await self.ari.request("GET", f"channels/{leg_id}")  # still there?
            except AriHttpError:  # the party hung up in between
                log.info("call %s: %s was gone before it was bridged", session.channel_id, leg_id)
                await self.ari.hangup(session.channel_id)
                return
            await session.wait_for(session.leg_event(leg_id, StasisEnd, ChannelDestroyed), 86400)
            await self.ari.hangup(session.channel_id)
        finally:
            with contextlib.suppress(AriHttpError):
                await self.ari.destroy_bridge(bridge_id)
