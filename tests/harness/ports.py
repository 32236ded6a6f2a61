"""Ports for the Asterisks and ehds a test run starts, disjoint between parallel workers.

Each pytest-xdist worker gets its own slab below the kernel's ephemeral range. RTP needs a
whole range that Asterisk binds later, so it gets blocks of the slab in turn. The SIP, ARI
and web ports of a server that binds them seconds later (``service_ports``) come from the
slab's end too: a port the kernel picked (``free_ports``, a bind to port 0) lies in the
ephemeral range, where any outgoing socket of the run may take it in the meantime (an ehd
once found its SIP port taken while its demo site was being made). A block or port is
reused only after every other one of the slab, long after the instance that held it has
stopped.
"""

from __future__ import annotations

import itertools
import os
import socket

FIRST_PORT = 10000
LAST_PORT = 32000  # Linux's ephemeral range starts at 32768
BLOCK = 100
MAX_WORKERS = 8


def worker_index() -> int:
    """0 for a serial run, N for pytest-xdist's worker ``gwN``."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw")) % MAX_WORKERS


_SLAB = (LAST_PORT - FIRST_PORT) // MAX_WORKERS
SERVICE_PORTS = 750  # at the end of each slab
_BLOCKS_PER_SLAB = (_SLAB - SERVICE_PORTS) // BLOCK
_next_block = itertools.cycle(range(_BLOCKS_PER_SLAB))
_next_service_port = itertools.cycle(range(SERVICE_PORTS))


def rtp_range(size: int) -> tuple[int, int]:
    """(start, end) of an RTP range of ``size`` ports that no other instance of the run holds."""
    if size > BLOCK:
        raise ValueError(f"an RTP range is at most {BLOCK} ports")
    start = FIRST_PORT + worker_index() * _SLAB + next(_next_block) * BLOCK
    return start, start + size - 1


def _free(port: int, host: str = "127.0.0.1") -> bool:
    """Nothing holds ``port`` for TCP or UDP right now."""
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                return False
    return True


def service_ports(count: int) -> list[int]:
    """``count`` ports of this worker's slab, free for TCP and UDP now, for a server that
    binds them later."""
    end_of_slab = FIRST_PORT + (worker_index() + 1) * _SLAB
    found: list[int] = []
    for _ in range(SERVICE_PORTS):
        port = end_of_slab - SERVICE_PORTS + next(_next_service_port)
        if port not in found and _free(port):
            found.append(port)
            if len(found) == count:
                return found
    raise RuntimeError(f"no {count} free ports left in worker {worker_index()}'s slab")
