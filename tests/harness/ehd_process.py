"""Run a real, isolated ``ehd run`` in a subprocess: its own data folder and free ports."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ehd.asterisk.instance import AsteriskInstance
from ehd.asterisk.runtime import AsteriskRuntime
from ehd.demo import DemoSite, load_demo_site
from tests.harness.ports import rtp_range, service_ports


@dataclass
class EhdProcess:
    data_dir: Path
    web_port: int
    sip_port: int
    ari_port: int
    https_port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    log_name: str = "ehd-run.log"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def database(self) -> Path:
        return self.data_dir / "ehd.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "logs" / self.log_name

    def twin(self, name: str) -> EhdProcess:
        """A second ehd on the same data folder and database (its hot standby), with web
        ports and a log of its own."""
        web, https = service_ports(2)
        env = {**self.env, "EHD_WEB_PORT": str(web), "EHD_HTTPS_PORT": str(https)}
        return EhdProcess(self.data_dir, web, self.sip_port, self.ari_port, https, env,
                          log_name=f"ehd-run-{name}.log")  # fmt: skip

    def demo_site(self) -> DemoSite:
        site = load_demo_site(self.data_dir)
        assert site is not None, "the demo site was not seeded"
        return site

    def ehd(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ehd", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def health(self) -> tuple[int, dict[str, object]]:
        try:
            with urllib.request.urlopen(f"{self.web_url}/health", timeout=2) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as err:
            return err.code, json.load(err)

    def start(self, timeout: float = 90, *, standby: bool = False) -> None:
        """Start and wait until healthy (``standby``: until it serves as the standby)."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ehd", "run"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"ehd run exited ({self.process.returncode}):\n{self.log_tail()}"
                )
            try:
                status, body = self.health()
                if (body.get("role") == "standby") if standby else status == 200:
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"ehd did not become healthy in {timeout} s:\n{self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_file.exists():
            return "(no log)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])


def prepare_ehd(data_dir: Path, database_url: str = "") -> EhdProcess:
    """Ports, environment and the demo site for a new isolated ehd (not started yet), on its
    own SQLite database or on ``database_url``."""
    web, sip, ari, https = service_ports(4)
    rtp_start, rtp_end = rtp_range(49)
    env = {
        **os.environ,
        "EHD_DATA_DIR": str(data_dir),
        "EHD_WEB_PORT": str(web),
        "EHD_SIP_PORT": str(sip),
        "EHD_ARI_PORT": str(ari),
        "EHD_HTTPS_PORT": str(https),
        "EHD_RTP_START": str(rtp_start),
        "EHD_RTP_END": str(rtp_end),
    }
    env.pop("EHD_DATABASE_URL", None)
    if database_url:
        env["EHD_DATABASE_URL"] = database_url
    ehd = EhdProcess(data_dir, web, sip, ari, https, env)
    seeded = ehd.ehd("demo", "--json")
    if seeded.returncode != 0:
        raise RuntimeError(f"ehd demo failed:\n{seeded.stderr}")
    return ehd


async def endpoint_state(server: EhdProcess, extension: str, ari_port: int = 0) -> str:
    """A SIP account's registration state as ehd's Asterisk sees it (online/offline); with
    ``ari_port``, as that node of ehd's sees it."""
    import tomllib

    import aiohttp

    from ehd.ari.client import AriClient

    secrets = tomllib.loads((server.data_dir / "secrets.toml").read_text())
    async with aiohttp.ClientSession() as session:
        ari = AriClient(
            session,
            f"http://127.0.0.1:{ari_port or server.ari_port}/ari",
            "ehd",
            secrets["ari_password"],
        )
        return await ari.endpoint_state("PJSIP", extension)


def queue_log(server: EhdProcess, call_id: str | None = None) -> list[list[str]]:
    """ehd's queue_log file, split into fields (optionally one call's lines)."""
    path = server.data_dir / "logs" / "queue_log"
    if not path.exists():
        return []
    lines = [line.split("|") for line in path.read_text().splitlines()]
    return [fields for fields in lines if call_id is None or fields[1] == call_id]


def entered_queue(server: EhdProcess, caller_number: str) -> str | None:
    """The call id a call from ``caller_number`` entered a queue with (queue_log's ENTERQUEUE
    names the caller), if one has; read from the file, whatever the database."""
    for line in queue_log(server):
        if line[4] == "ENTERQUEUE" and line[6] == caller_number:
            return line[1]
    return None


async def connected_to_agent(server: EhdProcess, call_id: str, timeout: float = 15) -> None:
    """Wait until ehd has bridged the call to an agent (queue_log's CONNECT): an agent's
    phone answering is not yet the two of them talking, and under load the gap grows."""
    from tests.harness.polling import eventually

    async def connected() -> bool:
        return any(line[4] == "CONNECT" for line in queue_log(server, call_id))

    await eventually(connected, timeout=timeout, what=f"{call_id} connected to an agent")


async def ehd_with_outbound_carrier(
    folder: Path, runtime: AsteriskRuntime
) -> tuple[EhdProcess, AsteriskInstance]:
    """A started ehd whose trunk sends outbound calls to a new carrier (callers and mobiles)."""
    from tests.harness.carrier import start_carrier

    server = prepare_ehd(folder / "ehd")
    carrier = await start_carrier(folder / "carrier", runtime, server.sip_port)
    server.env["EHD_TRUNK_OUTBOUND_URI"] = f"sip:127.0.0.1:{carrier.spec.sip_port}"
    await asyncio.to_thread(server.start)
    return server, carrier
