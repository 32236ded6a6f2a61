"""`ehd run` as an operator meets it: clear start-up errors, clean stops, and recovery."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ehd.asterisk.instance import TEMPLATE_DIR, AsteriskInstance, InstanceSpec, free_ports
from ehd.asterisk.runtime import AsteriskRuntime
from ehd.errors import AsteriskError
from tests.harness.carrier import connected_carrier, start_carrier
from tests.harness.ehd_process import EhdProcess, prepare_ehd
from tests.harness.polling import eventually
from tests.harness.ports import rtp_range
from tests.harness.records import call_records, closed_call_record

pytestmark = pytest.mark.asterisk


@pytest.fixture
def own_ehd(tmp_path: Path, asterisk_runtime: AsteriskRuntime) -> Iterator[EhdProcess]:
    """An ehd of this test's own, which the test may kill."""
    server = prepare_ehd(tmp_path / "ehd")
    yield server
    server.stop(signal.SIGTERM)
    pid = _asterisk_pid(server)
    if pid:  # the test killed ehd and never restarted it
        os.kill(pid, signal.SIGKILL)


def _asterisk_pid(server: EhdProcess) -> int | None:
    pid_file = server.data_dir / "asterisk" / "run" / "ehd-asterisk.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def _run_ehd(server: EhdProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ehd", *args],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_busy_web_port_is_named(own_ehd: EhdProcess) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", own_ehd.web_port))
        busy.listen()
        result = _run_ehd(own_ehd, "run")
    assert result.returncode == 1
    assert f"web port {own_ehd.web_port}/TCP" in result.stderr


def test_a_busy_sip_port_is_named(own_ehd: EhdProcess) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", own_ehd.sip_port))
        result = _run_ehd(own_ehd, "run")
    assert result.returncode == 1
    assert f"SIP port {own_ehd.sip_port}/UDP" in result.stderr


async def test_an_asterisk_that_cannot_start_shows_its_log(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    broken = tmp_path / "broken-templates"
    broken.mkdir()
    (broken / "modules.conf.j2").write_text(
        "[modules]\nautoload = no\nrequire = res_ehd_missing.so\n"
    )
    sip, ari = free_ports(2)
    rtp_start, rtp_end = rtp_range(11)
    spec = InstanceSpec(
        name="broken",
        folder=tmp_path / "ast",
        bind_host="127.0.0.1",
        sip_port=sip,
        ari_port=ari,
        rtp_start=rtp_start,
        rtp_end=rtp_end,
        ari_user="x",
        ari_password="y",
        stasis_app="x",
        template_dirs=(TEMPLATE_DIR, broken),
        dialplan_dir=None,
        extra={"trunk_ips": ("127.0.0.1",), "trunk_outbound_uri": ""},
    )
    with pytest.raises(AsteriskError) as failure:
        await AsteriskInstance(spec, asterisk_runtime).start(timeout=30)
    assert "res_ehd_missing" in failure.value.message
    assert "last lines of" in failure.value.message


def test_sigterm_stops_everything_including_asterisk(own_ehd: EhdProcess) -> None:
    own_ehd.start()
    pid = _asterisk_pid(own_ehd)
    assert pid is not None
    assert own_ehd.stop(signal.SIGTERM) == 0
    assert _asterisk_pid(own_ehd) is None
    assert "Asterisk stopped" in own_ehd.log_tail()


async def test_killed_ehd_adopts_the_call_still_on_hold(
    own_ehd: EhdProcess, tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    await asyncio.to_thread(own_ehd.start)
    carrier_instance = await start_carrier(tmp_path / "carrier", asterisk_runtime, own_ehd.sip_port)
    try:
        async with connected_carrier(carrier_instance) as carrier:
            call = await carrier.call("4600", caller="+46705550001")
            await call.wait_answered()
            await asyncio.sleep(1)
            asterisk_pid = _asterisk_pid(own_ehd)
            await asyncio.to_thread(own_ehd.stop, signal.SIGKILL)
            assert _asterisk_pid(own_ehd) == asterisk_pid, "Asterisk died with ehd"

            await asyncio.to_thread(own_ehd.start)
            assert "adopted the running Asterisk" in own_ehd.log_tail()
            assert _asterisk_pid(own_ehd) == asterisk_pid
            record = call_records(own_ehd.database, caller_number="+46705550001")[0]
            assert record["ended_at"] is None, "the live call was closed on restart"

            await call.hangup()

            await closed_call_record(own_ehd.database, "+46705550001")
    finally:
        await carrier_instance.stop()


async def test_a_crashed_asterisk_is_started_again(
    own_ehd: EhdProcess, tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    await asyncio.to_thread(own_ehd.start)
    old_pid = _asterisk_pid(own_ehd)
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)

    async def healthy_again() -> bool:
        pid = _asterisk_pid(own_ehd)
        return pid is not None and pid != old_pid and own_ehd.health()[0] == 200

    await eventually(healthy_again, timeout=20, what="ehd healthy with a new Asterisk")
    carrier_instance = await start_carrier(tmp_path / "carrier", asterisk_runtime, own_ehd.sip_port)
    try:
        async with connected_carrier(carrier_instance) as carrier:
            call = await carrier.call("4600", caller="+46705550002")
            await call.wait_answered()
            await call.hangup()
    finally:
        await carrier_instance.stop()


def test_asterisk_commands_start_report_and_stop(own_ehd: EhdProcess) -> None:
    started = _run_ehd(own_ehd, "asterisk", "start")
    assert started.returncode == 0, started.stderr
    try:
        status = _run_ehd(own_ehd, "asterisk", "status")
        assert status.returncode == 0 and "is running" in status.stdout
        version = _run_ehd(own_ehd, "asterisk", "cli", "core", "show", "version")
        assert "Asterisk" in version.stdout
        endpoints = _run_ehd(own_ehd, "asterisk", "cli", "pjsip", "show", "endpoints")
        assert "trunk" in endpoints.stdout
    finally:
        stopped = _run_ehd(own_ehd, "asterisk", "stop")
    assert stopped.returncode == 0
    status = _run_ehd(own_ehd, "asterisk", "status")
    assert status.returncode == 3 and "not running" in status.stdout
