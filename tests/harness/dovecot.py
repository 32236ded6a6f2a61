"""A private Dovecot IMAP server (Debian's dovecot-imapd) with one test mailbox."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aioimaplib

from ehd.asterisk.instance import free_ports
from ehd.db.models import Mailbox
from ehd.mailboxes.imap_poller import connect

USER, PASSWORD = "support", "imap-secret"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{dir}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={dir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass(frozen=True)
class Dovecot:
    port: int
    folder: Path
    user: str = USER
    password: str = PASSWORD


@contextmanager
def dovecot() -> Iterator[Dovecot]:
    """Its own folder (world-traversable: mail is handled as nobody), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="ehd-dovecot-"))
    folder.chmod(0o755)
    try:
        with _running(folder) as server:
            yield server
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _running(folder: Path) -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd)")
    (port,) = free_ports(1)
    for sub in ("run", "state", "mail", "home"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for sub in ("mail", "home"):  # mail is read and written as nobody, never as root
        shutil.chown(folder / sub, "nobody", "nogroup")
    (folder / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    conf = folder / "dovecot.conf"
    conf.write_text(CONFIG.format(dir=folder, port=port))
    process = subprocess.Popen([binary, "-F", "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = folder / "dovecot.log"
                    detail = log.read_text() if log.exists() else ""
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"dovecot did not start: {err}{detail}") from None
                time.sleep(0.1)
        yield Dovecot(port, folder)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


async def deliver(server: Dovecot, *messages: bytes) -> None:
    imap = aioimaplib.IMAP4(host="127.0.0.1", port=server.port, timeout=30)
    await imap.wait_hello_from_server()
    await imap.login(server.user, server.password)
    for message in messages:
        assert (await imap.append(message, mailbox="INBOX")).result == "OK"
    await imap.logout()


async def remaining(box: Mailbox) -> int:
    imap = await connect(box)
    try:
        selected = await imap.select("INBOX")
        exists = [bytes(line) for line in selected.lines if bytes(line).endswith(b"EXISTS")]
        return int(exists[0].split()[0]) if exists else 0
    finally:
        await imap.logout()
