"""The template editor's fields to the body ``save_template`` takes. Pure. Lists are rows
(``suggestion_{i}``, ``step_{i}``, ``type_{i}_name``/``type_{i}_instruction``); empty rows
are dropped; the matching rules are the filter rule rows."""

from __future__ import annotations

import re
from typing import Any

from multidict import MultiMapping

from ehd.plain_numbers import is_digits
from ehd.web.tickets.rule_rows import rules_from_form

TEXTS = ("subject", "description", "solution", "default_status", "default_priority", "group",
         "site", "calendar")  # fmt: skip


def _column(form: MultiMapping[Any], pattern: str) -> list[tuple[int, str]]:
    rows = [(int(m.group(1)), str(value).strip()) for key, value in form.items()
            if (m := re.fullmatch(pattern, key))]  # fmt: skip
    return sorted(rows)


def template_from_form(form: MultiMapping[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {key: str(form.get(key, "")).strip() for key in TEXTS}
    body["suggested_solutions"] = [t for _, t in _column(form, r"suggestion_([0-9]+)") if t]
    body["steps"] = [t for _, t in _column(form, r"step_([0-9]+)") if t]
    instructions = dict(_column(form, r"type_([0-9]+)_instruction"))
    body["types"] = [{"name": name, "instruction": instructions.get(i, "")}
                     for i, name in _column(form, r"type_([0-9]+)_name")
                     if name or instructions.get(i)]  # fmt: skip
    goal = str(form.get("sla_goal_minutes", "")).strip()
    body["sla_goal_minutes"] = (int(goal) if is_digits(goal) and len(goal) < 9 else goal) or None
    rules = rules_from_form(form)
    body["match_rules"] = {"rules": rules} if rules else {}
    return body
