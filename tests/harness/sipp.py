"""SIPp (Debian's sip-tester) as callers and agents' phones, for load.

SIPp is a C program that keeps thousands of calls with RTP for little CPU, so the load
generator no longer competes with the Asterisk and ehd it measures the way a second and third
Asterisk did. The scenarios live in ``tests/sipp/``; their at-signed names (the tone file,
times) are filled in here. Each run writes SIPp's statistics file, from which the outcome is read:
calls that succeeded or failed, and the scenario's own counters.
"""

from __future__ import annotations

import asyncio
import csv
import os
import resource
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.harness.tones import AGENT_HZ, CALLER_HZ

SCENARIOS = Path(__file__).resolve().parent.parent / "sipp"


def sipp_binary() -> str:
    found = shutil.which("sipp")
    if found is None:
        raise SystemExit("sipp is missing: apt-get install sip-tester")
    return found


def tone(folder: Path, name: str, hertz: int) -> Path:
    """A second of one sine tone as raw mu-law at 8 kHz, what rtp_stream sends with payload 0."""
    path = folder / f"{name}.ulaw"
    if path.exists():
        return path
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", "-e", "u-law", "-t", "raw", str(path)]
        + ["synth", "1", "sine", str(hertz), "vol", "0.3"],
        check=True,
    )
    return path


def render(scenario: str, folder: Path, values: dict[str, object]) -> Path:
    """The scenario with each ``@NAME@`` replaced by ``values["NAME"]``, written into ``folder``."""
    text = (SCENARIOS / scenario).read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", str(value))
    if "@" in text.replace("@[", ""):
        raise ValueError(f"{scenario}: a name is left unfilled")
    path = folder / scenario
    path.write_text(text)
    return path


@dataclass
class SippOutcome:
    """The last line of SIPp's statistics: cumulative counts over the whole run."""

    successful: int = 0
    failed: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    cpu_seconds: float = 0.0

    def counter(self, name: str) -> int:
        return self.counters.get(name, 0)


def read_statistics(path: Path) -> SippOutcome:
    if not path.exists():
        return SippOutcome()
    rows = list(csv.reader(path.read_text().splitlines(), delimiter=";"))
    if len(rows) < 2:
        return SippOutcome()
    header, last = rows[0], rows[-1]
    values = dict(zip(header, last, strict=False))

    def number(name: str) -> int:
        try:
            return int(values.get(name, "0") or 0)
        except ValueError:
            return 0

    counters = {
        name.removesuffix("(C)"): number(name)
        for name in header
        if name.endswith("(C)") and not name.startswith(("Call", "Successful", "Failed"))
    }
    return SippOutcome(number("SuccessfulCall(C)"), number("FailedCall(C)"), counters)


@dataclass
class Sipp:
    """One SIPp process: a scenario against ehd's Asterisk from a local SIP and media port."""

    folder: Path
    scenario: Path
    local_port: int
    media_port: int
    target: str  # host:port of ehd's Asterisk
    extra: tuple[str, ...] = ()
    process: asyncio.subprocess.Process | None = None

    @property
    def statistics(self) -> Path:
        return self.folder / f"{self.scenario.stem}-{self.local_port}-stats.csv"

    async def start(self) -> None:
        self.statistics.unlink(missing_ok=True)
        command = [
            sipp_binary(),
            self.target,
            "-sf",
            str(self.scenario),
            "-i",
            "127.0.0.1",
            "-mi",
            "127.0.0.1",
            "-p",
            str(self.local_port),
            "-mp",
            str(self.media_port),
            "-nostdin",
            "-trace_stat",
            "-stf",
            str(self.statistics),
            "-fd",
            "1",
            "-trace_err",
            "-error_file",
            str(self.folder / f"{self.scenario.stem}-{self.local_port}-errors.log"),
            *self.extra,
        ]
        self.process = await asyncio.create_subprocess_exec(
            *command,
            cwd=self.folder,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

    async def wait(self, timeout: float) -> SippOutcome:
        """Until SIPp has placed and ended its calls (-m), or ``timeout``; then its outcome.

        Its CPU time is what the reaped children gained meanwhile: one SIPp of this kind runs
        at a time, the long-lived ones (the agents' phones) are reaped only at the end.
        """
        assert self.process is not None
        before = _children_cpu_seconds()
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            await self.stop()
        outcome = read_statistics(self.statistics)
        outcome.cpu_seconds = _children_cpu_seconds() - before
        return outcome

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()

    async def run(self, timeout: float) -> SippOutcome:
        await self.start()
        return await self.wait(timeout)


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a live process (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def phones(
    folder: Path,
    target: str,
    accounts: Sequence[tuple[str, str]],
    ports: tuple[int, int],
    ring_ms: int,
    talk_ms: int,
) -> Sipp:
    """Agents' phones on one SIPp: each account (extension, password) registers from the SIP
    port of ``ports`` (SIP, first RTP), then a SIPp on that port answers every call after
    ``ring_ms``, sends the agent's tone and hangs up after ``talk_ms``. Started; stop it."""
    lines = "".join(
        f"{ext};[authentication username={ext} password={password}]\n" for ext, password in accounts
    )
    injection = folder / f"accounts-{ports[0]}.csv"
    injection.write_text("SEQUENTIAL\n" + lines)
    register = Sipp(
        folder,
        render("agent_registers.xml", folder, {}),
        *ports,
        target,
        ("-inf", str(injection), "-m", str(len(accounts)), "-r", "10", "-aa"),
    )
    outcome = await register.run(timeout=60)
    if outcome.successful != len(accounts):
        raise RuntimeError(f"{outcome.successful} of {len(accounts)} phones registered")
    values = {"RING_MS": ring_ms, "TALK_MS": talk_ms, "TONE": tone(folder, "agent", AGENT_HZ)}
    answering = Sipp(folder, render("agent_answers.xml", folder, values), *ports, target, ("-aa",))
    await answering.start()
    return answering


def callers(
    folder: Path,
    target: str,
    number: str,
    ports: tuple[int, int],
    rate: float,
    count: int,
    patience_ms: int,
) -> Sipp:
    """``count`` callers to ``number``, ``rate`` a second, from ``ports`` (SIP, first RTP),
    each sending the caller's tone and waiting ``patience_ms`` for the far end to hang up."""
    values = {"TONE": tone(folder, "caller", CALLER_HZ), "HOLD_MS": patience_ms}
    return Sipp(
        folder,
        render("caller.xml", folder, values),
        *ports,
        target,
        ("-s", number, "-r", f"{rate:g}", "-m", str(count), "-l", str(count)),
    )
