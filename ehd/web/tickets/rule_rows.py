"""Rows of filter rules and actions on the admin pages, to and from the stored definition.
Pure. Rows are ``rule_{i}_field``/``rule_{i}_negate``/``rule_{i}_words`` and
``action_{i}_kind``/``action_{i}_value``; rows left empty are dropped. Values that do not
parse are passed on as typed, so the filter parser names the problem and the page can show
the row again."""

from __future__ import annotations

import re
from typing import Any

from multidict import MultiMapping

from ehd.tickets.filters import Field

_ROW = re.compile(r"^(rule|action)_([0-9]+)_")


def _rows(form: MultiMapping[Any], kind: str) -> list[int]:
    found = {int(m.group(2)) for key in form if (m := _ROW.match(key)) and m.group(1) == kind}
    return sorted(found)


def _text(form: MultiMapping[Any], key: str) -> str:
    return str(form.get(key, "")).strip()


def _number(text: str) -> int | float | str:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def rules_from_form(form: MultiMapping[Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for i in _rows(form, "rule"):
        field, words = _text(form, f"rule_{i}_field"), _text(form, f"rule_{i}_words")
        if not words:
            continue
        rule: dict[str, Any] = {"field": field, "negate": bool(form.get(f"rule_{i}_negate"))}
        if field == Field.MINUTES_SINCE_CHANGE:
            rule["minutes"] = _number(words)
        else:
            rule["words"] = words.replace(",", " ").split()
        rules.append(rule)
    return rules


def actions_from_form(form: MultiMapping[Any]) -> list[dict[str, str]]:
    actions = []
    for i in _rows(form, "action"):
        kind, value = _text(form, f"action_{i}_kind"), _text(form, f"action_{i}_value")
        if kind or value:
            actions.append({"kind": kind, "value": value})
    return actions


def rule_rows(rules: Any) -> list[dict[str, Any]]:
    """Stored rules as the page shows them (words as one line)."""
    rows = []
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, dict):
            continue
        words = rule.get("minutes", rule.get("words", ""))
        text = " ".join(map(str, words)) if isinstance(words, list) else str(words)
        rows.append({"field": str(rule.get("field", "")), "negate": bool(rule.get("negate")),
                     "words": text})  # fmt: skip
    return rows


def filter_from_form(form: MultiMapping[Any]) -> dict[str, Any]:
    """The body ``save_filter`` takes."""
    weight = _text(form, "weight")
    return {
        "rules": rules_from_form(form),
        "actions": actions_from_form(form),
        "weight": _number(weight) if weight else 0,
        "continue": bool(form.get("continue")),
        "triggers": [str(t) for t in form.getall("triggers", [])],
        "site": _text(form, "site"),
        "active": bool(form.get("active")),
    }
