"""The queue service's shared state and handles: who waits, which legs are up, each agent's
device, each queue's runtime settings, each connected call (held or not), and the ARI client,
prompts and caller audio the roles act through.

The roles (``agent_legs``: offers, connect and hang-up; ``leg_events``: what Asterisk reports
about them; ``service``: the engine's actions, callers, agents) each hold the one floor.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from ehd.agent_events import AgentEvents
from ehd.ari.client import AriClient, AriHttpError
from ehd.ari.events import Event
from ehd.audio.prompts import SoundLibrary
from ehd.calls.call_control import ConnectedCall
from ehd.calls.caller_audio import CallerAudio
from ehd.queueing.callers import Caller
from ehd.queueing.driver import EngineDriver
from ehd.queueing.legs import AgentDevice, Legs
from ehd.queueing.queue_runtime import QueueRuntime

QUEUE_LEG = "queue-leg"  # Stasis argument of an agent's leg
CONSULT_LEG = "consult-leg"  # Stasis argument of a colleague's leg in a consultation
# On an agent's channel: the phone's transfer key (a SIP REFER) becomes an ARI event for ehd
TRANSFERS_TO_EHD = {"PJSIP_TRANSFER_HANDLING()": "ari-only"}


def call_bridge(item_id: str) -> str:
    """The mixing bridge a caller (or callback customer) talks to the agent in."""
    return f"ehd-call-{item_id}"


@dataclass
class QueueFloor:
    ari: AriClient
    app_name: str
    sounds: SoundLibrary
    driver: EngineDriver
    consoles: AgentEvents
    site_screen_pop: str = ""
    audio: CallerAudio = field(init=False)  # what each caller hears: music, announcement, agent
    callers: dict[str, Caller] = field(default_factory=dict)
    legs: Legs = field(default_factory=Legs)
    devices: dict[str, AgentDevice] = field(default_factory=dict)
    queues: dict[str, QueueRuntime] = field(default_factory=dict)
    calls: dict[str, ConnectedCall] = field(default_factory=dict)  # item -> its bridged call
    # Set by the Stasis application: a call task of its own for the customer's channel of
    # ``call_id`` (a callback's, sent on by the agent); what is delivered to it.
    adopt_customer: Callable[[str, str, str], Callable[[Event], None]] | None = None

    def __post_init__(self) -> None:
        self.audio = CallerAudio(self.ari)

    @property
    def clock(self) -> Callable[[], float]:
        return self.driver.clock

    async def hangup(self, channel_id: str) -> None:
        with contextlib.suppress(AriHttpError):  # gone already
            await self.ari.hangup(channel_id)

    async def transfers_to_ehd(self, channel_id: str) -> None:
        """The phone's transfer key (a SIP REFER) on this agent's channel reaches ehd as an
        event instead of Asterisk carrying it out itself, so the customer stays in ehd's
        bridges."""
        with contextlib.suppress(AriHttpError):  # gone already, or not a SIP channel
            for variable, value in TRANSFERS_TO_EHD.items():
                await self.ari.request(
                    "POST",
                    f"channels/{channel_id}/variable",
                    {"variable": variable, "value": value},
                )
