"""The tests' carrier: a second Asterisk instance that places real SIP calls into ehd's trunk.

It dials a DID over SIP/RTP on loopback, records what it hears, sends DTMF, and hangs up; the
recordings land in its own spool folder as WAV files for sox to check.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from ehd.ari.client import AriClient, AriNotFound
from ehd.ari.connection import AriConnection
from ehd.ari.events import (
    ChannelDestroyed,
    Event,
    PlaybackEvent,
    RecordingEvent,
    StasisEnd,
    StasisStart,
)
from ehd.asterisk.instance import AsteriskInstance, InstanceSpec
from ehd.asterisk.runtime import AsteriskRuntime
from tests.harness.ports import rtp_range, service_ports

CARRIER_TEMPLATES = Path(__file__).resolve().parent.parent / "carrier"
CARRIER_APP = "carrier"


@dataclass(frozen=True)
class Phone:
    extension: str
    password: str


def carrier_spec(
    folder: Path, ehd_host: str, ehd_sip_port: int, phones: tuple[Phone, ...] = ()
) -> InstanceSpec:
    from ehd.asterisk.instance import SOUNDS_DIR, TEMPLATE_DIR

    sip, ari = service_ports(2)
    rtp_start, rtp_end = rtp_range(99)
    return InstanceSpec(
        name="carrier",
        folder=folder,
        bind_host="127.0.0.1",
        sip_port=sip,
        ari_port=ari,
        rtp_start=rtp_start,
        rtp_end=rtp_end,
        ari_user="carrier",
        ari_password=uuid.uuid4().hex,
        stasis_app=CARRIER_APP,
        template_dirs=(TEMPLATE_DIR, CARRIER_TEMPLATES),
        dialplan_dir=None,
        extra={"ehd_host": ehd_host, "ehd_sip_port": ehd_sip_port, "phones": phones},
        shared_folders=(SOUNDS_DIR,),  # the prompts tests play from the carrier side
    )


@dataclass
class EventLog:
    """Every carrier event, by channel id, for tests to wait on."""

    by_channel: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))
    recordings: dict[str, RecordingEvent] = field(default_factory=dict)
    incoming: list[StasisStart] = field(default_factory=list)  # calls ehd sent to the farm
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def add(self, event: Event) -> None:
        channel = getattr(event, "channel", None)
        if channel is not None:
            self.by_channel[channel.id].append(event)
        if isinstance(event, StasisStart) and event.args and event.args[0] == "incoming":
            self.incoming.append(event)
        if isinstance(event, RecordingEvent):
            self.recordings[event.name] = event
        if isinstance(event, PlaybackEvent):
            self.by_channel[event.target_uri.removeprefix("channel:")].append(event)
        async with self.changed:
            self.changed.notify_all()

    async def wait(self, predicate: object, timeout: float) -> None:
        async with asyncio.timeout(timeout), self.changed:
            await self.changed.wait_for(predicate)  # type: ignore[arg-type]


class CarrierCall:
    def __init__(self, carrier: Carrier, channel_id: str) -> None:
        self.carrier = carrier
        self.id = channel_id
        self.playing = ""  # the playback :meth:`play` started

    def _has(self, kind: type[Event]) -> bool:
        return any(isinstance(e, kind) for e in self.carrier.events.by_channel[self.id])

    async def wait_answered(self, timeout: float = 15) -> None:
        await self.carrier.events.wait(
            lambda: self._has(StasisStart) or self._has(ChannelDestroyed), timeout
        )
        if not self._has(StasisStart):
            raise AssertionError(f"call {self.id} was not answered")

    async def wait_ended(self, timeout: float = 30) -> None:
        # A channel that entered Stasis from the dialplan leaves it with StasisEnd and is not
        # reported again; one originated into the app ends with ChannelDestroyed.
        await self.carrier.events.wait(self.ended, timeout)

    async def record(self, name: str, seconds: int) -> Path:
        """Record what the far end sends for ``seconds`` (or until hangup); return the WAV."""
        await self.carrier.ari.record(self.id, name, max_seconds=seconds)
        await self.carrier.events.wait(
            lambda: (
                self.carrier.events.recordings.get(name) is not None
                and self.carrier.events.recordings[name].type
                in ("RecordingFinished", "RecordingFailed")
            ),
            seconds + 10,
        )
        return self.carrier.instance.recordings_dir / f"{name}.wav"

    async def listen(self, name: str, seconds: int) -> Path:
        """Like :meth:`record`, through a snoop channel, so the call stays free for keypresses
        and playbacks (ARI runs a channel's own commands one after the other)."""
        snoop_id = f"snoop-{uuid.uuid4().hex[:12]}"
        await self.carrier.ari.request(
            "POST",
            f"channels/{self.id}/snoop",
            {"spy": "in", "app": CARRIER_APP, "snoopId": snoop_id},
        )
        await self.carrier.events.wait(
            lambda: any(
                isinstance(e, StasisStart) for e in self.carrier.events.by_channel[snoop_id]
            ),
            10,
        )
        try:
            return await CarrierCall(self.carrier, snoop_id).record(name, seconds)
        finally:
            with contextlib.suppress(Exception):
                await self.carrier.ari.hangup(snoop_id)

    async def send_dtmf(self, digits: str) -> None:
        await self.carrier.ari.send_dtmf(self.id, digits)

    async def hangup(self) -> None:
        with contextlib.suppress(Exception):
            await self.carrier.ari.hangup(self.id)

    async def play(self, media: str) -> None:
        self.playing = f"play-{uuid.uuid4().hex[:8]}"
        await self.carrier.ari.play(self.id, media, self.playing)

    async def stop_playing(self) -> None:
        """Stop what :meth:`play` started: ARI runs a channel's commands one after the other,
        so a transfer request waits behind a long playback."""
        with contextlib.suppress(Exception):
            await self.carrier.ari.stop_playback(self.playing)

    def was_answered(self) -> bool:
        return self._has(StasisStart)

    def hangup_cause(self) -> int | None:
        ends = [
            e for e in self.carrier.events.by_channel[self.id] if isinstance(e, ChannelDestroyed)
        ]
        return ends[-1].cause if ends else None

    def ended(self) -> bool:
        return self._has(ChannelDestroyed) or self._has(StasisEnd)


class Carrier:
    def __init__(self, instance: AsteriskInstance, ari: AriClient, events: EventLog) -> None:
        self.instance = instance
        self.ari = ari
        self.events = events

    async def call(
        self, did: str, caller: str = "+46701234567", caller_name: str = "Test Caller"
    ) -> CarrierCall:
        channel_id = f"carrier-{uuid.uuid4().hex[:12]}"
        await self.ari.originate(
            f"PJSIP/{did}@ehd",
            channel_id=channel_id,
            app=CARRIER_APP,
            app_args="outgoing",
            caller_id=f'"{caller_name}" <{caller}>',
            timeout=20,
        )
        return CarrierCall(self, channel_id)

    async def dial_from(self, extension: str, number: str) -> CarrierCall:
        """A phone of the farm dials ``number`` as the agent ``extension`` (registered to ehd,
        authenticated like a desk phone)."""
        extra = self.instance.spec.extra
        uri = f"sip:{number}@{extra['ehd_host']}:{extra['ehd_sip_port']}"
        channel_id = f"phone-{uuid.uuid4().hex[:12]}"
        await self.ari.originate(
            f"PJSIP/{extension}/{uri}",
            channel_id=channel_id,
            app=CARRIER_APP,
            app_args="outgoing",
            timeout=30,
        )
        return CarrierCall(self, channel_id)

    async def hang_up_everything(self, timeout: float = 10) -> None:
        """End every call this instance still has and wait until they are gone: a shared
        carrier or phone farm starts the next test idle whatever the last one left."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while channels := await self.ari.request("GET", "channels"):
            if loop.time() > deadline:
                names = [channel["name"] for channel in channels]
                raise AssertionError(f"calls still up after hanging up: {names}")
            for channel in channels:
                with contextlib.suppress(AriNotFound):
                    await self.ari.hangup(channel["id"])
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def connected_carrier(instance: AsteriskInstance) -> AsyncIterator[Carrier]:
    """An ARI session to an already running carrier instance."""
    spec = instance.spec
    events = EventLog()
    async with aiohttp.ClientSession() as session:
        ari = AriClient(session, spec.ari_url, spec.ari_user, spec.ari_password)

        async def nothing() -> None:
            return None

        connection = AriConnection(ari, session, CARRIER_APP, events.add, nothing)
        task = asyncio.create_task(connection.run())
        try:
            async with asyncio.timeout(10):
                await connection.connected.wait()
            yield Carrier(instance, ari, events)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await _app_gone(ari)


async def _app_gone(ari: AriClient, timeout: float = 5.0) -> None:
    """Wait until Asterisk has destroyed the closed session's Stasis app. Asterisk tears the
    old app down in the background; if the next test's session registers first, the late
    teardown removes the new registration and that test's calls find no app."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        try:
            await ari.request("GET", f"applications/{CARRIER_APP}")
        except AriNotFound:
            return
        await asyncio.sleep(0.05)


async def start_carrier(
    folder: Path,
    runtime: AsteriskRuntime,
    ehd_sip_port: int,
    phones: tuple[Phone, ...] = (),
    ehd_host: str = "127.0.0.1",
) -> AsteriskInstance:
    """A carrier (or, with ``phones``, a phone farm) sending to ehd at ``ehd_host`` (or to
    the Kamailio in front of it)."""
    instance = AsteriskInstance(carrier_spec(folder, ehd_host, ehd_sip_port, phones), runtime)
    await instance.start(detach=True)
    return instance
