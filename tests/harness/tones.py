"""Who hears whom: each party sends its own tone, and each side's ear is checked per second.

A recording of the bridge mixes both voices and hides one-way audio. Instead every party
plays a sine of its own frequency and we record what reaches each party separately (a snoop
on the far end's channel); a Goertzel filter tells per 20 ms frame whether the other party's
tone dominates what was heard. Music on hold, prompts and silence do not.
"""

from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.harness.audio import FRAME, _samples

CALLER_HZ = 600  # multiples of 50 Hz fall on a Goertzel bin of a 160-sample frame
AGENT_HZ = 1400
CUSTOMER_HZ = 900
SECOND_AGENT_HZ = 1100  # the agent a call is transferred to
RATE = 8000
# How a failed ear check names what was heard instead, per second.
PARTY_LETTERS = {CALLER_HZ: "c", AGENT_HZ: "a", CUSTOMER_HZ: "u", SECOND_AGENT_HZ: "b"}
MIN_LEVEL = 300.0  # RMS of a frame below this is silence, whatever its spectrum


def tone_file(folder: Path, hz: int, seconds: int = 60, rate: int = RATE) -> Path:
    """A WAV of a steady sine."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"tone-{hz}-{rate}.wav"
    if not path.exists():
        subprocess.run(
            ["sox", "-n", "-r", str(rate), "-c", "1", "-b", "16", str(path)]
            + ["synth", str(seconds), "sine", str(hz), "vol", "0.4"],
            check=True,
        )
    return path


def make_tone(folder: Path, hz: int, seconds: int = 60) -> str:
    """A WAV of a steady sine; the ``sound:`` media URI (no extension) to play it."""
    return f"sound:{tone_file(folder, hz, seconds).with_suffix('')}"


def _share_at(frame: list[int], hz: int) -> float:
    """Share of the frame's power at ``hz`` (Goertzel), 0..1."""
    coefficient = 2 * math.cos(2 * math.pi * hz / RATE)
    s_prev = s_prev2 = 0.0
    for sample in frame:
        s = sample + coefficient * s_prev - s_prev2
        s_prev2, s_prev = s_prev, s
    power = s_prev**2 + s_prev2**2 - coefficient * s_prev * s_prev2
    total = sum(x * x for x in frame)
    if total == 0:
        return 0.0
    # A pure sine of amplitude A over N samples gives Goertzel power (A*N/2)^2 and total
    # power A^2*N/2: normalise so a clean tone scores about 1.
    return min(1.0, power / (total * len(frame) / 2))


@dataclass(frozen=True)
class Heard:
    seconds: list[bool]  # per second: the tone dominated most of it

    @property
    def share(self) -> float:
        return sum(self.seconds) / len(self.seconds) if self.seconds else 0.0

    def timeline(self) -> str:
        return "".join("#" if heard else "." for heard in self.seconds)


def _seconds(recording: Path, skip_seconds: float) -> list[list[list[int]]]:
    """The recording's whole seconds after ``skip_seconds``, each as its 20 ms frames."""
    samples = _samples(recording)[int(skip_seconds * RATE) :]
    return [
        [list(samples[start + i * FRAME : start + (i + 1) * FRAME]) for i in range(RATE // FRAME)]
        for start in range(0, len(samples) - RATE + 1, RATE)
    ]


def _loud(frame: list[int]) -> bool:
    return math.sqrt(sum(x * x for x in frame) / FRAME) >= MIN_LEVEL


def _mostly(hits: int, frames: list[list[int]]) -> bool:
    return hits >= len(frames) * 0.6


def heard_per_second(
    recording: Path, hz: int, skip_seconds: float = 0.0, dominance: float = 0.5
) -> Heard:
    """Per second: the tone held more than ``dominance`` of most frames' power (a party heard
    alone holds nearly all of it; each of two equally loud parties about half)."""
    return Heard(
        [
            _mostly(sum(_loud(f) and _share_at(f, hz) > dominance for f in frames), frames)
            for frames in _seconds(recording, skip_seconds)
        ]
    )


def what_was_heard(recording: Path, skip_seconds: float = 0.0) -> str:
    """Per second, what filled most of it: a party's letter (c caller, a agent, u customer,
    b second agent) when that tone dominated, ``.`` silence, ``~`` any other sound (music, a
    prompt, voices mixed). A failed ear check shows it, so a CI log tells one-way audio from
    music on hold or a call that was not yet connected."""
    letters = []
    for frames in _seconds(recording, skip_seconds):
        counts: dict[str, int] = {}
        for frame in frames:
            kind = "."
            if _loud(frame):
                kind = next(
                    (c for hz, c in PARTY_LETTERS.items() if _share_at(frame, hz) > 0.5), "~"
                )
            counts[kind] = counts.get(kind, 0) + 1
        kind, hits = max(counts.items(), key=lambda item: item[1])
        letters.append(kind if _mostly(hits, frames) else "~")
    return "".join(letters)


# The first second of an ear starts as the phone answers: ehd is still connecting the call
# (stopping what the caller heard, bridging) and, on a loaded machine, may take most of it.
# It is not judged; a call that never connects, or connects one way, still fails every second
# after it.
SETTLE_SECONDS = 1.0


def assert_hears(
    recording: Path,
    hz: int,
    who: str,
    min_share: float = 0.9,
    settle: float = SETTLE_SECONDS,
    dominance: float = 0.5,
) -> Heard:
    heard = heard_per_second(recording, hz, skip_seconds=settle, dominance=dominance)
    assert heard.seconds, f"{who}: nothing was recorded"
    assert heard.share >= min_share, (
        f"{who} in {heard.share:.0%} of {len(heard.seconds)} s (need {min_share:.0%}): "
        f"{heard.timeline()}; heard per second: {what_was_heard(recording, settle)}"
    )
    return heard


def assert_does_not_hear(
    recording: Path,
    hz: int,
    who: str,
    max_share: float = 0.1,
    settle: float = SETTLE_SECONDS,
    dominance: float = 0.5,
) -> Heard:
    """The other party's tone is absent: on hold neither side may hear the other. Where the
    tone could hide among other voices, a lower ``dominance`` finds it there too."""
    heard = heard_per_second(recording, hz, skip_seconds=settle, dominance=dominance)
    assert heard.seconds, f"{who}: nothing was recorded"
    assert heard.share <= max_share, (
        f"{who} in {heard.share:.0%} of {len(heard.seconds)} s (allowed {max_share:.0%}): "
        f"{heard.timeline()}; heard per second: {what_was_heard(recording, settle)}"
    )
    return heard


def sounding_per_second(recording: Path, skip_seconds: float = SETTLE_SECONDS) -> Heard:
    """Per second: most of it was above silence (music, a prompt, a voice)."""
    return Heard(
        [
            _mostly(sum(_loud(frame) for frame in frames), frames)
            for frames in _seconds(recording, skip_seconds)
        ]
    )
