"""Template editor rows to the template body, and signature images told by their bytes."""

from __future__ import annotations

from multidict import MultiDict

from ehd.tickets.signatures import image_kind
from ehd.web.tickets.template_form import template_from_form


def test_rows_become_lists_and_empty_rows_go() -> None:
    body = template_from_form(MultiDict([
        ("subject", " Refund "), ("step_1", "Second"), ("step_0", "First"), ("step_2", ""),
        ("type_0_name", "Card"), ("type_0_instruction", "Check the log"),
        ("type_1_name", ""), ("type_1_instruction", ""),
        ("type_2_name", ""), ("type_2_instruction", "Nameless"),
        ("suggestion_0", ""), ("suggestion_1", "We are on it."),
        ("sla_goal_minutes", "90"), ("rule_0_field", "subject"), ("rule_0_words", ""),
    ]))  # fmt: skip
    assert body["subject"] == "Refund" and body["steps"] == ["First", "Second"]
    assert body["types"] == [{"name": "Card", "instruction": "Check the log"},
                             {"name": "", "instruction": "Nameless"}]  # fmt: skip
    assert body["suggested_solutions"] == ["We are on it."]
    assert body["sla_goal_minutes"] == 90 and body["match_rules"] == {}
    assert template_from_form(MultiDict([("sla_goal_minutes", "")]))["sla_goal_minutes"] is None
    assert template_from_form(MultiDict([("sla_goal_minutes", "1h")]))["sla_goal_minutes"] == "1h"


def test_images_are_told_by_their_first_bytes() -> None:
    assert image_kind(b"\x89PNG\r\n\x1a\n....") == "png"
    assert image_kind(b"\xff\xd8\xff\xe0") == "jpg"
    assert image_kind(b"GIF89a") == image_kind(b"GIF87a") == "gif"
    assert image_kind(b"<svg onload=alert(1)>") is None and image_kind(b"") is None
