"""A supervisor listens to an agent's call, whispers to the agent, or barges in.

The web asks ehd to ring the supervisor's own phone (``monitor`` Stasis argument); once they
answer, a snoop channel on the agent's leg is bridged with them. The snoop always hears both
directions of the agent's leg (the agent and whoever the agent hears); what the supervisor says
goes nowhere (listen), into the audio sent to the agent's phone (whisper), or both ways
(barge). It ends with either call, and every session is kept in ``call_monitorings``.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from datetime import UTC, datetime

from ehd.ari.client import AriClient, AriHttpError
from ehd.ari.events import ChannelDestroyed, StasisEnd, StasisStart
from ehd.calls.session import CallSession
from ehd.db.models import CallMonitoring, MonitorMode
from ehd.errors import NotFoundError
from ehd.queueing.service import QueueService

log = logging.getLogger(__name__)

MONITOR = "monitor"  # Stasis argument: the supervisor's phone answered
SNOOP_LEG = "snoop-leg"  # Stasis argument of the snoop channel on the agent's leg
# What the supervisor's voice reaches, as the snoop's whisper direction on the agent's leg.
WHISPER = {MonitorMode.LISTEN: "none", MonitorMode.WHISPER: "out", MonitorMode.BARGE: "both"}


class Monitoring:
    def __init__(self, ari: AriClient, app_name: str, queues: QueueService | None) -> None:
        self.ari = ari
        self.app_name = app_name
        self.queues = queues

    async def answered(self, session: CallSession, start: StasisStart) -> None:
        call_id, mode_name, supervisor = [*start.args, "", "", ""][1:4]
        call = None
        if self.queues is not None:
            with contextlib.suppress(NotFoundError):
                call = self.queues.controls.get(call_id)
        modes = {m.value: m for m in MonitorMode}
        mode = modes.get(mode_name)
        if call is None or mode is None:
            log.info("monitor %s: call %s is not connected (any more)", session.channel_id, call_id)
            await self.ari.hangup(session.channel_id)
            await session.wait_hangup()
            return
        snoop_id = f"ehd-snoop-{uuid.uuid4().hex[:16]}"
        session.legs.add(snoop_id)
        await self.ari.request(
            "POST",
            f"channels/{call.agent_channel}/snoop",
            {"spy": "both", "whisper": WHISPER[mode], "app": self.app_name,
             "appArgs": f"{SNOOP_LEG},{session.channel_id}", "snoopId": snoop_id},
        )  # fmt: skip
        started = await session.wait_for(
            session.leg_event(snoop_id, StasisStart, ChannelDestroyed), 10
        )
        if not isinstance(started, StasisStart):
            await self.ari.hangup(session.channel_id)
            await session.wait_hangup()
            return
        bridge_id = f"ehd-mon-{session.channel_id}"
        await self.ari.create_bridge(bridge_id, "mixing")
        row = await CallMonitoring.create(call_id=call_id, supervisor=supervisor,
                                          agent=call.agent_id, mode=mode,
                                          started_at=datetime.now(UTC))  # fmt: skip
        log.info("call %s: %s %s on %s", call_id, supervisor, mode.value, call.agent_id)
        try:
            await self.ari.add_to_bridge(bridge_id, [session.channel_id, snoop_id])
            await session.wait_for(session.leg_event(snoop_id, StasisEnd, ChannelDestroyed), 86400)
            await self.ari.hangup(session.channel_id)  # the agent's call ended
        finally:
            row.ended_at = datetime.now(UTC)
            await row.save(update_fields=["ended_at"])
            with contextlib.suppress(AriHttpError):
                await self.ari.destroy_bridge(bridge_id)
