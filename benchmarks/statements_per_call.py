"""The SQL statements and ARI requests ehd makes per queue call, by kind.

CPU per call moves by a tenth from one run to the next on a shared machine; these counts do
not, so a change that removes work from the call path shows here even when the CPU figures
cannot tell it from noise. Runs ehd with DEBUG logging (tortoise logs every statement) on
the same floor as queue_vs_app_queue.py, places --calls callers at a low rate into ehd's queue
(each answered by one of the 20 SIPp agents, talking 1 s), lets the batched writes settle, and
counts what ehd logged meanwhile, divided by the calls served.

Run: .venv/bin/python benchmarks/statements_per_call.py [--calls 20]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.queue_vs_app_queue import bench_floor  # noqa: E402

RATE = 2.0  # calls per second: low enough that nothing waits, so every call takes one path
SETTLE_SECONDS = 3.0  # the queue_log rows are stored in batches after 0.2 s
STATEMENT = re.compile(r"tortoise\.db_client: (?P<sql>.*)")
ARI_REQUEST = re.compile(r"ehd\.ari\.client: (?P<method>[A-Z]+) (?P<path>\S+)")


def kind_of(sql: str) -> str:
    """``SELECT call_records``, ``UPDATE agent_sessions``, ``BEGIN`` …: the verb and the
    first table named."""
    verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql, re.IGNORECASE)
    return f"{verb} {table.group(1)}" if table else verb


def ari_kind_of(path: str) -> str:
    """``channels/{id}/moh`` for ``channels/ehd-1.2/moh``: the resource, not the ids."""
    parts = path.split("?")[0].strip("/").split("/")
    return "/".join(part if i % 2 == 0 else "{id}" for i, part in enumerate(parts))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    async with bench_floor({"EHD_LOG_LEVEL": "DEBUG"}) as (bench, _):
        log = bench.server.log_file
        start = log.stat().st_size
        step = await bench.step("ehd", RATE, args.calls / RATE)
        await asyncio.sleep(SETTLE_SECONDS)
        with log.open("rb") as file:
            file.seek(start)
            lines = file.read().decode(errors="replace").splitlines()
    statements = Counter(
        kind_of(found["sql"]) for line in lines if (found := STATEMENT.search(line))
    )
    requests = Counter(
        f"{found['method']} {ari_kind_of(found['path'])}"
        for line in lines
        if (found := ARI_REQUEST.search(line))
    )
    served = max(1, step.served)
    print(f"{step.served} of {step.offered} calls served at {RATE:g}/s\n")
    for title, counts in (("SQL statement", statements), ("ARI request", requests)):
        print(f"| {title} | per call |\n| --- | --- |")
        for kind, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            print(f"| {kind} | {count / served:.1f} |")
        print(f"| all | {sum(counts.values()) / served:.1f} |\n")


if __name__ == "__main__":
    asyncio.run(main())
