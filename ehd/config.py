"""Typed configuration, read once: defaults, then ``ehd.toml``, then ``EHD_*`` variables.

Command-line flags are applied last by the CLI through :func:`Config.with_overrides`.
Everything that holds state lives below ``data_dir`` (see :class:`DataPaths`).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any

from ehd.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = "ehd.toml"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ehd"


@dataclass(frozen=True)
class DataPaths:
    """Where each kind of state lives under the data folder."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "ehd.sqlite3"

    @property
    def recordings(self) -> Path:
        return self.root / "recordings"

    @property
    def voicemail(self) -> Path:
        return self.root / "voicemail"

    @property
    def sounds(self) -> Path:
        return self.root / "sounds"

    @property
    def mail(self) -> Path:
        """Raw messages and attachments, stored by content hash."""
        return self.root / "mail"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def asterisk(self) -> Path:
        return self.root / "asterisk"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets.toml"

    def create(self) -> None:
        """The data folder and its parts; the folder is the owner's alone (0700): the database
        holds SIP and IMAP passwords, the recordings and mail are customers' own."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        for folder in (
            self.root,
            self.recordings,
            self.voicemail,
            self.sounds,
            self.logs,
            self.asterisk,
        ):
            folder.mkdir(parents=True, exist_ok=True)


_NODE = re.compile(r"([a-z][a-z0-9]{0,15}):(\d{1,5}):(\d{1,5}):(\d{1,5})-(\d{1,5})")


@dataclass(frozen=True)
class NodeSettings:
    """One more Asterisk node: its name (in its channel ids) and its ports."""

    name: str
    sip_port: int
    ari_port: int
    rtp_start: int
    rtp_end: int

    @classmethod
    def parse(cls, entry: str) -> NodeSettings:
        match = _NODE.fullmatch(entry)
        if match is None:
            raise ConfigError(f"setting 'asterisk_nodes': {entry!r} is not "
                              "name:sip_port:ari_port:rtp_start-rtp_end")  # fmt: skip
        name, *ports = match.groups()
        sip_port, ari_port, rtp_start, rtp_end = (int(port) for port in ports)
        if not all(1 <= port <= 65535 for port in (sip_port, ari_port, rtp_start, rtp_end)):
            raise ConfigError(f"setting 'asterisk_nodes': {entry!r} has a port out of range")
        if rtp_start >= rtp_end:
            raise ConfigError(f"setting 'asterisk_nodes': {entry!r} has an empty RTP range")
        return cls(name, sip_port, ari_port, rtp_start, rtp_end)


@dataclass(frozen=True)
class Config:
    data_dir: Path = Path("data")
    bind_host: str = "127.0.0.1"
    web_port: int = 8080
    sip_port: int = 5060
    ari_port: int = 8088
    rtp_start: int = 10000
    rtp_end: int = 10999
    database_url: str = ""  # empty: SQLite under data_dir
    trunk_ips: tuple[str, ...] = ("127.0.0.1",)
    # Where calls to external numbers go (remote agents, callbacks); empty: no outbound trunk.
    trunk_outbound_uri: str = ""
    ari_user: str = "ehd"
    ari_password: str = ""  # empty: generated once and kept in data_dir/secrets.toml
    stasis_app: str = "ehd"
    asterisk_mode: str = "auto"  # auto | host | chroot
    asterisk_root: Path = field(default_factory=lambda: default_cache_dir() / "asterisk-root")
    public_url: str = ""  # empty: http://bind_host:web_port (https://…:https_port with TLS)
    # HTTPS for the web app (browsers give a page the microphone only over HTTPS or on
    # localhost). Empty files: a self-signed certificate is made in data_dir/tls. Port 0: off.
    https_port: int = 8443
    tls_cert_file: str = ""
    tls_key_file: str = ""
    # ICE for the browser phone behind NAT: host:port of a STUN and a TURN server (coturn),
    # used by Asterisk and handed to the browsers (docs/webrtc.md).
    stun_server: str = ""
    turn_server: str = ""
    turn_user: str = ""
    turn_password: str = ""
    # host:port of Kamailio in front of Asterisk (docs/scale-out.md): desk phones register
    # there and the trunk sends calls there. Empty: phones and trunk reach Asterisk directly.
    sip_proxy: str = ""
    # More Asterisk nodes on this machine, each "name:sip_port:ari_port:rtp_start-rtp_end"
    # (docs/scale-out.md): ehd runs and drives them all, Kamailio (sip_proxy) spreads calls.
    asterisk_nodes: tuple[str, ...] = ()
    # Reverse proxies in front of the web app (addresses or networks, e.g. "10.0.0.0/24"):
    # from them, the client is the address they add to X-Forwarded-For (ehd.web.client_address).
    trusted_proxies: tuple[str, ...] = ()
    # A folder of *.conf.j2 files that override or add to ehd's Asterisk templates.
    asterisk_overrides: str = ""
    asterisk_extra_modules: tuple[str, ...] = ()
    log_level: str = "INFO"
    # Outgoing mail (voicemail, notifications). Empty host: nothing is sent, messages stay
    # listed in the web app and on the phone.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"  # none | starttls | tls
    mail_from: str = "ehd@localhost"
    recording_retention_days: int = 365
    # The site's screen pop URL template ({AID}, {BID}, {QID}…); queues and agents may override.
    screen_pop_url: str = ""
    # Callbacks: tries to reach the customer, and the pause between them.
    callback_attempts: int = 3
    callback_retry_seconds: int = 120
    # Text messages: a gateway URL taking JSON {"to", "text"}; empty: the local outbox
    # (data_dir/logs/sms-outbox.jsonl) stands in for the gateway.
    sms_gateway_url: str = ""
    # Texts from customers: the gateway posts {"from", "text"} to /api/sms/inbound with
    # "Authorization: Bearer <this token>"; empty: the door is closed (404).
    sms_inbound_token: str = ""
    # A console login ends when no console of the agent has been connected this long.
    console_grace_seconds: int = 60
    # A customer's ticket link works while the ticket is open and this many days after it
    # was solved or closed.
    customer_link_days: int = 30
    # Passwords: basic (at least 4 characters) or strict (8+, a letter and a digit, no
    # repeated run of 3, a change every 90 days, no reuse).
    password_policy: str = "basic"
    # Under either policy an administrator's password has at least this many characters
    # (never fewer than 8) and is not a well-known or simple one.
    admin_password_min_length: int = 10
    # The forwarding address: an SMTP server in ehd that turns mail into tickets (0: off).
    mail_in_port: int = 0
    # Confirm each new ticket to the customer (number and ticket link); never to machine mail.
    ticket_confirmation: str = "off"  # off | on
    ticket_subject_tag: str = "on"  # on: "[#1234]" in the subject of ticket mail
    ticket_assign_required: str = "off"  # on: a ticket must always have an agent
    ticket_auto_assign: str = "off"  # on: an agent opening a new ticket makes it Open and theirs
    # Ticket fields this installation requires before a ticket is solved, or hides.
    ticket_required_fields: tuple[str, ...] = ()
    ticket_hidden_fields: tuple[str, ...] = ()

    @property
    def paths(self) -> DataPaths:
        return DataPaths(self.data_dir.resolve())

    @property
    def effective_database_url(self) -> str:
        # WAL (Tortoise's default) with synchronous=NORMAL: a commit no longer waits for an
        # fsync, only checkpoints do. The database stays consistent on a crash; a power cut
        # may lose the last moments, which the queue_log file and Asterisk's CDRs also hold.
        return self.database_url or f"sqlite://{self.paths.database}?synchronous=NORMAL"

    @property
    def extra_nodes(self) -> tuple[NodeSettings, ...]:
        return tuple(NodeSettings.parse(entry) for entry in self.asterisk_nodes)

    @property
    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        try:
            return tuple(ip_network(entry.strip(), strict=False) for entry in self.trusted_proxies)
        except ValueError as err:
            raise ConfigError(f"setting 'trusted_proxies': {err}") from None

    @property
    def sip_proxy_address(self) -> tuple[str, int] | None:
        """Kamailio's host and port (5060 unless given), if there is one in front."""
        if not self.sip_proxy:
            return None
        host, _, port = self.sip_proxy.rpartition(":")
        return (host, int(port)) if host else (self.sip_proxy, 5060)

    @property
    def web_url(self) -> str:
        return self.public_url or f"http://{self.bind_host}:{self.web_port}"

    @property
    def https_url(self) -> str:
        """Where the web app answers over HTTPS; empty when it does not."""
        if not self.https_port:
            return ""
        if self.public_url.startswith("https://"):
            return self.public_url
        return f"https://{self.bind_host}:{self.https_port}"

    def with_overrides(self, **values: Any) -> Config:
        """Apply values that are not None (command-line flags)."""
        given = {key: value for key, value in values.items() if value is not None}
        return _validated(dataclasses.replace(self, **_coerce_all(given)))


