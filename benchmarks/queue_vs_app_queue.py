"""ehd's queue against Asterisk's app_queue and a bare answer, on one Asterisk, in one run.

Three paths share ehd's Asterisk, the same 20 auto-answering agents and the same caller load,
both SIPp (tests/harness/sipp.py) over real SIP and RTP on loopback, each party sending its own
tone:

  (a) raw:       DID 8100, Answer() and wait: the physical limit of this machine;
  (b) app_queue: DID 8200, Queue(benchq) with the 20 agents as static members;
  (c) ehd:       DID 8300, ehd's ACD with the same 20 agents logged in.

For each path it offers rising call rates and reports the highest rate served without a
failure (every call answered, and for queues connected to an agent) and the CPU time per call
of Asterisk and ehd together (SIPp's own is reported apart). Then, with every agent paused, it
holds --hold callers in each queue on music with periodic announcements and reports how many
stayed to the end and the CPU per caller-second on hold. The report goes to stdout, for
docs/performance.md.

Run: .venv/bin/python benchmarks/queue_vs_app_queue.py [--rates 10,20] [--hold 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ehd.accounts.service import create_user  # noqa: E402
from ehd.asterisk.runtime import select_runtime, setup_runtime  # noqa: E402
from ehd.config import default_cache_dir  # noqa: E402
from ehd.db.lifecycle import close_database, open_database  # noqa: E402
from ehd.db.models import Did, Queue, QueueMember, RouteType, User  # noqa: E402
from tests.harness.api import Api  # noqa: E402
from tests.harness.ehd_process import EhdProcess, endpoint_state, prepare_ehd  # noqa: E402
from tests.harness.polling import eventually  # noqa: E402
from tests.harness.sipp import Sipp, callers, phones, process_cpu_seconds  # noqa: E402

AGENTS = [str(n) for n in range(2001, 2021)]
PATHS = {"raw": "8100", "app_queue": "8200", "ehd": "8300"}
# The hold test's queues announce the caller's position; app_queue rings no agent for a caller
# while it hears one, so the rate steps use queues without announcements.
HOLD_PATHS = {"app_queue": "8201", "ehd": "8301"}
RING_MS = 300
TALK_MS = 1000
# Rate steps: a caller no agent has taken within this time hangs up (and is not served).
QUEUE_PATIENCE_MS = 20_000
ANNOUNCE_SECONDS = 30  # both queues announce the caller's position this often
CALLER_PORT, AGENT_PORT = 5300, 5400
CALLER_MEDIA, AGENT_MEDIA = 40_000, 52_000


@dataclass
class Step:
    rate: float
    offered: int
    served: int
    cpu_seconds: float  # Asterisk and ehd
    asterisk_cpu_seconds: float
    generator_cpu_seconds: float

    @property
    def ok(self) -> bool:
        return self.served >= self.offered


@dataclass
class Hold:
    callers: int
    held: int  # stayed on hold until they hung up themselves
    caller_seconds: float  # time on hold summed over the callers
    cpu_seconds: float
    generator_cpu_seconds: float

    @property
    def lost(self) -> int:  # the queue hung up on them, or never answered
        return self.callers - self.held

    @property
    def cpu_ms_per_caller_second(self) -> float:
        return 1000 * self.cpu_seconds / max(1.0, self.caller_seconds)


def _count(path: Path, event: str, queue: str | None = None) -> int:
    if not path.exists():
        return 0
    return sum(
        1
        for line in path.read_text().splitlines()
        if line.split("|")[4:5] == [event] and (queue is None or line.split("|")[2] == queue)
    )


async def _seed(server: EhdProcess) -> None:
    await open_database(f"sqlite://{server.database}")
    try:
        settings = {"ring_timeout": 15.0, "wrapup_seconds": 0.0, "misses_before_pause": 0}
        queues = [
            (await Queue.get_or_create(name="bench", defaults=settings))[0],
            (
                await Queue.get_or_create(
                    name="bench_hold",
                    defaults={
                        **settings,
                        "announce_frequency": float(ANNOUNCE_SECONDS),
                        "announce_start_delay": 1.0,
                    },
                )
            )[0],
        ]
        for number, queue in zip((PATHS["ehd"], HOLD_PATHS["ehd"]), queues, strict=True):
            await Did.update_or_create(
                number=number, defaults={"route_type": RouteType.QUEUE, "queue": queue}
            )
        for extension in AGENTS:
            user = await User.get_or_none(username=f"agent{extension}")
            if user is None:
                user = await create_user(f"agent{extension}", "bench-pass", sip_extension=extension)
            user.sip_password = f"bench{extension}"
            await user.save()
            for queue in queues:
                await QueueMember.get_or_create(user=user, queue=queue)
    finally:
        await close_database()


class Bench:
    def __init__(self, server: EhdProcess, folder: Path, asterisk_log: Path) -> None:
        self.server = server
        self.folder = folder
        self.asterisk_log = asterisk_log
        self.asterisk_pid = int((server.data_dir / "asterisk/run/ehd-asterisk.pid").read_text())
        assert server.process is not None
        self.ehd_pid = server.process.pid

    def served(self, path: str) -> int:
        if path == "raw":
            return _count(self.asterisk_log, "RAWANSWER")
        if path == "app_queue":
            return _count(self.asterisk_log, "CONNECT", "benchq")
        return _count(self.server.data_dir / "logs" / "queue_log", "CONNECT", "bench")

    def cpu(self) -> float:
        return process_cpu_seconds(self.asterisk_pid) + process_cpu_seconds(self.ehd_pid)

    def asterisk_cpu(self) -> float:
        return process_cpu_seconds(self.asterisk_pid)

    def callers(self, number: str, rate: float, count: int, patience_ms: int) -> Sipp:
        target = f"127.0.0.1:{self.server.sip_port}"
        ports = (CALLER_PORT, CALLER_MEDIA)
        return callers(self.folder, target, number, ports, rate, count, patience_ms)

    async def step(self, path: str, rate: float, seconds: float) -> Step:
        before = self.served(path)
        cpu_before, asterisk_before = self.cpu(), self.asterisk_cpu()
        offered = int(rate * seconds)
        patience = 1000 if path == "raw" else QUEUE_PATIENCE_MS
        outcome = await self.callers(PATHS[path], rate, offered, patience).run(
            timeout=seconds + patience / 1000 + 60
        )
        served = self.served(path) - before
        return Step(
            rate,
            offered,
            served,
            self.cpu() - cpu_before,
            self.asterisk_cpu() - asterisk_before,
            outcome.cpu_seconds,
        )

    async def hold(self, path: str, callers: int, rate: float) -> Hold:
        """Place ``callers`` with no agent available, each staying until all have joined and
        ``ANNOUNCE_SECONDS`` plus 10 s longer (so every one hears music and an announcement)."""
        patience_ms = int(1000 * (callers / rate + ANNOUNCE_SECONDS + 10))
        cpu_before = self.cpu()
        outcome = await self.callers(HOLD_PATHS[path], rate, callers, patience_ms).run(
            timeout=patience_ms / 1000 + callers / rate + 60
        )
        held = outcome.counter("hung_up_by_caller")
        return Hold(
            callers,
            held,
            held * patience_ms / 1000,
            self.cpu() - cpu_before,
            outcome.cpu_seconds,
        )


@asynccontextmanager
async def bench_floor(env: dict[str, str] | None = None) -> AsyncIterator[tuple[Bench, Api]]:
    """ehd with app_queue loaded, the bench queues seeded and the 20 agents' SIPp phones
    registered and logged in to both ehd queues; ``env`` adds to ehd's environment."""
    runtime = select_runtime("auto", default_cache_dir() / "asterisk-root")
    setup_runtime(runtime)
    work = Path(tempfile.mkdtemp(prefix="ehd-bench-"))
    server = prepare_ehd(work / "ehd")
    server.env["EHD_ASTERISK_OVERRIDES"] = str(HERE / "asterisk")
    server.env["EHD_ASTERISK_EXTRA_MODULES"] = "app_queue.so"
    server.env["EHD_RTP_START"], server.env["EHD_RTP_END"] = "20000", "30000"
    server.env.update(env or {})
    await _seed(server)
    await asyncio.to_thread(server.start)
    api = await Api.admin(server)
    farm: Sipp | None = None
    try:
        accounts = [(ext, f"bench{ext}") for ext in AGENTS]
        target = f"127.0.0.1:{server.sip_port}"
        farm = await phones(work, target, accounts, (AGENT_PORT, AGENT_MEDIA), RING_MS, TALK_MS)
        for extension in AGENTS:

            async def online(ext: str = extension) -> bool:
                return await endpoint_state(server, ext) == "online"

            await eventually(online, timeout=30, what=f"agent phone {extension} registered")
            await api.call(
                "POST", f"/api/agents/agent{extension}/login", {"queues": ["bench", "bench_hold"]}
            )
        yield Bench(server, work, server.data_dir / "asterisk/log/queue_log"), api
    finally:
        if farm is not None:
            await farm.stop()
        await api.close()
        await asyncio.to_thread(server.stop)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="10,20,30,40", help="calls per second to offer")
    parser.add_argument("--step-seconds", type=float, default=8.0)
    parser.add_argument("--paths", default=",".join(PATHS), help="which of raw,app_queue,ehd")
    parser.add_argument("--hold", type=int, default=1000, help="callers to hold on music")
    parser.add_argument("--hold-rate", type=float, default=50.0, help="held callers per second")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]

    results: dict[str, list[Step]] = {}
    holds: dict[str, Hold] = {}
    latencies: list[float] = []
    async with bench_floor() as (bench, api):
        for path in args.paths.split(","):
            results[path] = []
            for rate in rates:
                step = await bench.step(path, rate, args.step_seconds)
                results[path].append(step)
                print(
                    f"{path:10} {rate:5.1f}/s offered {step.offered:4} served "
                    f"{step.served:4} cpu/call {step.cpu_seconds / max(1, step.served):.4f}s "
                    f"(Asterisk {step.asterisk_cpu_seconds / max(1, step.served):.4f}s) "
                    f"(generator {step.generator_cpu_seconds / max(1, step.offered):.4f}s)",
                    flush=True,
                )
                if not step.ok:
                    break
        metrics = await api.call("GET", "/api/queues/metrics")
        latencies = sorted(metrics["ready_to_originate_ms"])
        # Hold capacity: every agent paused in both queues, then callers pile up on music.
        for extension in AGENTS:
            await api.call("POST", f"/api/agents/agent{extension}/pause", {"reason": "break"})
            await asyncio.to_thread(
                bench.server.ehd,
                "asterisk",
                "cli",
                "queue",
                "pause",
                "member",
                f"PJSIP/{extension}",
            )
        for path in HOLD_PATHS if args.hold else ():
            hold = holds[path] = await bench.hold(path, args.hold, args.hold_rate)
            print(
                f"{path} held {hold.held} of {hold.callers} callers, lost {hold.lost}, "
                f"{hold.cpu_ms_per_caller_second:.2f} ms CPU per caller-second "
                f"(generator {hold.generator_cpu_seconds:.1f} s)",
                flush=True,
            )
    print(_report(results, holds, latencies, args))


