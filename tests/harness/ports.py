"""Media port ranges for the Asterisks a test run starts, disjoint between parallel workers.

SIP, ARI and web ports come from the kernel (``free_ports``: a bind to port 0), which picks them
in the ephemeral range. RTP needs a whole range that Asterisk binds later, so it cannot be asked
for that way; each pytest-xdist worker gets its own slab below the ephemeral range and hands out
blocks from it in turn. A block is reused only after every other block of the slab, long after
the instance that held it has stopped.
"""

from __future__ import annotations

import itertools
import os

FIRST_PORT = 10000
LAST_PORT = 32000  # Linux's ephemeral range starts at 32768
BLOCK = 100
MAX_WORKERS = 8


def worker_index() -> int:
    """0 for a serial run, N for pytest-xdist's worker ``gwN``."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw")) % MAX_WORKERS


_SLAB = (LAST_PORT - FIRST_PORT) // MAX_WORKERS
_BLOCKS_PER_SLAB = _SLAB // BLOCK
_next_block = itertools.cycle(range(_BLOCKS_PER_SLAB))


def rtp_range(size: int) -> tuple[int, int]:
    """(start, end) of an RTP range of ``size`` ports that no other instance of the run holds."""
    if size > BLOCK:
        raise ValueError(f"an RTP range is at most {BLOCK} ports")
    start = FIRST_PORT + worker_index() * _SLAB + next(_next_block) * BLOCK
    return start, start + size - 1
