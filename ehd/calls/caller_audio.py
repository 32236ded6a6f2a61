"""Carries out :mod:`ehd.calls.hearing` over ARI: the one door to what a caller hears.

Queue announcements, music on hold, the call task's prompts and the connect to an agent all
pass through here, so the state is never out of step with what Asterisk plays.

An announcement goes to Asterisk as one playback per item, queued on the channel: Asterisk
does not honour a stop that arrives while a media list says a number (the list goes on with
its next item), but it does cancel each queued playback, so a connect silences the rest.
"""

from __future__ import annotations

import contextlib
import logging
from typing import assert_never

from ehd.ari.client import AriClient, AriHttpError
from ehd.calls import hearing as h

log = logging.getLogger(__name__)


class CallerAudio:
    def __init__(self, ari: AriClient) -> None:
        self.ari = ari
        self._hearing: dict[str, h.Hearing] = {}  # caller channel -> what they hear
        self._playbacks: dict[str, str] = {}  # announcement id -> caller channel
        self._items: dict[str, list[str]] = {}  # announcement id -> its playbacks in Asterisk
        self._last_item: dict[str, str] = {}  # an announcement's last playback -> announcement

    def sound(self, channel_id: str) -> h.Sound:
        return self._hearing.get(channel_id, h.Hearing()).sound

    async def hold(self, channel_id: str, moh_class: str) -> None:
        await self._apply(channel_id, h.Hold(moh_class))

    async def announce(self, channel_id: str, playback_id: str, media: list[str]) -> bool:
        """Play a queue announcement unless the caller hears something that must not be cut;
        True when it was started."""
        await self._apply(channel_id, h.Announce(playback_id, tuple(media)))
        return self._playbacks.get(playback_id) == channel_id

    async def playback_finished(self, playback_id: str) -> None:
        """Any playback ended in Asterisk; the end of an announcement's last item ends it."""
        announcement = self._last_item.pop(playback_id, playback_id)
        channel_id = self._playbacks.pop(announcement, None)
        self._items.pop(announcement, None)
        if channel_id is not None:
            await self._apply(channel_id, h.PlaybackFinished(announcement))

    async def prompt(self, channel_id: str) -> None:
        """The call task is about to play its own prompt: music and announcements stop."""
        await self._apply(channel_id, h.Prompt())

    async def hear(
        self, channel_id: str, event: h.PutOnHold | h.TakeOffHold | h.BackToQueue | h.Connect
    ) -> None:
        """A connected party held, resumed, transferred or (a consulted colleague) bridged;
        :mod:`ehd.calls.call_control` decides when."""
        await self._apply(channel_id, event)

    async def connect(self, channel_id: str) -> None:
        """Stop everything the caller hears; call right before bridging them."""
        await self._apply(channel_id, h.Connect())

    def forget(self, channel_id: str) -> None:
        self._hearing.pop(channel_id, None)
        for playback_id in [p for p, c in self._playbacks.items() if c == channel_id]:
            self._forget_announcement(playback_id)

    def _forget_announcement(self, playback_id: str) -> list[str]:
        self._playbacks.pop(playback_id, None)
        items = self._items.pop(playback_id, [])
        if items:
            self._last_item.pop(items[-1], None)
        return items

    async def _apply(self, channel_id: str, event: h.HearingEvent) -> None:
        current = self._hearing.get(channel_id, h.Hearing())
        self._hearing[channel_id], actions = h.decide(current, event)
        for action in actions:
            await self._carry_out(channel_id, action)

    async def _carry_out(self, channel_id: str, action: h.HearingAction) -> None:
        match action:
            case h.StartMusic(moh_class):
                with contextlib.suppress(AriHttpError):  # the caller may just have left
                    await self.ari.start_moh(channel_id, moh_class)
            case h.StopMusic():
                with contextlib.suppress(AriHttpError):
                    await self.ari.stop_moh(channel_id)
            case h.Play(playback_id, media):
                items = [f"{playback_id}-{n}" for n in range(len(media))]
                if not items:
                    return
                self._playbacks[playback_id] = channel_id
                self._items[playback_id] = items
                self._last_item[items[-1]] = playback_id
                try:
                    for item, uri in zip(items, media, strict=True):
                        await self.ari.play(channel_id, uri, item)
                except AriHttpError as err:
                    log.info("announcement to %s failed: %s", channel_id, err)
                    await self.playback_finished(items[-1])  # music again
            case h.StopPlayback(playback_id):
                # The queued ones first, so none starts while the current one is stopped.
                for item in reversed(self._forget_announcement(playback_id)):
                    with contextlib.suppress(AriHttpError):  # played already
                        await self.ari.stop_playback(item)
            case _:
                assert_never(action)
