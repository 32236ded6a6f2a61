"""What a caller hears at any moment: one decision, so two sources never play at once.

A caller in the queue hears exactly one of: nothing yet, music on hold, a queue announcement,
a prompt of their own call task (a callback offer, an exit message), the other party of a
bridge, or music while the agent holds the call (or has transferred it to a queue). Every
source asks here before it starts, and a connect stops whatever plays first.

Asterisk runs a bridged channel's playback as one action of the channel: joining the agent's
bridge waits until that playback ends, and music started on a bridged channel drowns the bridge
for that channel only. So both go, in that order, before the caller is bridged; and the end of
an announcement brings music back only to a caller who is still waiting.

Pure: events in, actions out; :class:`ehd.calls.caller_audio.CallerAudio` carries them out.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import assert_never


class Sound(enum.Enum):
    NOTHING = "nothing"
    MUSIC = "music"
    ANNOUNCEMENT = "announcement"  # queue position, wait, callback offer; music comes back
    PROMPT = "prompt"  # the call task's own prompt; the task decides what follows
    PARTY = "party"  # bridged to an agent or a customer
    ON_HOLD = "on_hold"  # taken out of the bridge by the agent: music until resumed


@dataclass(frozen=True)
class Hearing:
    sound: Sound = Sound.NOTHING
    moh_class: str = "default"
    playback_id: str = ""  # the announcement playing, if any


# --- events ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hold:
    """Music on hold, unless an announcement is playing (music follows it) or a party is
    connected."""

    moh_class: str


@dataclass(frozen=True)
class Announce:
    """A queue announcement: only to a caller who waits with music or in silence."""

    playback_id: str
    media: tuple[str, ...]


@dataclass(frozen=True)
class PlaybackFinished:
    playback_id: str


@dataclass(frozen=True)
class Prompt:
    """The call task takes over the caller's ear (callback offer, exit message, voicemail)."""


@dataclass(frozen=True)
class Connect:
    """The caller is about to be bridged to the other party."""


@dataclass(frozen=True)
class PutOnHold:
    """The agent holds the call: the caller has left the bridge and hears music."""

    moh_class: str


@dataclass(frozen=True)
class TakeOffHold:
    """The agent resumes: music stops before the caller rejoins the bridge."""


@dataclass(frozen=True)
class BackToQueue:
    """The agent transferred the caller to a queue: out of the bridge, that queue's music."""

    moh_class: str


HearingEvent = (
    Hold | Announce | PlaybackFinished | Prompt | Connect | PutOnHold | TakeOffHold | BackToQueue
)


# --- actions --------------------------------------------------------------------------------
@dataclass(frozen=True)
class StartMusic:
    moh_class: str


@dataclass(frozen=True)
class StopMusic:
    pass


@dataclass(frozen=True)
class Play:
    playback_id: str
    media: tuple[str, ...]


@dataclass(frozen=True)
class StopPlayback:
    playback_id: str


HearingAction = StartMusic | StopMusic | Play | StopPlayback


def _silence(hearing: Hearing) -> list[HearingAction]:
    """Stop what plays now."""
    match hearing.sound:
        case Sound.MUSIC | Sound.ON_HOLD:
            return [StopMusic()]
        case Sound.ANNOUNCEMENT:
            return [StopPlayback(hearing.playback_id)]
        case Sound.NOTHING | Sound.PROMPT | Sound.PARTY:
            return []
        case _:
            assert_never(hearing.sound)


def decide(hearing: Hearing, event: HearingEvent) -> tuple[Hearing, list[HearingAction]]:
    """The caller's next state and what to tell Asterisk."""
    match event:
        case Hold(moh_class):
            if hearing.sound in (Sound.ANNOUNCEMENT, Sound.PARTY):
                return Hearing(hearing.sound, moh_class, hearing.playback_id), []
            if hearing.sound == Sound.ON_HOLD and moh_class == hearing.moh_class:
                return Hearing(Sound.MUSIC, moh_class), []  # the same music plays on
            return Hearing(Sound.MUSIC, moh_class), [StartMusic(moh_class)]
        case Announce(playback_id, media):
            if hearing.sound not in (Sound.MUSIC, Sound.NOTHING):
                return hearing, []
            # Playback interrupts music in Asterisk; stopping it first keeps it from resuming
            # under the announcement on channels where it would.
            return (
                Hearing(Sound.ANNOUNCEMENT, hearing.moh_class, playback_id),
                [*_silence(hearing), Play(playback_id, media)],
            )
        case PlaybackFinished(playback_id):
            if hearing.sound != Sound.ANNOUNCEMENT or playback_id != hearing.playback_id:
                return hearing, []  # a stopped announcement, or someone else's playback
            return Hearing(Sound.MUSIC, hearing.moh_class), [StartMusic(hearing.moh_class)]
        case Prompt():
            return Hearing(Sound.PROMPT, hearing.moh_class), _silence(hearing)
        case Connect():
            return Hearing(Sound.PARTY, hearing.moh_class), _silence(hearing)
        case PutOnHold(moh_class):
            if hearing.sound != Sound.PARTY:
                return hearing, []  # only a connected caller can be held
            return Hearing(Sound.ON_HOLD, moh_class), [StartMusic(moh_class)]
        case TakeOffHold():
            if hearing.sound != Sound.ON_HOLD:
                return hearing, []
            return Hearing(Sound.PARTY, hearing.moh_class), [StopMusic()]
        case BackToQueue(moh_class):
            if hearing.sound not in (Sound.PARTY, Sound.ON_HOLD):
                return hearing, []  # only a connected caller is transferred
            if hearing.sound == Sound.ON_HOLD and moh_class == hearing.moh_class:
                return Hearing(Sound.MUSIC, moh_class), []  # the same music plays on
            return Hearing(Sound.MUSIC, moh_class), [*_silence(hearing), StartMusic(moh_class)]
        case _:
            assert_never(event)
