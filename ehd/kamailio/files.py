"""Kamailio's files in ``data_dir/kamailio``: its config, the dispatcher's node list, and the
subscriber table (the agents' desk-phone passwords) that ehd keeps current."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ehd.asterisk.endpoints import SipAccount, safe_account
from ehd.config import Config

log = logging.getLogger(__name__)

TEMPLATE = Path(__file__).with_name("kamailio.cfg.j2")
MODULE_DIR = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
# db_text tables: a header line naming the columns, then one row per line.
SUBSCRIBER_HEADER = (
    "id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string)\n"
)
VERSION_TABLE = "table_name(string) table_version(int)\nsubscriber:7\n"


@dataclass(frozen=True)
class ProxySpec:
    """Where Kamailio listens and the Asterisk nodes (host:port) it serves."""

    folder: Path
    host: str
    port: int
    nodes: tuple[str, ...]
    trunk_ips: tuple[str, ...]
    # A node that has not answered a request in this long is passed over for the next one.
    node_timeout_ms: int = 2000
    ping_seconds: int = 2
    children: int = 2

    @property
    def config_file(self) -> Path:
        return self.folder / "kamailio.cfg"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def proxy_spec(config: Config) -> ProxySpec | None:
    """Kamailio in front of this ehd's Asterisk, if the settings put one there."""
    address = config.sip_proxy_address
    if address is None:
        return None
    host, port = address
    nodes = (f"{config.bind_host}:{config.sip_port}",
             *(f"{config.bind_host}:{node.sip_port}" for node in config.extra_nodes))  # fmt: skip
    return ProxySpec(config.paths.root / "kamailio", host, port, nodes, config.trunk_ips)


def render_config(spec: ProxySpec) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(TEMPLATE.name).render(
        folder=spec.folder,
        host=spec.host,
        port=spec.port,
        nodes=spec.nodes,
        trunk_ips=spec.trunk_ips,
        node_timeout_ms=spec.node_timeout_ms,
        ping_seconds=spec.ping_seconds,
        children=spec.children,
        module_dir=MODULE_DIR,
    )


def render_dispatcher(nodes: Iterable[str]) -> str:
    lines = ["# set destination: the Asterisk nodes, tried in turn"]
    lines += [f"1 sip:{node}" for node in nodes]
    return "\n".join(lines) + "\n"


def render_subscribers(accounts: Iterable[SipAccount]) -> str:
    """The desk phones' passwords (browser phones register with Asterisk itself)."""
    rows = [
        f"{number}:{account.extension}:ehd:{account.password}:-:-"
        for number, account in enumerate(
            sorted((a for a in accounts if not a.browser and safe_account(a)),
                   key=lambda a: a.extension),
            start=1,
        )
    ]  # fmt: skip
    return SUBSCRIBER_HEADER + "".join(f"{row}\n" for row in rows)


def write_config(spec: ProxySpec) -> None:
    (spec.folder / "db").mkdir(parents=True, exist_ok=True)
    _replace(spec.config_file, render_config(spec))
    _replace(spec.folder / "dispatcher.list", render_dispatcher(spec.nodes))
    _replace(spec.folder / "db" / "version", VERSION_TABLE)
    if not (spec.folder / "db" / "subscriber").exists():
        _replace(spec.folder / "db" / "subscriber", SUBSCRIBER_HEADER)


def write_subscribers(folder: Path, accounts: Iterable[SipAccount]) -> bool:
    """Write the subscriber table if it changed (Kamailio re-reads it on its next request)."""
    path = folder / "db" / "subscriber"
    text = render_subscribers(accounts)
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, text)
    return True


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
