"""Audio checks with sox: is a recording non-silent, and does it contain a given prompt?

``contains_prompt`` compares loudness envelopes (RMS per 20 ms) of the prompt and the recording
at every lag and returns the best Pearson correlation, so a test can tell the greeting apart
from music on hold, a different prompt or silence, whatever codec carried it.
"""

from __future__ import annotations

import array
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

FRAME = 160  # 20 ms at 8 kHz


@dataclass(frozen=True)
class SoxStat:
    seconds: float
    rms_amplitude: float
    max_amplitude: float


def sox_stat(path: Path) -> SoxStat:
    result = subprocess.run(
        ["sox", "--ignore-length", str(path), "-n", "stat"],
        capture_output=True,
        text=True,
        check=True,
    )
    values = {}
    for line in result.stderr.splitlines():
        match = re.match(r"^(.+?):\s+(-?[\d.]+)", line)
        if match:
            values[match.group(1).strip()] = float(match.group(2))
    return SoxStat(
        values["Length (seconds)"], values["RMS     amplitude"], values["Maximum amplitude"]
    )


def _samples(path: Path) -> array.array[int]:
    raw = subprocess.run(
        [
            "sox",
            "--ignore-length",
            str(path),
            "-t",
            "raw",
            "-r",
            "8000",
            "-c",
            "1",
            "-b",
            "16",
            "-e",
            "signed-integer",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    samples = array.array("h")
    samples.frombytes(raw[: len(raw) - len(raw) % 2])
    return samples


def envelope(path: Path) -> list[float]:
    samples = _samples(path)
    frames = len(samples) // FRAME
    return [
        math.sqrt(sum(s * s for s in samples[i * FRAME : (i + 1) * FRAME]) / FRAME)
        for i in range(frames)
    ]


def _pearson(a: list[float], b: list[float]) -> float:
    n = len(a)
    mean_a, mean_b = sum(a) / n, sum(b) / n
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(a, b, strict=True))
    var_a = sum((x - mean_a) ** 2 for x in a)
    var_b = sum((y - mean_b) ** 2 for y in b)
    if var_a == 0 or var_b == 0:
        return 0.0
    return cov / math.sqrt(var_a * var_b)


def contains_prompt(
    recording: Path, prompt: Path, max_lag_seconds: float = 3.0, min_overlap: float = 0.85
) -> tuple[float, float]:
    """(best correlation, lag in seconds) of the prompt's envelope within the recording.

    A negative lag means the recording started after the prompt did; at least ``min_overlap``
    of the prompt must be in the recording to count.
    """
    rec, ref = envelope(recording), envelope(prompt)
    need = max(1, int(len(ref) * min_overlap))
    best, best_lag = 0.0, 0
    max_lag = int(max_lag_seconds * 50)
    for lag in range(-(len(ref) - need), max_lag + 1):
        ref_start = max(0, -lag)
        rec_start = max(0, lag)
        length = min(len(ref) - ref_start, len(rec) - rec_start)
        if length < need:
            continue
        score = _pearson(rec[rec_start : rec_start + length], ref[ref_start : ref_start + length])
        if score > best:
            best, best_lag = score, lag
    return best, best_lag * FRAME / 8000


def rms_after(path: Path, start_seconds: float) -> float:
    """RMS amplitude (0..1) of the audio after ``start_seconds``."""
    result = subprocess.run(
        ["sox", "--ignore-length", str(path), "-n", "trim", f"{start_seconds:.2f}", "stat"],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"RMS\s+amplitude:\s+([\d.]+)", result.stderr)
    return float(match.group(1)) if match else 0.0


def sine_file(path: Path, fmt: str) -> bytes:
    """One second of 440 Hz in the given sox format (wav, gsm, au…); its bytes."""
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", "-t", fmt, str(path), "synth", "1", "sine", "440"],
        check=True,
    )
    return path.read_bytes()