_FIELDS = {f.name: f for f in dataclasses.fields(Config)}


def _coerce(name: str, raw: Any) -> Any:
    if name not in _FIELDS:
        raise ConfigError(f"unknown setting {name!r}")
    kind = _FIELDS[name].type
    try:
        if kind == "int":
            return int(raw)
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "tuple[str, ...]":
            items = raw.split(",") if isinstance(raw, str) else list(raw)
            return tuple(item.strip() for item in items if item.strip())
        return str(raw)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"setting {name!r}: cannot use {raw!r} ({err})") from err


def _coerce_all(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _coerce(name, raw) for name, raw in values.items()}


def _validated(config: Config) -> Config:
    if config.ticket_confirmation not in ("off", "on"):
        raise ConfigError("ticket_confirmation must be off or on")
    if config.mail_in_port and not 1 <= config.mail_in_port <= 65535:
        raise ConfigError(f"setting 'mail_in_port': {config.mail_in_port} is not a port number")
    if config.sip_proxy and not re.fullmatch(r"[A-Za-z0-9.-]+(:\d{1,5})?", config.sip_proxy):
        raise ConfigError(f"setting 'sip_proxy': {config.sip_proxy!r} is not host:port")
    names = [node.name for node in config.extra_nodes]  # each parses, or ConfigError
    config.trusted_proxy_networks  # noqa: B018 (each parses, or ConfigError)
    if len(set(names)) != len(names):
        raise ConfigError("setting 'asterisk_nodes': two nodes have the same name")
    if config.https_port and not 1 <= config.https_port <= 65535:
        raise ConfigError(f"setting 'https_port': {config.https_port} is not a port number")
    if bool(config.tls_cert_file) != bool(config.tls_key_file):
        raise ConfigError("tls_cert_file and tls_key_file go together")
    for name in ("web_port", "sip_port", "ari_port", "rtp_start", "rtp_end"):
        port = getattr(config, name)
        if not 1 <= port <= 65535:
            raise ConfigError(f"setting {name!r}: {port} is not a port number")
    if config.rtp_start >= config.rtp_end:
        raise ConfigError("rtp_start must be below rtp_end")
    if config.password_policy not in ("basic", "strict"):
        raise ConfigError("password_policy must be basic or strict")
    if config.admin_password_min_length < 8:
        raise ConfigError("admin_password_min_length must be at least 8")
    if config.smtp_security not in ("none", "starttls", "tls"):
        raise ConfigError("smtp_security must be none, starttls or tls")
    if config.recording_retention_days < 1:
        raise ConfigError("recording_retention_days must be at least 1")
    if config.asterisk_mode not in ("auto", "host", "chroot"):
        raise ConfigError("asterisk_mode must be auto, host or chroot")
    return config


def load_config(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Defaults, overridden by the TOML file, overridden by ``EHD_*`` variables."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or Path(environ.get("EHD_CONFIG", DEFAULT_CONFIG_FILE))
    if path.exists():
        try:
            with path.open("rb") as handle:
                values.update(tomllib.load(handle))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: {err}") from err
    elif config_file is not None:
        raise ConfigError(f"config file {config_file} does not exist")
    for name in _FIELDS:
        env_name = f"EHD_{name.upper()}"
        if env_name in environ:
            values[name] = environ[env_name]
    return _validated(Config(**_coerce_all(values)))