def _best(steps: list[Step]) -> Step | None:
    good = [step for step in steps if step.ok]
    return good[-1] if good else None


def _per_call(step: Step, asterisk: bool = False) -> float:
    return (step.asterisk_cpu_seconds if asterisk else step.cpu_seconds) / max(1, step.served)


def _percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))]


def _report(
    results: dict[str, list[Step]],
    holds: dict[str, Hold],
    latencies: list[float],
    args: argparse.Namespace,
) -> str:
    lines = [
        f"Rates {args.rates} calls/s for {args.step_seconds:g} s each; {len(AGENTS)} agents "
        f"ringing {RING_MS} ms and talking {TALK_MS} ms; {os.cpu_count()} cores.",
        "",
        "| path | highest rate with no failure (calls/s) | CPU per call (ms) "
        "| of which Asterisk (ms) | SIPp CPU per call (ms) |",
        "| --- | --- | --- | --- | --- |",
    ]
    best = {path: _best(steps) for path, steps in results.items()}
    for path, step in best.items():
        if step is None:
            lines.append(f"| {path} | none of the rates | | | |")
        else:
            lines.append(
                f"| {path} | {step.rate:g} | {1000 * step.cpu_seconds / max(1, step.served):.1f} "
                f"| {1000 * step.asterisk_cpu_seconds / max(1, step.served):.1f} "
                f"| {1000 * step.generator_cpu_seconds / max(1, step.offered):.1f} |"
            )
    lines.append("")
    for name in ("app_queue", "raw"):
        ours, theirs = best.get("ehd"), best.get(name)
        if ours and theirs:
            lines.append(f"- ehd / {name}: highest sustained rate {ours.rate / theirs.rate:.2f}")
        # CPU per call grows with the rate (queues hold more callers), so it is compared at
        # the highest rate both served in full.
        both = [
            (mine, other)
            for mine in results.get("ehd", [])
            for other in results.get(name, [])
            if mine.rate == other.rate and mine.ok and other.ok
        ]
        if both:
            mine, other = both[-1]
            lines.append(
                f"- ehd / {name}: CPU per call at {mine.rate:g}/s "
                f"{_per_call(mine) / _per_call(other):.2f} (Asterisk alone "
                f"{_per_call(mine, asterisk=True) / _per_call(other, asterisk=True):.2f})"
            )
    for path, steps in results.items():
        for step in steps:
            if not step.ok:
                lines.append(f"- {path} at {step.rate:g}/s served {step.served} of {step.offered}.")
    if holds:
        lines += [
            "",
            f"Hold: {args.hold} callers placed {args.hold_rate:g} a second with every agent "
            f"paused, each staying until all had joined and {ANNOUNCE_SECONDS + 10} s more "
            f"(music, and the position announced every {ANNOUNCE_SECONDS} s).",
            "",
            "| queue | held to the end | lost | CPU per caller-second on hold (ms) |",
            "| --- | --- | --- | --- |",
        ]
        for path, hold in holds.items():
            lines.append(
                f"| {path} | {hold.held} | {hold.lost} | {hold.cpu_ms_per_caller_second:.2f} |"
            )
        if "ehd" in holds and "app_queue" in holds:
            ratio = holds["ehd"].cpu_ms_per_caller_second / max(
                1e-9, holds["app_queue"].cpu_ms_per_caller_second
            )
            lines.append(f"\n- ehd / app_queue CPU per held caller: {ratio:.2f}")
    if latencies:
        lines.append(
            f"- ehd agent-ready to originate: p50 {_percentile(latencies, 0.5):.1f} ms, "
            f"p99 {_percentile(latencies, 0.99):.1f} ms over {len(latencies)} offers."
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    asyncio.run(main())
