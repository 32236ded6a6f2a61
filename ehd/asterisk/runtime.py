"""Which Asterisk binary ehd runs, and how: the host's own, or Debian unstable's in a private root.

Debian 12 ships no ``asterisk`` package, so on such hosts ``setup`` builds a minimal Debian-unstable
root with debootstrap, installs Asterisk there, and every Asterisk command then runs through
``unshare -m`` + ``chroot`` with the instance's folders bind-mounted at their real paths. Paths are
therefore the same inside and outside the root, and nothing is mounted on the host.

Setup is idempotent and resumable: each stage leaves a marker file in the root, so an interrupted
setup redoes only the stage it was in.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ehd.errors import SetupError

ASTERISK_PACKAGES = ("asterisk", "asterisk-core-sounds-en-gsm", "asterisk-moh-opsound-gsm")
_APT = ("apt-get", "-o", "Acquire::Check-Valid-Until=false", "-o", "Dpkg::Use-Pty=0")
_STAGE_DEBOOTSTRAP = ".ehd-stage-debootstrap"
_STAGE_ASTERISK = ".ehd-stage-asterisk"

# Mounts the given folders at their own paths inside the root, then runs the command there.
# unshare gives the script a private mount namespace, so the mounts vanish with the process.
_CHROOT_SCRIPT = r"""
set -e
root=$1; shift
while [ "$1" != "--" ]; do
  mkdir -p "$root$1"
  mount --bind "$1" "$root$1"
  shift
done
shift
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
exec chroot "$root" "$@"
"""

Progress = Callable[[str], None]


def _print_progress(message: str) -> None:
    print(f"[ehd] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class AsteriskRuntime:
    """How to run Asterisk's binaries; ``root`` is None for the host's own Asterisk."""

    root: Path | None

    @property
    def describe(self) -> str:
        return f"Debian unstable root at {self.root}" if self.root else "host Asterisk"

    def argv(self, program: str, args: Sequence[str], binds: Sequence[Path]) -> list[str]:
        """The command line that runs ``program`` (e.g. asterisk) with ``binds`` visible to it."""
        if self.root is None:
            return [program, *args]
        unique = sorted({str(path.resolve()) for path in binds})
        return [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--",
            "/bin/sh",
            "-c",
            _CHROOT_SCRIPT,
            "ehd-asterisk",
            str(self.root),
            *unique,
            "--",
            f"/usr/sbin/{program}",
            *args,
        ]

    def is_ready(self) -> bool:
        if self.root is None:
            return shutil.which("asterisk") is not None
        return (self.root / _STAGE_ASTERISK).exists()

    def spec_dir(self) -> Path:
        """Asterisk's ARI spec (the Swagger documents) for this runtime."""
        return (self.root or Path("/")) / "usr/share/asterisk/rest-api"


def select_runtime(mode: str, root: Path) -> AsteriskRuntime:
    """``auto`` uses the host's Asterisk when it has one, else the private root."""
    if mode == "host" or (mode == "auto" and shutil.which("asterisk")):
        return AsteriskRuntime(root=None)
    return AsteriskRuntime(root=root)


@contextlib.contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_logged(
    argv: Sequence[str], what: str, log: Path, env: dict[str, str] | None = None
) -> None:
    with log.open("a") as handle:
        handle.write(f"\n$ {' '.join(argv)}\n")
        handle.flush()
        result = subprocess.run(argv, stdout=handle, stderr=subprocess.STDOUT, env=env, check=False)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        hint = ""
        if any(
            word in tail
            for word in (
                "Temporary failure",
                "Could not resolve",
                "Failed to fetch",
                "Couldn't download",
                "Network is unreachable",
            )
        ):
            hint = (
                "\nThe machine could not reach Debian's package mirror: check the network "
                "(or install Asterisk natively and set EHD_ASTERISK_MODE=host)."
            )
        raise SetupError(
            f"{what} failed (exit {result.returncode}). Last lines of {log}:\n{tail}{hint}"
        )


def _write_hosts(root: Path) -> None:
    # Asterisk resolves the machine's own hostname at start-up.
    name = socket.gethostname()
    (root / "etc/hosts").write_text(f"127.0.0.1\tlocalhost {name}\n::1\tlocalhost ip6-localhost\n")


def setup_runtime(runtime: AsteriskRuntime, progress: Progress = _print_progress) -> None:
    """Make the runtime usable; safe to run again and after an interruption."""
    if runtime.root is None:
        if not shutil.which("asterisk"):
            raise SetupError("no asterisk on this host; use asterisk_mode=chroot or install it")
        progress("using the host's Asterisk")
        return
    root = runtime.root
    if os.geteuid() != 0:
        raise SetupError("building the Asterisk root needs root (debootstrap, chroot, mount)")
    with _locked(root.parent / f"{root.name}.lock"):
        if runtime.is_ready():
            _write_hosts(root)
            progress(f"Asterisk root ready at {root}")
            return
        log = root.parent / f"{root.name}.setup.log"
        if not (root / _STAGE_DEBOOTSTRAP).exists():
            if not shutil.which("debootstrap"):
                raise SetupError(
                    "debootstrap is not installed: run `apt-get install debootstrap` "
                    "(or install Asterisk natively and set EHD_ASTERISK_MODE=host)"
                )
            if root.exists():
                progress(f"removing an unfinished root at {root}")
                shutil.rmtree(root)
            progress(f"building a Debian unstable root at {root} (debootstrap, about a minute)")
            _run_logged(["debootstrap", "--variant=minbase", "sid", str(root)], "debootstrap", log)
            (root / _STAGE_DEBOOTSTRAP).touch()
        _write_hosts(root)
        progress("installing Asterisk into the root (apt-get)")
        env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        _run_logged(
            ["chroot", str(root), "dpkg", "--configure", "-a"], "dpkg --configure", log, env
        )
        _run_logged(["chroot", str(root), *_APT, "update", "-q"], "apt-get update", log, env)
        _run_logged(
            [
                "chroot",
                str(root),
                *_APT,
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                *ASTERISK_PACKAGES,
            ],
            "apt-get install asterisk",
            log,
            env,
        )
        (root / _STAGE_ASTERISK).touch()
        progress(f"Asterisk root ready at {root}")
