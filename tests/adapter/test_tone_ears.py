"""The ear checks themselves, on WAVs made with sox: they must tell a party's tone from
silence, from another party and from a mix, or every scenario's ear check proves nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.harness.tones import (
    AGENT_HZ,
    CUSTOMER_HZ,
    heard_per_second,
    what_was_heard,
)


def _wav(folder: Path, name: str, *parts: list[str]) -> Path:
    """Seconds of sound one after the other: each part is a sox ``synth`` argument list."""
    pieces = []
    for index, synth in enumerate(parts):
        piece = folder / f"{name}-{index}.wav"
        subprocess.run(
            ["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(piece), "synth", *synth],
            check=True,
        )
        pieces.append(str(piece))
    path = folder / f"{name}.wav"
    subprocess.run(["sox", *pieces, str(path)], check=True)
    return path


def test_each_second_is_named_by_what_filled_it(tmp_path: Path) -> None:
    silence = ["1", "sine", "100", "vol", "0"]
    agent = ["2", "sine", str(AGENT_HZ), "vol", "0.4"]
    customer = ["1", "sine", str(CUSTOMER_HZ), "vol", "0.4"]
    both = ["1", "sine", str(AGENT_HZ), "sine", str(CUSTOMER_HZ), "remix", "-", "vol", "0.4"]
    noise = ["1", "whitenoise", "vol", "0.4"]
    wav = _wav(tmp_path, "ear", silence, agent, customer, both, noise)

    assert what_was_heard(wav) == ".aau~~"
    assert heard_per_second(wav, AGENT_HZ).timeline() == ".##..."
    # two voices at once each hold about half: found with a lower dominance only
    assert heard_per_second(wav, AGENT_HZ, dominance=0.25).timeline() == ".##.#."
