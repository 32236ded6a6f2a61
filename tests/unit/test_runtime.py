"""Setup of the private Asterisk root: stages, resumption and error messages (no network)."""

from collections.abc import Sequence
from pathlib import Path

import pytest

from ehd.asterisk import runtime as runtime_module
from ehd.asterisk.runtime import AsteriskRuntime, select_runtime, setup_runtime
from ehd.errors import SetupError


class FakeCommands:
    """Stands in for debootstrap/chroot: records each stage and builds what it would."""

    def __init__(self, fail_on: str | None = None, log_text: str = "") -> None:
        self.ran: list[str] = []
        self.fail_on = fail_on
        self.log_text = log_text

    def __call__(
        self, argv: Sequence[str], what: str, log: Path, env: dict[str, str] | None = None
    ) -> None:
        self.ran.append(what)
        if what == self.fail_on:
            raise SetupError(f"{what} failed. {self.log_text}")
        if what == "debootstrap":
            root = Path(argv[-1])
            (root / "etc").mkdir(parents=True)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeCommands:
    commands = FakeCommands()
    monkeypatch.setattr(runtime_module, "_run_logged", commands)
    monkeypatch.setattr(
        "shutil.which",
        lambda name: f"/usr/sbin/{name}" if name == "debootstrap" else None,
    )
    return commands


def test_fresh_setup_runs_every_stage_and_marks_the_root(
    tmp_path: Path, fake: FakeCommands
) -> None:
    runtime = AsteriskRuntime(tmp_path / "root")
    setup_runtime(runtime, progress=lambda _m: None)
    assert fake.ran == [
        "debootstrap",
        "dpkg --configure",
        "apt-get update",
        "apt-get install asterisk",
    ]
    assert runtime.is_ready()
    assert "localhost" in (tmp_path / "root/etc/hosts").read_text()


def test_second_setup_does_nothing(tmp_path: Path, fake: FakeCommands) -> None:
    runtime = AsteriskRuntime(tmp_path / "root")
    setup_runtime(runtime, progress=lambda _m: None)
    fake.ran.clear()
    setup_runtime(runtime, progress=lambda _m: None)
    assert fake.ran == []


def test_interrupted_install_resumes_without_a_new_debootstrap(
    tmp_path: Path, fake: FakeCommands
) -> None:
    runtime = AsteriskRuntime(tmp_path / "root")
    fake.fail_on = "apt-get install asterisk"
    with pytest.raises(SetupError):
        setup_runtime(runtime, progress=lambda _m: None)
    fake.fail_on, fake.ran = None, []
    setup_runtime(runtime, progress=lambda _m: None)
    assert fake.ran == ["dpkg --configure", "apt-get update", "apt-get install asterisk"]
    assert runtime.is_ready()


def test_interrupted_debootstrap_starts_the_root_again(tmp_path: Path, fake: FakeCommands) -> None:
    root = tmp_path / "root"
    (root / "half-written").mkdir(parents=True)
    setup_runtime(AsteriskRuntime(root), progress=lambda _m: None)
    assert not (root / "half-written").exists()
    assert fake.ran[0] == "debootstrap"


def test_missing_debootstrap_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(SetupError, match="apt-get install debootstrap"):
        setup_runtime(AsteriskRuntime(tmp_path / "root"), progress=lambda _m: None)


def test_network_failure_gets_a_hint(tmp_path: Path) -> None:
    log = tmp_path / "setup.log"
    script = "echo 'E: Failed to fetch http://deb.debian.org/ Temporary failure resolving'; exit 1"
    with pytest.raises(SetupError, match="could not reach Debian's package mirror"):
        runtime_module._run_logged(["sh", "-c", script], "apt-get update", log)


def test_chroot_command_binds_folders_at_their_own_paths(tmp_path: Path) -> None:
    argv = AsteriskRuntime(Path("/cache/root")).argv(
        "asterisk", ["-rx", "core show version"], [tmp_path, tmp_path]
    )
    assert argv[:3] == ["unshare", "--mount", "--propagation"]
    separator = argv.index("--", 5)
    assert argv[argv.index("/cache/root") + 1 : separator] == [str(tmp_path.resolve())]
    assert argv[separator + 1 :] == ["/usr/sbin/asterisk", "-rx", "core show version"]


def test_host_runtime_runs_asterisk_directly() -> None:
    assert AsteriskRuntime(None).argv("asterisk", ["-r"], []) == ["asterisk", "-r"]


def test_auto_mode_prefers_the_hosts_asterisk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: "/usr/sbin/asterisk")
    assert select_runtime("auto", Path("/r")).root is None
    assert select_runtime("chroot", Path("/r")).root == Path("/r")
