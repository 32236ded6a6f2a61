"""The admin editors with rows (calendars, ticket filters, templates, signatures) over a real
database: a page posted back unchanged changes nothing, edits land through the API's checks,
and a refused form comes back with what was typed."""

from __future__ import annotations

import aiohttp

from ehd.calendars.editing import calendar_view
from ehd.db.models import Calendar, Queue, TicketFilter
from tests.harness.html_form import Fields, form_fields, with_values


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
