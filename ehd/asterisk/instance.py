"""One Asterisk instance: its folder, its rendered config, and its process.

Each instance renders its template folders (``asterisk/`` for ehd itself) with its own ports
into ``<folder>/etc`` and keeps its spool, run, log and database folders beside it, so several
instances (ehd, the tests' carrier, benchmarks) run side by side without touching each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import signal
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import jinja2

from ehd.asterisk.runtime import AsteriskRuntime
from ehd.config import PROJECT_ROOT, Config, NodeSettings
from ehd.errors import AsteriskError, PortInUseError

TEMPLATE_DIR = PROJECT_ROOT / "asterisk"
DIALPLAN_DIR = PROJECT_ROOT / "dialplan"
SOUNDS_DIR = PROJECT_ROOT / "sounds" / "prompts"
AGENT_ENDPOINTS_FILE = "pjsip_agents.conf"

# Loaded explicitly (autoload = no): only what the ARI application and SIP need.
MODULES: tuple[str, ...] = (
    "res_timing_timerfd.so",
    "res_sorcery_config.so",
    "res_sorcery_memory.so",
    "res_sorcery_astdb.so",
    "res_pjproject.so",
    "res_pjsip.so",
    "res_pjsip_session.so",
    "chan_pjsip.so",
    "res_pjsip_authenticator_digest.so",
    "res_pjsip_outbound_authenticator_digest.so",
    "res_pjsip_endpoint_identifier_ip.so",
    "res_pjsip_endpoint_identifier_user.so",
    "res_pjsip_registrar.so",
    "res_pjsip_sdp_rtp.so",
    "res_pjsip_dtmf_info.so",
    "res_pjsip_caller_id.so",
    "res_pjsip_rfc3326.so",
    "res_pjsip_nat.so",
    "res_pjsip_pubsub.so",
    "res_pjsip_refer.so",  # phones' transfer keys (REFER), handed to ehd
    "res_pjsip_header_funcs.so",
    "res_pjsip_diversion.so",
    "res_pjsip_logger.so",
    "res_pjsip_outbound_registration.so",
    "res_pjsip_transport_websocket.so",  # the browser phone: SIP over a websocket
    "res_crypto.so",
    "res_srtp.so",  # browsers send media only over DTLS-SRTP
    "res_rtp_asterisk.so",
    "codec_ulaw.so",
    "codec_alaw.so",
    "codec_gsm.so",
    "codec_a_mu.so",
    "res_format_attr_opus.so",
    "codec_opus_open_source.so",
    "format_wav.so",
    "format_gsm.so",
    "format_pcm.so",
    "format_sln.so",
    "format_wav_gsm.so",
    "res_http_websocket.so",
    "res_websocket_client.so",
    "res_stasis.so",
    "res_stasis_answer.so",
    "res_stasis_playback.so",
    "res_stasis_recording.so",
    "res_stasis_snoop.so",
    "res_stasis_device_state.so",
    "res_ari.so",
    "res_ari_model.so",
    "res_ari_applications.so",
    "res_ari_asterisk.so",
    "res_ari_bridges.so",
    "res_ari_channels.so",
    "res_ari_device_states.so",
    "res_ari_endpoints.so",
    "res_ari_events.so",
    "res_ari_playbacks.so",
    "res_ari_recordings.so",
    "res_ari_sounds.so",
    "app_stasis.so",
    "bridge_simple.so",
    "bridge_softmix.so",
    "bridge_native_rtp.so",
    "bridge_holding.so",
    "bridge_builtin_features.so",
    "chan_bridge_media.so",
    "res_musiconhold.so",
    "app_playback.so",
    "app_dial.so",
    "app_echo.so",
    "app_record.so",
    "app_senddtmf.so",
    "app_verbose.so",
    "pbx_config.so",
    "func_channel.so",
    "func_callerid.so",
    "func_strings.so",
    "func_logic.so",
    "func_uri.so",
)


def _trunk_addresses(config: Config) -> tuple[str, ...]:
    """Where the trunk's calls come from: the carrier's addresses, and Kamailio's when the
    carrier sends them through it."""
    proxy = config.sip_proxy_address
    if proxy is not None and proxy[0] not in config.trunk_ips:
        return (*config.trunk_ips, proxy[0])
    return config.trunk_ips


@dataclass(frozen=True)
class InstanceSpec:
    """Everything an instance's templates and process need."""

    name: str
    folder: Path
    bind_host: str
    sip_port: int
    ari_port: int
    rtp_start: int
    rtp_end: int
    ari_user: str
    ari_password: str
    stasis_app: str
    # Later folders override earlier ones file by file (the tests' carrier overrides ehd's).
    template_dirs: tuple[Path, ...] = (TEMPLATE_DIR,)
    dialplan_dir: Path | None = DIALPLAN_DIR
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Folders outside ``folder`` that Asterisk must see (sounds, recordings).
    shared_folders: tuple[Path, ...] = ()
    # Another instance's spool (its recordings), for a node whose recordings ehd reads there.
    spool_dir: Path | None = None

    @classmethod
    def for_ehd(cls, config: Config, ari_password: str) -> InstanceSpec:
        paths = config.paths
        overrides = [Path(config.asterisk_overrides).resolve()] if config.asterisk_overrides else []
        return cls(
            name="ehd",
            folder=paths.asterisk,
            bind_host=config.bind_host,
            sip_port=config.sip_port,
            ari_port=config.ari_port,
            rtp_start=config.rtp_start,
            rtp_end=config.rtp_end,
            ari_user=config.ari_user,
            ari_password=ari_password,
            stasis_app=config.stasis_app,
            extra={
                "trunk_ips": _trunk_addresses(config),
                "trunk_outbound_uri": config.trunk_outbound_uri,
                "extra_modules": config.asterisk_extra_modules,
                "stun_server": config.stun_server,
                "turn_server": config.turn_server,
                "turn_user": config.turn_user,
                "turn_password": config.turn_password,
            },
            shared_folders=(SOUNDS_DIR, paths.root),
            template_dirs=(TEMPLATE_DIR, *overrides),
        )

    @classmethod
    def for_node(cls, config: Config, ari_password: str, node: NodeSettings) -> InstanceSpec:
        """One more node: ehd's config on its own ports, its recordings in the main spool."""
        return dataclasses.replace(
            cls.for_ehd(config, ari_password),
            name=f"ehd-{node.name}",  # its channel ids start with it: unique over the nodes
            folder=config.paths.root / f"asterisk-{node.name}",
            sip_port=node.sip_port,
            ari_port=node.ari_port,
            rtp_start=node.rtp_start,
            rtp_end=node.rtp_end,
            spool_dir=(config.paths.asterisk / "spool").resolve(),
        )

    @property
    def ari_url(self) -> str:
        return f"http://{self.bind_host}:{self.ari_port}/ari"


