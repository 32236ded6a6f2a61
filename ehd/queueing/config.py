"""Turn a stored queue into the engine's ``QueueConfig``, validating what admins typed."""

from __future__ import annotations

import re
from typing import Any

from ehd.acd.model import (
    OverflowKind,
    OverflowTarget,
    PenaltyRule,
    Presence,
    QueueConfig,
    Strategy,
)
from ehd.callflow.customer_number import CustomerNumberRule
from ehd.callflow.screen_pop import check_template
from ehd.db.models import Queue, RecordingMode
from ehd.errors import ValidationError


def _target(kind: str, target: str) -> OverflowTarget | None:
    if not kind:
        return None
    try:
        return OverflowTarget(OverflowKind(kind), target)
    except ValueError as err:
        raise ValidationError(f"unknown overflow kind {kind!r}", field="overflow_kind") from err


def _rules(raw: Any) -> tuple[PenaltyRule, ...]:
    if not isinstance(raw, list):
        raise ValidationError("penalty_rules must be a list", field="penalty_rules")
    rules = []
    for rule in raw:
        try:
            rules.append(
                PenaltyRule(float(rule["after"]), int(rule["max"]), int(rule.get("min", 0)))
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ValidationError(
                "each penalty rule needs after, max (and optional min)", field="penalty_rules"
            ) from err
    return tuple(sorted(rules, key=lambda r: r.after_seconds))


def _exit_keys(raw: Any) -> dict[str, OverflowTarget]:
    if not isinstance(raw, dict):
        raise ValidationError("exit_keys must be an object", field="exit_keys")
    keys: dict[str, OverflowTarget] = {}
    for key, spec in raw.items():
        if key not in "0123456789*#" or len(key) != 1 or not isinstance(spec, dict):
            raise ValidationError(f"exit key {key!r} must be one DTMF digit", field="exit_keys")
        target = _target(str(spec.get("kind", "")), str(spec.get("target", "")))
        if target is not None:
            keys[key] = target
    return keys


def queue_config(queue: Queue) -> QueueConfig:
    try:
        strategy = Strategy(queue.strategy)
        join_when, leave_when = Presence(queue.join_when), Presence(queue.leave_when)
    except ValueError as err:
        raise ValidationError(str(err), field="strategy") from err
    return QueueConfig(
        name=queue.name,
        strategy=strategy,
        weight=queue.weight,
        ring_timeout=max(3.0, queue.ring_timeout),
        misses_before_pause=max(0, queue.misses_before_pause),
        wrapup_seconds=max(0.0, queue.wrapup_seconds),
        max_length=max(0, queue.max_length),
        join_when=join_when,
        leave_when=leave_when,
        overflow_after=queue.overflow_after,
        overflow=_target(queue.overflow_kind, queue.overflow_target),
        penalty_rules=_rules(queue.penalty_rules),
        max_penalty=queue.max_penalty,
        sl_goal_seconds=queue.sl_goal_seconds,
        sl_target_percent=queue.sl_target_percent,
        announce_frequency=max(0.0, queue.announce_frequency),
        announce_start_delay=max(0.0, queue.announce_start_delay),
        expected_handle_seconds=max(1.0, queue.expected_handle_seconds),
        exit_keys=_exit_keys(queue.exit_keys),
    )


RECORDING_MODES = tuple(RecordingMode)


def validate_flow_settings(queue: Queue) -> None:
    """The way-in settings of a queue (languages, customer number, recording)."""
    languages = queue.languages
    if not isinstance(languages, list) or not all(
        isinstance(lang, str) and re.fullmatch(r"[a-z]{2,3}", lang) for lang in languages
    ):
        raise ValidationError('languages must be a list like ["sv", "en"]', field="languages")
    if len(languages) > 9:
        raise ValidationError("at most 9 languages (one key each)", field="languages")
    CustomerNumberRule(
        queue.customer_number,
        queue.customer_number_min,
        queue.customer_number_max,
        queue.customer_number_checksum,
    )
    check_template(queue.screen_pop_url)
    if queue.recording not in RECORDING_MODES:
        raise ValidationError(
            f"recording must be one of {', '.join(RECORDING_MODES)}", field="recording"
        )
