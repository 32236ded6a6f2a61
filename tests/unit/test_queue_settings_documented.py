"""No queue setting exists only for those who read the code."""

from __future__ import annotations

from ehd.config import PROJECT_ROOT
from ehd.queueing.queue_store import QUEUE_LINKS, QUEUE_SETTINGS
from ehd.queueing.settings_help import ALL, SECTIONS


def test_every_queue_setting_has_one_help_text() -> None:
    keys = [s.key for _, settings in SECTIONS for s in settings]
    assert len(keys) == len(set(keys)), "a setting is listed twice"
    assert set(keys) == set(QUEUE_SETTINGS) | set(QUEUE_LINKS)
    assert all(ALL[k].entry == "link" for k in QUEUE_LINKS)


def test_the_configuration_guide_lists_every_queue_setting() -> None:
    guide = (PROJECT_ROOT / "docs" / "configuration.md").read_text()
    missing = [key for key in ALL if f"| `{key}` |" not in guide]
    assert missing == []
