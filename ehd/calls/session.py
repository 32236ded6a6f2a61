"""One live call as an asyncio task: its events arrive on a queue, its steps await them.

A session owns the caller's channel and any legs it originates. Awaiting a step (a playback, an
answer from a leg) raises :class:`CallEnded` as soon as the caller hangs up, so every wait has
a way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Iterator, MutableSet

from ehd.ari.client import AriClient, AriHttpError
from ehd.ari.events import (
    BridgeChannelEvent,
    ChannelDestroyed,
    ChannelDtmfReceived,
    ChannelEvent,
    ChannelHangupRequest,
    Event,
    PlaybackEvent,
    StasisEnd,
)


class CallEnded(Exception):
    """The caller's channel left Stasis or hung up."""

    def __init__(self, cause: int | None = None) -> None:
        super().__init__(cause)
        self.cause = cause


def _ends(event: Event, channel_id: str) -> bool:
    return (
        isinstance(event, (StasisEnd, ChannelDestroyed, ChannelHangupRequest))
        and event.channel.id == channel_id
    )


class Legs(MutableSet[str]):
    """The channels a session manages besides the caller's, kept in the application's index
    of who owns which leg, so an event on a leg finds its call without a look at every call."""

    def __init__(self, session: CallSession, owners: dict[str, CallSession]) -> None:
        self._session = session
        self._owners = owners
        self._ids: set[str] = set()

    def __contains__(self, channel_id: object) -> bool:
        return channel_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, channel_id: str) -> None:
        self._ids.add(channel_id)
        self._owners[channel_id] = self._session  # a leg handed on belongs to its new call

    def discard(self, channel_id: str) -> None:
        self._ids.discard(channel_id)
        if self._owners.get(channel_id) is self._session:
            del self._owners[channel_id]


class CallSession:
    def __init__(
        self, ari: AriClient, channel_id: str, leg_owners: dict[str, CallSession] | None = None
    ) -> None:
        self.ari = ari
        self.channel_id = channel_id
        self.legs = Legs(self, {} if leg_owners is None else leg_owners)
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self.ended = False
        self.hangup_cause: int | None = None
        self.outcome: str | None = None  # how ehd ended the call, when ehd ended it
        self.bridges: set[str] = set()  # the bridges Asterisk says the channel is in
        self._unbridged = asyncio.Event()
        self._unbridged.set()

    def deliver(self, event: Event) -> None:
        if isinstance(event, BridgeChannelEvent) and event.channel.id == self.channel_id:
            if event.type == "ChannelEnteredBridge":
                self.bridges.add(event.bridge.id)
                self._unbridged.clear()
            else:
                self.bridges.discard(event.bridge.id)
                if not self.bridges:
                    self._unbridged.set()
        if isinstance(event, ChannelDestroyed) and event.channel.id == self.channel_id:
            self.hangup_cause = event.cause
        if isinstance(event, ChannelHangupRequest) and event.channel.id == self.channel_id:
            cause = event.raw.get("cause")
            if isinstance(cause, int):
                self.hangup_cause = cause
        self._events.put_nowait(event)

    def owns(self, channel_id: str) -> bool:
        return channel_id == self.channel_id or channel_id in self.legs

    async def out_of_bridges(self, timeout: float = 2.0) -> None:
        """Until Asterisk says the channel has left every bridge (at most ``timeout``): a
        bridge is destroyed before its channels have left it, and a playback asked for in
        between is dropped with the bridge, unheard."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._unbridged.wait()

    async def wait_for(self, predicate: Callable[[Event], bool], timeout: float) -> Event | None:
        """The first event matching ``predicate``, or None after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.ended:
                raise CallEnded(self.hangup_cause)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                async with asyncio.timeout(remaining):
                    event = await self._events.get()
            except TimeoutError:
                return None
            if _ends(event, self.channel_id):
                self.ended = True
                raise CallEnded(self.hangup_cause)
            if predicate(event):
                return event

    async def play(self, media: str | list[str], *, timeout: float = 300.0) -> None:
        """Play to the caller and wait until the playback finishes."""
        playback_id = f"ehd-pb-{uuid.uuid4().hex}"

        def finished(event: Event) -> bool:
            return (
                isinstance(event, PlaybackEvent)
                and event.playback_id == playback_id
                and event.type in ("PlaybackFinished",)
            )

        await self.ari.play(self.channel_id, media, playback_id)
        if await self.wait_for(finished, timeout) is None:
            await self.ari.stop_playback(playback_id)

    async def wait_hangup(self) -> None:
        """Wait until the caller's call ends (raises CallEnded)."""
        while True:
            await self.wait_for(lambda _event: False, 3600.0)

    def leg_event(self, leg_id: str, *types: type[ChannelEvent]) -> Callable[[Event], bool]:
        def matches(event: Event) -> bool:
            return isinstance(event, types) and event.channel.id == leg_id

        return matches

    async def collect(
        self,
        media: str | list[str] | None,
        *,
        max_digits: int,
        terminator: str | None = None,
        first_timeout: float = 6.0,
        between_timeout: float = 4.0,
    ) -> str:
        """Play ``media`` (the first key stops it), then gather keys until ``max_digits``,
        the terminator, or a timeout. Returns what was keyed in, without the terminator."""
        loop = asyncio.get_running_loop()
        playback_id = f"ehd-pb-{uuid.uuid4().hex}" if media else None
        if media and playback_id:
            await self.ari.play(self.channel_id, media, playback_id)
        playing = playback_id is not None
        digits = ""
        deadline = None if playing else loop.time() + first_timeout

        def relevant(event: Event) -> bool:
            if isinstance(event, ChannelDtmfReceived):
                return event.channel.id == self.channel_id
            return (
                isinstance(event, PlaybackEvent)
                and event.playback_id == playback_id
                and event.type == "PlaybackFinished"
            )

        while True:
            remaining = 300.0 if deadline is None else deadline - loop.time()
            event = await self.wait_for(relevant, max(0.0, remaining))
            if event is None:
                if playing and playback_id:
                    await self._stop(playback_id)
                return digits
            if isinstance(event, PlaybackEvent):
                playing = False
                deadline = loop.time() + (between_timeout if digits else first_timeout)
                continue
            assert isinstance(event, ChannelDtmfReceived)
            if playing and playback_id:
                playing = False
                await self._stop(playback_id)
            if terminator is not None and event.digit == terminator:
                return digits
            digits += event.digit
            if len(digits) >= max_digits:
                return digits
            deadline = loop.time() + between_timeout

    async def _stop(self, playback_id: str) -> None:
        with contextlib.suppress(AriHttpError):  # it may have just finished
            await self.ari.stop_playback(playback_id)
