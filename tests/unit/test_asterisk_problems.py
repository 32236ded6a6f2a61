"""After Asterisk dies, ehd's log gets its last errors and warnings, not its console."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from ehd.asterisk.instance import AsteriskInstance, InstanceSpec
from ehd.config import Config


def test_only_errors_and_warnings_reach_ehds_log(tmp_path: Path) -> None:
    spec = InstanceSpec.for_ehd(Config(data_dir=tmp_path), "pw")
    instance = AsteriskInstance(spec, cast(Any, None))
    instance.dirs["log"].mkdir(parents=True)
    (instance.dirs["log"] / "messages.log").write_text(
        "[2026-12-02 10:00:00] VERBOSE[1] pbx.c: Executing [4600@from-trunk:1]\n"
        "[2026-12-02 10:00:01] WARNING[2] chan_pjsip.c: no such endpoint\n"
        "[2026-12-02 10:00:02] NOTICE[3] res_stasis_playback.c: Playback canceled\n"
        "[2026-12-02 10:00:03] ERROR[4] res_pjsip.c: transport failed\n"
    )
    (instance.dirs["log"] / "console.log").write_text("Asterisk Ready.\n*CLI>\n")
    lines = instance.last_problems().splitlines()
    assert [line.split("] ")[1].split("[")[0] for line in lines[:-1]] == ["WARNING", "ERROR"]
    assert str(instance.dirs["log"]) in lines[-1]
    assert "CLI" not in instance.last_problems()
