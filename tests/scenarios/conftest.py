"""What every scenario on the worker's shared ehd leaves behind: nothing.

Each xdist worker runs one ehd (``ehd_server``) with one carrier and one phone farm for all its
scenario files. A test that fails half-way used to leave alice logged in on a call that never
ended, and every later test of that worker then waited in vain for her phone to ring. The
carrier and farm fixtures hang up their calls when a test ends; this one then logs the demo
agents out and waits until ehd has closed every call it still had open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from pathlib import Path

import pytest

from tests.harness.api import Api
from tests.harness.ehd_process import EhdProcess
from tests.harness.polling import eventually
from tests.harness.records import call_records


@pytest.fixture(autouse=True)
async def _shared_floor_left_idle(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "ehd_server" not in request.fixturenames:
        return
    server: EhdProcess = request.getfixturevalue("ehd_server")
    if server.process is None or server.process.poll() is not None:
        return  # the test stopped it; the next one that needs it fails on its own
    api = await Api.admin(server)
    try:
        for account in server.demo_site().accounts:
            if account.role == "agent":
                await api.call("POST", f"/api/agents/{account.username}/logout")
    finally:
        await api.close()

    async def all_calls_closed() -> bool:
        return not _open_calls(server)

    try:
        await eventually(all_calls_closed, timeout=15, what="ehd's calls closed")
    except AssertionError as err:
        raise AssertionError(f"{err}; still open: {_open_calls(server)}") from None


def _open_calls(server: EhdProcess) -> list[str]:
    return [str(row["call_id"]) for row in call_records(server.database) if not row["ended_at"]]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed scenario's report carries the end of each ehd's log and queue_log (the
    worker's shared ehd, or those the test started under its tmp_path): CI keeps nothing
    else, and a timing failure is only understood from what ehd did meanwhile."""
    report = yield
    if report.when == "call" and report.failed:
        for name, path in _ehd_logs(item):
            lines = path.read_text(errors="replace").splitlines()[-_LOG_LINES:]
            report.sections.append((f"{name} (last {len(lines)} lines)", "\n".join(lines)))
    return report


_LOG_LINES = 60


def _ehd_logs(item: pytest.Item) -> list[tuple[str, Path]]:
    funcargs = getattr(item, "funcargs", {})
    folders = [server.data_dir for server in funcargs.values() if isinstance(server, EhdProcess)]
    tmp_path = funcargs.get("tmp_path")
    if isinstance(tmp_path, Path):
        folders += [log.parent.parent for log in tmp_path.glob("**/logs/queue_log")]
    found = []
    for folder in dict.fromkeys(folders):
        logs = folder / "logs"
        for path in [*sorted(logs.glob("ehd-run*.log")), logs / "queue_log"]:
            if path.exists():
                found.append((str(path.relative_to(folder.parent)), path))
    return found
