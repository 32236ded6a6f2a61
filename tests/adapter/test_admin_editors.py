"""The admin editors with rows (calendars, ticket filters, templates, signatures) over a real
database: a page posted back unchanged changes nothing, edits land through the API's checks,
and a refused form comes back with what was typed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import aiohttp

from ehd.calendars.editing import calendar_view
from ehd.db.models import (
    Calendar,
    Queue,
    Signature,
    Site,
    Ticket,
    TicketFilter,
    TicketTemplate,
    User,
)
from ehd.tickets.service import create_ticket
from ehd.tickets.signatures import signature_for
from tests.harness.html_form import Fields, form_fields, with_values
from tests.harness.web_client import csrf_token, logged_in_session, post_form


async def _fields(session: aiohttp.ClientSession, page: str, action: str = "") -> Fields:
    async with session.get(page) as response:
        assert response.status == 200, page
        return form_fields(await response.text(), action or page)


async def _post(session: aiohttp.ClientSession, path: str, fields: Fields) -> tuple[int, str]:
    async with session.post(path, data=fields) as response:
        return response.status, await response.text()


async def test_calendar_posted_back_unchanged_stays_the_same(
    admin_pages: aiohttp.ClientSession,
) -> None:
    page = "/admin/calendars/default"
    before = await _fields(admin_pages, page)
    assert ("mon_from_0", "08:00") in before and ("holidays_closed", "1") in before
    view = await calendar_view(await Calendar.get(name="default"))
    status, _ = await _post(admin_pages, page, before)
    assert status == 200
    assert await calendar_view(await Calendar.get(name="default")) == view


async def test_calendar_hours_variations_and_holidays_edited_on_the_page(
    admin_pages: aiohttp.ClientSession,
) -> None:
    page = "/admin/calendars/default"
    fields = with_values(await _fields(admin_pages, page),
                         mon_to_0="12:00", mon_from_1="13:00", mon_to_1="17:00",
                         var_0_name="Lunch", var_0_time_from="12:00", var_0_time_to="13:00",
                         own_date_0="2026-12-28", own_name_0="Staff day")  # fmt: skip
    fields += [("var_0_weekdays", "tue"), ("var_0_weekdays", "wed"),
               ("holiday_open", "Midsummer Eve")]  # fmt: skip
    status, html = await _post(admin_pages, page, fields)
    assert status == 200 and "Saved." in html
    view = await calendar_view(await Calendar.get(name="default"))
    assert view["weekly"]["mon"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    lunch = {"id": 0, "name": "Lunch", "open": False, "date_from": None, "date_to": None,
             "weekdays": ["tue", "wed"], "time_from": "12:00", "time_to": "13:00",
             "audio": None}  # fmt: skip
    assert view["variations"][0] | {"id": 0} == lunch
    assert view["holidays_off"] == ["Midsummer Eve"]
    assert view["own_holidays"] == [{"date": "2026-12-28", "name": "Staff day"}]
    checks = {"2026-11-24T12:30": ("Closed", "variation Lunch"),
              "2026-11-23T12:30": ("Closed", "standard hours"),
              "2026-11-23T13:30": ("Open", "standard hours"),
              "2026-12-28T10:00": ("Closed", "holiday Staff day"),
              "2026-06-19T10:00": ("Open", "standard hours"),  # Midsummer Eve kept open
              "2026-12-25T10:00": ("Closed", "holiday Christmas Day")}  # fmt: skip
    for at, (state, why) in checks.items():
        async with admin_pages.get(page, params={"at": at}) as response:
            result = (await response.text()).split('id="check-result">')[1].split("</p>")[0]
        assert state in result and why in " ".join(result.split()), (at, result)


async def test_a_refused_calendar_keeps_what_was_typed(
    admin_pages: aiohttp.ClientSession,
) -> None:
    page = "/admin/calendars/default"
    fields = await _fields(admin_pages, page)
    before = await calendar_view(await Calendar.get(name="default"))
    for changes, message in (
        ({"tue_to_0": "25:00"}, "time &#39;25:00&#39; must be HH:MM"),
        ({"tue_to_0": "07:00"}, "time range 08:00-07:00 is empty"),
        ({"wed_from_1": "18:00"}, "wed: give both times of a range (18:00 alone)"),
        ({"var_0_name": "Late", "var_0_time_from": "20:00", "var_0_time_to": "19:00"},
         "time range 20:00-19:00 is empty"),
        ({"var_0_name": "Dates", "var_0_date_from": "2026-12-02", "var_0_date_to": "2026-12-01"},
         "the dates are reversed"),
        ({"timezone": "Mars/Olympus"}, "unknown timezone"),
        ({"country": "QQ"}, "no holiday calendar for country"),
    ):  # fmt: skip
        status, html = await _post(admin_pages, page, with_values(fields, **changes))
        assert status == 400 and message in html, (changes, html[:3000])
        typed = form_fields(html, page)
        assert all((name, value) in typed for name, value in changes.items()), changes
    assert await calendar_view(await Calendar.get(name="default")) == before


async def test_calendars_are_added_and_deleted_unless_in_use(
    admin_pages: aiohttp.ClientSession,
) -> None:
    fields = await _fields(admin_pages, "/admin/calendars")
    status, html = await _post(admin_pages, "/admin/calendars", with_values(fields, name="chat"))
    assert status == 200 and "Calendar chat" in html
    chat = await Calendar.get(name="chat")
    assert chat.weekly == (await Calendar.get(name="default")).weekly
    status, _ = await _post(admin_pages, "/admin/calendars", with_values(fields, name="chat"))
    assert status == 409
    await Queue.create(name="web", calendar=chat)
    status, html = await _post(admin_pages, "/admin/calendars/chat/delete", fields)
    assert status == 409 and "used by queue web" in html
    status, html = await _post(admin_pages, "/admin/calendars/default/delete", fields)
    assert status == 400 and await Calendar.exists(name="default")
    await Queue.filter(name="web").update(calendar_id=None)
    status, html = await _post(admin_pages, "/admin/calendars/chat/delete", fields)
    assert status == 200 and not await Calendar.exists(name="chat")
    async with admin_pages.get("/admin/calendars/nothing") as response:
        assert response.status == 404


async def test_a_filter_is_built_from_rows_tried_and_saved(
    admin_pages: aiohttp.ClientSession,
) -> None:
    await Queue.create(name="billing")
    fields = await _fields(admin_pages, "/admin/filters")
    status, html = await _post(admin_pages, "/admin/filters", with_values(fields, name="invoices"))
    assert status == 200 and "Not saved yet." in html
    assert not await TicketFilter.exists(name="invoices")
    page = "/admin/filters/invoices"
    rows = with_values(form_fields(html, page), rule_0_field="subject",
                       rule_0_words="invoice* bill", action_0_kind="group",
                       action_0_value="billing", action_1_kind="priority",
                       action_1_value="high", weight="5")  # fmt: skip
    tried = with_values(rows, sample_subject="Invoice 2026-11", sample_body="hello")
    tried.append(("try", "1"))  # the "try without saving" button
    status, html = await _post(admin_pages, page, tried)
    assert status == 200 and "The filter matches." in html
    assert not await TicketFilter.exists(name="invoices")  # trying does not save
    assert ("rule_0_words", "invoice* bill") in form_fields(html, page)
    status, html = await _post(admin_pages, page, with_values(rows, sample_subject="Hello"))
    assert status == 200 and "Saved." in html
    stored = await TicketFilter.get(name="invoices")
    assert stored.active and stored.definition["weight"] == 5
    assert stored.definition["rules"] == [
        {"field": "subject", "negate": False, "words": ["invoice*", "bill"]}]  # fmt: skip
    assert stored.definition["actions"] == [{"kind": "group", "value": "billing"},
                                            {"kind": "priority", "value": "high"}]  # fmt: skip
    again = await _fields(admin_pages, page)
    status, _ = await _post(admin_pages, page, again)
    assert status == 200 and (await TicketFilter.get(name="invoices")).definition == (
        stored.definition)  # fmt: skip
    async with admin_pages.get("/admin/filters") as response:
        listing = await response.text()
    assert "subject: invoice* bill" in listing and "group billing" in listing


async def test_a_refused_filter_names_the_problem_and_keeps_the_rows(
    admin_pages: aiohttp.ClientSession,
) -> None:
    fields = await _fields(admin_pages, "/admin/filters")
    _, html = await _post(admin_pages, "/admin/filters", with_values(fields, name="alarms"))
    page = "/admin/filters/alarms"
    base = with_values(form_fields(html, page), rule_0_words="urgent")
    for changes, message in (
        ({"rule_0_words": "ur*gent"}, "only at its start or end"),
        ({"action_0_kind": "group", "action_0_value": "nowhere"}, "no response group"),
        ({"action_0_kind": "agent", "action_0_value": "ghost"}, "no active user"),
        ({"action_0_kind": "alarm", "action_0_value": "boss@example.com, not-a-number"},
         "neither an address nor a number"),
        ({"action_0_kind": "auto_reply", "action_0_value": "kb:999"}, "no knowledge-base"),
        ({"action_0_kind": "status", "action_0_value": "finished"}, "a status action sets"),
        ({"weight": "heavy"}, "whole number"),
    ):  # fmt: skip
        status, html = await _post(admin_pages, page, with_values(base, **changes))
        assert status == 400 and message in html, (changes, html[-2000:])
        typed = form_fields(html, page)
        assert all((n, v) in typed for n, v in changes.items() if n.endswith("value")), typed
    assert not await TicketFilter.exists(name="alarms")
    good = with_values(base, action_0_kind="alarm", action_0_value="boss@example.com, 0701234567")
    status, _ = await _post(admin_pages, page, good)
    assert status == 200 and await TicketFilter.exists(name="alarms")
    status, _ = await _post(admin_pages, f"{page}/delete", good)
    assert status == 200 and not await TicketFilter.exists(name="alarms")


async def test_a_template_is_edited_in_rows_and_guides_the_agent(
    admin_pages: aiohttp.ClientSession,
) -> None:
    await Queue.create(name="billing")
    fields = await _fields(admin_pages, "/admin/templates")
    _, html = await _post(admin_pages, "/admin/templates", with_values(fields, name="refund"))
    page = "/admin/templates/refund"
    rows = with_values(form_fields(html, page), subject="Refund", group="billing",
                       default_priority="high", sla_goal_minutes="240",
                       type_0_name="Card", type_0_instruction="Check the card log first",
                       step_0="Find the order", step_1="Refund in the shop system",
                       suggestion_0="Your refund is on its way.",
                       rule_0_field="subject", rule_0_words="refund* money")  # fmt: skip
    status, html = await _post(admin_pages, page, rows)
    assert status == 200 and "Saved." in html, html[-1500:]
    template = await TicketTemplate.get(name="refund").prefetch_related("group")
    assert template.group is not None and template.group.name == "billing"
    assert (template.default_priority, template.sla_goal_minutes) == ("high", 240)
    assert template.steps == ["Find the order", "Refund in the shop system"]
    assert template.types == [{"name": "Card", "instruction": "Check the card log first"}]
    assert template.suggested_solutions == ["Your refund is on its way."]
    assert template.match_rules == {"rules": [
        {"field": "subject", "negate": False, "words": ["refund*", "money"]}]}  # fmt: skip
    unchanged = await _fields(admin_pages, page)
    assert (await _post(admin_pages, page, unchanged))[0] == 200
    again = await TicketTemplate.get(name="refund")
    assert (again.steps, again.types, again.match_rules) == (
        template.steps, template.types, template.match_rules)  # fmt: skip
    refused = (({"sla_goal_minutes": "soon"}, "sla_goal_minutes must be positive"),
               ({"rule_0_words": "re*fund"}, "only at its start or end"))  # fmt: skip
    for changes, message in refused:
        status, html = await _post(admin_pages, page, with_values(unchanged, **changes))
        assert status == 400 and message in html
        assert all(pair in form_fields(html, page) for pair in changes.items())
    ticket = await create_ticket("Refund please", "", "email", None, [])
    await Ticket.filter(id=ticket.id).update(template_id=template.id)
    async with admin_pages.get(f"/tickets/{ticket.number}") as response:
        guidance = (await response.text()).split('id="guidance"')[1].split("</details>")[0]
    assert "Refund in the shop system" in guidance and "Check the card log first" in guidance


PNG = bytes.fromhex(  # a 1x1 pixel image
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5f1d2a80000000049454e44ae426082"
)


async def _post_signature(session: aiohttp.ClientSession, fields: dict[str, str],
                          image: bytes | None = None) -> tuple[int, str]:  # fmt: skip
    async with session.get("/signatures") as response:
        token = csrf_token(await response.text())
    form = aiohttp.FormData({"csrf_token": token, **fields})
    if image is not None:
        form.add_field("image", image, filename="logo.png", content_type="image/png")
    async with session.post("/signatures", data=form) as response:
        return response.status, await response.text()


async def test_signatures_with_images_per_user_and_site(
    admin_pages: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    await Site.create(code="ACME")
    admin = await User.get(username="admin")
    status, html = await _post_signature(admin_pages, {"owner": "mine", "text": "Ada\nSupport"},
                                         image=PNG)  # fmt: skip
    assert status == 200 and "Saved." in html
    mine = await signature_for(admin, None)
    assert mine is not None and mine.text == "Ada\nSupport" and mine.image.endswith(".png")
    assert (tmp_path / "signatures" / mine.image).read_bytes() == PNG
    async with admin_pages.get(f"/signatures/images/{mine.image}") as response:
        assert response.status == 200 and await response.read() == PNG
    await _post_signature(admin_pages, {"owner": "shared", "site": "ACME", "text": "Acme AB"})
    acme = await Site.get(code="ACME")
    found = await signature_for(None, acme.id)
    assert found is not None and found.text == "Acme AB"
    for image, message, code in ((b"GIF89" + b"x" * 10, "must be a PNG, JPEG or GIF", 400),
                                 (PNG + b"\0" * 600_000, "over 512 kB", 413)):  # fmt: skip
        status, html = await _post_signature(admin_pages, {"owner": "mine", "text": "Typed"},
                                             image=image)  # fmt: skip
        assert status == code and message in html and ">Typed</textarea>" in html
    assert (await signature_for(admin, None)).text == "Ada\nSupport"  # type: ignore[union-attr]
    status, _ = await _post_signature(admin_pages, {"owner": "mine", "text": "",
                                                    "remove_image": "1"})  # fmt: skip
    assert status == 200 and await signature_for(admin, None) is None
    assert not (tmp_path / "signatures" / mine.image).exists()


async def test_agents_set_their_own_signature_but_not_the_shared_ones(
    admin_pages: aiohttp.ClientSession,
) -> None:
    base = str(admin_pages._base_url)
    async with await logged_in_session(base, "anna", "anna-pass") as anna:
        status, html = await _post_signature(anna, {"owner": "mine", "text": "Anna"})
        assert status == 200 and "Shared signatures" not in html
        status, _ = await _post_signature(anna, {"owner": "shared", "text": "Hijack"})
        assert status == 403
    assert await Signature.filter(user_id__isnull=True).count() == 0
    anna_user = await User.get(username="anna")
    assert (await signature_for(anna_user, None)).text == "Anna"  # type: ignore[union-attr]


async def test_names_with_spaces_and_umlauts_survive_the_round_trip(
    admin_pages: aiohttp.ClientSession,
) -> None:
    for kind, name in (("filters", "VIP kunder"), ("templates", "Retur av vara"),
                       ("calendars", "Kväll & helg")):  # fmt: skip
        fields = await _fields(admin_pages, f"/admin/{kind}")
        status, html = await _post(admin_pages, f"/admin/{kind}", with_values(fields, name=name))
        assert status == 200, (kind, html[-800:])
        page = f"/admin/{kind}/{quote(name, safe='')}"
        rows = with_values(form_fields(html, page), rule_0_words="vip")
        status, html = await _post(admin_pages, page, rows)
        assert status == 200 and "Saved." in html, (kind, html[-800:])


async def test_every_queue_setting_is_on_the_screen_and_survives_a_round_trip(
    admin_pages: aiohttp.ClientSession,
) -> None:
    """The queue screen covers what the JSON API can set: posted back unchanged nothing moves,
    and the settings once only reachable by API (keys, timing, rules) are edited on it."""
    from ehd.queueing.queue_store import QUEUE_LINKS, QUEUE_SETTINGS

    status, _ = await post_form(admin_pages, "/admin/queues", "/admin/queues", {"name": "full"})
    assert status == 200
    page = "/admin/queues/full"
    fields = dict(await _fields(admin_pages, page))
    assert set(QUEUE_SETTINGS) | set(QUEUE_LINKS) <= set(fields), "settings missing on screen"
    before = await Queue.get(name="full")
    status, _ = await _post(admin_pages, page, await _fields(admin_pages, page))
    assert status == 200
    after = await Queue.get(name="full")
    assert {k: getattr(after, k) for k in QUEUE_SETTINGS} == {
        k: getattr(before, k) for k in QUEUE_SETTINGS
    }
    edits = {
        "exit_keys": '{"3": {"kind": "callback"}}',
        "callback_offer_after": "45",
        "callback_offer_position": "4",
        "announce_start_delay": "10",
        "penalty_rules": '[{"after": 60, "max": 5}]',
        "languages": '["sv", "en"]',
        "join_when": "logged_in",
    }
    status, page_text = await _post(
        admin_pages, page, with_values(await _fields(admin_pages, page), **edits)
    )
    assert status == 200 and "Saved." in page_text
    queue = await Queue.get(name="full")
    assert queue.exit_keys == {"3": {"kind": "callback"}}
    assert (queue.callback_offer_after, queue.callback_offer_position) == (45.0, 4)
    assert queue.announce_start_delay == 10.0 and queue.join_when == "logged_in"
    assert queue.penalty_rules == [{"after": 60, "max": 5}] and queue.languages == ["sv", "en"]
    bad = with_values(await _fields(admin_pages, page), exit_keys='{"1": ')
    status, page_text = await _post(admin_pages, page, bad)
    assert status == 400 and "exit_keys is not valid JSON" in page_text
    assert (await Queue.get(name="full")).exit_keys == {"3": {"kind": "callback"}}
