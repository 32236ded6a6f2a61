"""The Kamailio config ehd renders is one Debian's Kamailio accepts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ehd.kamailio.files import ProxySpec, write_config
from tests.harness.kamailio import kamailio_binary


async def test_kamailio_accepts_the_rendered_config(tmp_path: Path) -> None:
    binary = kamailio_binary()
    spec = ProxySpec(tmp_path, "127.0.0.1", 5070, ("127.0.0.1:5061", "127.0.0.1:5062"),
                     ("127.0.0.1", "192.0.2.10"))  # fmt: skip
    write_config(spec)
    check = await asyncio.create_subprocess_exec(
        binary, "-c", "-f", str(spec.config_file),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await check.communicate()
    assert check.returncode == 0, output.decode(errors="replace")[-3000:]
