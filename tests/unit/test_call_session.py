"""The per-call session: waits end on the awaited event, on timeout, or when the caller leaves."""

import asyncio
from typing import Any

import pytest

from ehd.ari.events import (
    Bridge,
    BridgeChannelEvent,
    Channel,
    ChannelDtmfReceived,
    PlaybackEvent,
    StasisEnd,
)
from ehd.calls.session import CallEnded, CallSession

CALLER = Channel("c1", "PJSIP/trunk-1", "Up", "+4670", "", "4600", None, "en")


class RecordingAri:
    """Records requests; the session under test is what is being checked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def play(self, channel_id: str, media: str, playback_id: str) -> None:
        self.calls.append(("play", playback_id))

    async def stop_playback(self, playback_id: str) -> None:
        self.calls.append(("stop", playback_id))


def _session() -> tuple[CallSession, RecordingAri]:
    ari = RecordingAri()
    return CallSession(ari, "c1"), ari  # type: ignore[arg-type]


async def test_wait_returns_the_first_matching_event() -> None:
    session, _ = _session()
    session.deliver(ChannelDtmfReceived("ChannelDtmfReceived", "ehd", {}, CALLER, "1"))
    session.deliver(ChannelDtmfReceived("ChannelDtmfReceived", "ehd", {}, CALLER, "2"))
    event = await session.wait_for(
        lambda e: isinstance(e, ChannelDtmfReceived) and e.digit == "2", 1
    )
    assert isinstance(event, ChannelDtmfReceived) and event.digit == "2"


async def test_wait_times_out_with_none() -> None:
    session, _ = _session()
    assert await session.wait_for(lambda e: True, 0.05) is None


async def test_caller_leaving_ends_every_wait() -> None:
    session, _ = _session()
    waiting = asyncio.create_task(session.wait_for(lambda e: False, 5))
    await asyncio.sleep(0)
    session.deliver(StasisEnd("StasisEnd", "ehd", {}, CALLER))
    with pytest.raises(CallEnded):
        await waiting
    with pytest.raises(CallEnded):  # and every later one
        await session.wait_for(lambda e: True, 1)


async def test_play_waits_for_its_own_playback_to_finish() -> None:
    session, ari = _session()
    playing = asyncio.create_task(session.play("sound:x"))
    await asyncio.sleep(0)
    playback_id = ari.calls[0][1]
    session.deliver(
        PlaybackEvent("PlaybackFinished", "ehd", {}, "someone-else", "channel:c1", "done")
    )
    await asyncio.sleep(0.01)
    assert not playing.done()
    session.deliver(PlaybackEvent("PlaybackFinished", "ehd", {}, playback_id, "channel:c1", "done"))
    await asyncio.wait_for(playing, 1)


async def test_play_that_never_finishes_is_stopped() -> None:
    session, ari = _session()
    await session.play("sound:x", timeout=0.05)
    assert ari.calls[-1][0] == "stop"


def _key(digit: str) -> ChannelDtmfReceived:
    return ChannelDtmfReceived("ChannelDtmfReceived", "ehd", {}, CALLER, digit)


async def test_collect_stops_the_prompt_on_the_first_key_and_ends_on_the_terminator() -> None:
    session, ari = _session()
    collecting = asyncio.create_task(session.collect("sound:menu", max_digits=10, terminator="#"))
    await asyncio.sleep(0.01)
    playback_id = ari.calls[0][1]
    for digit in "42#9":
        session.deliver(_key(digit))
    assert await collecting == "42"
    assert ("stop", playback_id) in ari.calls


async def test_collect_waits_after_the_prompt_then_times_out_with_what_it_has() -> None:
    session, ari = _session()
    collecting = asyncio.create_task(
        session.collect("sound:menu", max_digits=4, first_timeout=0.2, between_timeout=0.1)
    )
    await asyncio.sleep(0.01)
    playback_id = ari.calls[0][1]
    session.deliver(PlaybackEvent("PlaybackFinished", "ehd", {}, playback_id, "channel:c1", "done"))
    await asyncio.sleep(0.05)
    session.deliver(_key("7"))
    assert await collecting == "7"  # the between-keys timeout ended it
    assert await session.collect(None, max_digits=1, first_timeout=0.05) == ""


async def test_collect_returns_at_max_digits() -> None:
    session, _ = _session()
    for digit in "123":
        session.deliver(_key(digit))
    assert await session.collect(None, max_digits=2) == "12"


async def test_out_of_bridges_waits_until_asterisk_says_the_channel_left() -> None:
    """A destroyed bridge still holds its channels for a moment; a prompt played then is lost."""
    session, _ = _session()
    bridge = Bridge.parse({"id": "ehd-call-1", "bridge_type": "mixing", "channels": []})

    def moved(kind: str) -> BridgeChannelEvent:
        return BridgeChannelEvent(kind, "ehd", {}, CALLER, bridge)

    await session.out_of_bridges(0.01)  # in none: at once
    session.deliver(moved("ChannelEnteredBridge"))
    waiting = asyncio.create_task(session.out_of_bridges(5))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    session.deliver(moved("ChannelLeftBridge"))
    await asyncio.wait_for(waiting, 1)
    session.deliver(moved("ChannelEnteredBridge"))
    began = asyncio.get_running_loop().time()
    await session.out_of_bridges(0.1)  # never told: it gives up, the caller is not kept
    assert asyncio.get_running_loop().time() - began >= 0.1


def test_legs_are_indexed_by_the_call_that_owns_them() -> None:
    owners: dict[str, CallSession] = {}
    ari = RecordingAri()
    first = CallSession(ari, "c1", owners)  # type: ignore[arg-type]
    second = CallSession(ari, "c2", owners)  # type: ignore[arg-type]
    first.legs.add("agent-1")
    first.legs.add("agent-2")
    assert owners == {"agent-1": first, "agent-2": first}
    assert first.owns("agent-1") and not second.owns("agent-1")
    # a leg handed on (a transfer) belongs to its new call; the old call letting go of it
    # does not take it from the new one
    second.legs.add("agent-2")
    first.legs.discard("agent-2")
    assert owners == {"agent-1": first, "agent-2": second}
    assert sorted(first.legs) == ["agent-1"] and len(second.legs) == 1
    first.legs.clear()  # the call ended
    assert owners == {"agent-2": second}
