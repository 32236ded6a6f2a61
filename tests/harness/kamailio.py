"""Run Debian's Kamailio on the config an ehd rendered (``data_dir/kamailio``)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from ehd.kamailio.files import ProxySpec


def kamailio_binary() -> str:
    """Debian's kamailio (in /usr/sbin, which a user's PATH may lack); fails the test if absent."""
    binary = shutil.which("kamailio") or shutil.which("kamailio", path="/usr/sbin")
    if binary is None:
        pytest.fail("kamailio is not installed (make setup-test installs it)")
    return binary


@asynccontextmanager
async def running_kamailio(spec: ProxySpec) -> AsyncIterator[Path]:
    """Kamailio in the foreground on ``spec``'s config, until the block ends; its log."""
    binary = kamailio_binary()
    run_dir = spec.folder / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    log = spec.folder / "kamailio.log"
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            binary, "-f", str(spec.config_file), "-DD", "-E", "-m", "32", "-M", "4",
            "-Y", str(run_dir), "-w", str(run_dir),
            stdout=out, stderr=out,
        )  # fmt: skip
    try:
        await asyncio.sleep(0.5)
        if process.returncode is not None:
            pytest.fail(f"kamailio exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        yield log
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
