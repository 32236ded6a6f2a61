"""The log stays readable: routine scheduler runs do not fill it."""

from __future__ import annotations

import logging

from ehd.cli import configure_logging


def test_scheduler_job_runs_are_quiet_but_its_warnings_show() -> None:
    configure_logging("INFO")
    scheduler = logging.getLogger("apscheduler.executors.default")
    assert not scheduler.isEnabledFor(logging.INFO)
    assert scheduler.isEnabledFor(logging.WARNING)


def test_debug_shows_the_scheduler_too() -> None:
    configure_logging("debug")
    assert logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.DEBUG)
    configure_logging("INFO")