class AsteriskInstance:
    def __init__(self, spec: InstanceSpec, runtime: AsteriskRuntime) -> None:
        self.spec = spec
        self.runtime = runtime
        folder = spec.folder.resolve()
        self.dirs = {name: folder / name for name in ("etc", "lib", "spool", "run", "log")}
        if spec.spool_dir is not None:
            self.dirs["spool"] = spec.spool_dir
        self._process: asyncio.subprocess.Process | None = None

    @property
    def config_file(self) -> Path:
        return self.dirs["etc"] / "asterisk.conf"

    @property
    def pid_file(self) -> Path:
        return self.dirs["run"] / "ehd-asterisk.pid"

    @property
    def recordings_dir(self) -> Path:
        return self.dirs["spool"] / "recording"

    def render(self) -> None:
        """Write the instance's config from the templates (safe to repeat)."""
        for folder in (*self.dirs.values(), self.recordings_dir):
            folder.mkdir(parents=True, exist_ok=True)
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(list(reversed(self.spec.template_dirs))),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,
        )
        context: dict[str, Any] = {
            "name": self.spec.name,
            "dirs": {k: str(v) for k, v in self.dirs.items()},
            "bind_host": self.spec.bind_host,
            "sip_port": self.spec.sip_port,
            "ari_port": self.spec.ari_port,
            "rtp_start": self.spec.rtp_start,
            "rtp_end": self.spec.rtp_end,
            "ari_user": self.spec.ari_user,
            "ari_password": self.spec.ari_password,
            "stasis_app": self.spec.stasis_app,
            "modules": MODULES,
            "sounds_dir": str(SOUNDS_DIR),
            **self.spec.extra,
        }
        etc = self.dirs["etc"]
        names = {path.name for folder in self.spec.template_dirs for path in folder.glob("*.j2")}
        for name in sorted(names):
            text = env.get_template(name).render(context)
            (etc / name.removesuffix(".j2")).write_text(text)
        if self.spec.dialplan_dir is not None:
            target = etc / "dialplan"
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(self.spec.dialplan_dir, target)
        agents = etc / AGENT_ENDPOINTS_FILE
        if not agents.exists():
            agents.write_text("; no agent endpoints yet\n")

    def command(self, *args: str) -> list[str]:
        binds = [self.spec.folder, *self.spec.shared_folders]
        return self.runtime.argv("asterisk", ["-C", str(self.config_file), *args], binds)

    def check_ports(self) -> None:
        check_port_free(self.spec.bind_host, self.spec.sip_port, socket.SOCK_DGRAM, "SIP")
        check_port_free(self.spec.bind_host, self.spec.ari_port, socket.SOCK_STREAM, "ARI/HTTP")

    async def start(self, *, detach: bool = False, timeout: float = 60.0) -> int:
        """Start Asterisk and wait until ARI answers; returns the process id.

        With ``detach`` the process outlives the caller (``ehd asterisk start``); otherwise it
        is a child of this process and :meth:`stop` must be awaited.
        """
        if self.running_pid() is not None:
            raise AsteriskError(
                f"Asterisk instance {self.spec.name} is already running (pid {self.running_pid()})"
            )
        self.check_ports()
        self.render()
        console_log = self.dirs["log"] / "console.log"
        argv = self.command("-f", "-n", "-q")
        if detach:
            pid = await _spawn_detached(argv, console_log)
        else:
            with console_log.open("ab") as log:
                self._process = await asyncio.create_subprocess_exec(
                    *argv, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log
                )
            pid = self._process.pid
        self.pid_file.write_text(str(pid))
        try:
            async with asyncio.timeout(timeout):
                await self._wait_for_ari(pid)
        except (TimeoutError, AsteriskError) as err:
            await self.stop()
            raise AsteriskError(
                f"Asterisk did not start ({err or 'timed out'}).\n{self.log_tail()}"
            ) from err
        return pid

    async def adopt_or_start(self, timeout: float = 60.0) -> tuple[int, bool]:
        """Reuse this instance's Asterisk if it is still running (ehd was killed), else start.

        Returns the pid and whether it was adopted. An adopted Asterisk keeps its live calls;
        its config is rendered again and reloaded, so changes made meanwhile apply.
        """
        pid = self.running_pid()
        if pid is not None:
            try:
                async with asyncio.timeout(10):
                    await self._wait_for_ari(pid)
            except (TimeoutError, AsteriskError):
                pass
            else:
                self.render()
                await self.cli("core reload")
                return pid, True
            await self.stop()
        return await self.start(timeout=timeout), False

    async def wait_exit(self, pid: int) -> None:
        """Return when the Asterisk process ``pid`` has exited."""
        if self._process is not None and self._process.pid == pid:
            await self._process.wait()
            return
        await _pid_exited(pid)

    def _alive(self, pid: int) -> bool:
        if self._process is not None:
            return self._process.returncode is None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    async def _wait_for_ari(self, pid: int) -> None:
        auth = aiohttp.encode_basic_auth(self.spec.ari_user, self.spec.ari_password)
        async with aiohttp.ClientSession(headers={"Authorization": auth}) as session:
            while True:
                if not self._alive(pid):
                    raise AsteriskError("the process exited")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with session.get(f"{self.spec.ari_url}/asterisk/ping") as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.2)

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        # A stale pid file may name an unrelated process: check it is this instance's Asterisk.
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        return pid if str(self.config_file).encode() in cmdline else None

    async def stop(self, timeout: float = 15.0) -> None:
        """Stop the instance: SIGTERM, then SIGKILL if it does not go in time."""
        process = self._process
        pid = process.pid if process is not None else self.running_pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not await _wait_gone(pid, process, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            await _wait_gone(pid, process, 5.0)
        self.pid_file.unlink(missing_ok=True)
        self._process = None

    def log_tail(self, lines: int = 20) -> str:
        parts = []
        for name in ("messages.log", "console.log"):
            path = self.dirs["log"] / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- last lines of {path} ---\n" + "\n".join(tail))
        return "\n".join(parts) or "(Asterisk wrote no log)"

    def last_problems(self, lines: int = 5) -> str:
        """Asterisk's last ERROR/WARNING lines and where its logs are: for ehd's own log,
        which should not fill with Asterisk's console chatter."""
        path = self.dirs["log"] / "messages.log"
        found = []
        if path.exists():
            found = [line for line in path.read_text(errors="replace").splitlines()
                     if " ERROR[" in line or " WARNING[" in line][-lines:]  # fmt: skip
        where = f"(Asterisk's logs: {self.dirs['log']})"
        return "\n".join([*found, where])

    async def cli(self, command: str) -> str:
        """Run one Asterisk CLI command against the running instance."""
        process = await asyncio.create_subprocess_exec(
            *self.command("-rx", command),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise AsteriskError(
                f"asterisk -rx {command!r} failed: {output.decode(errors='replace')}"
            )
        return output.decode(errors="replace")


async def _spawn_detached(argv: Sequence[str], log: Path) -> int:
    """Start ``argv`` in its own session, reparented to init; return its pid."""
    launcher = await asyncio.create_subprocess_exec(
        "/bin/sh",
        "-c",
        'setsid "$@" </dev/null >>"$0" 2>&1 & echo $!',
        str(log),
        *argv,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await launcher.communicate()
    return int(output.decode().strip())


async def _pid_exited(pid: int) -> None:
    """Wait for any process (not only a child) to exit, through a Linux pidfd."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    loop = asyncio.get_running_loop()
    exited: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not exited.done():
            exited.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await exited
    finally:
        loop.remove_reader(fd)
        os.close(fd)


async def _wait_gone(pid: int, process: asyncio.subprocess.Process | None, timeout: float) -> bool:
    try:
        async with asyncio.timeout(timeout):
            if process is not None:
                await process.wait()
            else:
                await _pid_exited(pid)
    except TimeoutError:
        return False
    return True


def check_port_free(host: str, port: int, kind: socket.SocketKind, what: str) -> None:
    """Raise :class:`PortInUseError` naming the port if something already listens there."""
    with socket.socket(socket.AF_INET, kind) as probe:
        if kind == socket.SOCK_STREAM:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            proto = "UDP" if kind == socket.SOCK_DGRAM else "TCP"
            raise PortInUseError(
                f"{what} port {port}/{proto} on {host} is already in use "
                f"({err.strerror}); choose another with the matching --*-port "
                "flag or EHD_* variable",
                port=port,
            ) from err


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """Ports free for both TCP and UDP right now (for tests and benchmarks)."""
    found: list[int] = []
    while len(found) < count:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((host, 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind((host, port))
                except OSError:
                    continue
        if port not in found:
            found.append(port)
    return found


def run_foreground(argv: Sequence[str]) -> None:
    """Replace this process with ``argv`` (for the interactive CLI)."""
    os.execvp(argv[0], list(argv))
