"""Schemathesis fuzzes the REST API from its own OpenAPI document: whatever it sends, the
server never answers with a server error, and answers match the document's status codes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role
from ehd.platform import create_platform_app

VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"


async def test_schemathesis_finds_no_server_errors(tmp_path: Path) -> None:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    async with TestServer(app, host="127.0.0.1") as server:
        await create_user("root", "root-pass", role=Role.ADMIN)
        origin = f"http://127.0.0.1:{server.port}"
        process = await asyncio.create_subprocess_exec(
            str(VENV_BIN / "st"), "run", f"{origin}/RestAPI/v1/openapi.json",
            "--url", origin, "--auth", "root:root-pass",
            "--checks", "not_a_server_error,status_code_conformance",
            "--max-examples", "10", "--seed", "20261123", "--workers", "2",
            "--phases", "coverage,fuzzing", "--generation-allow-x00", "false",
            "--max-time", "150",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1"},
        )  # fmt: skip
        output, _ = await process.communicate()
    report = output.decode(errors="replace")
    assert process.returncode == 0, report[-6000:]
    assert " passed" in report and "failures" not in report, report[-3000:]
