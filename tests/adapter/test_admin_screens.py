"""Admin screens over a real database (DIDs, queues, the control panel's ticket options):
saved through the same checks as the JSON API, with clear errors on the page for bad input."""

from __future__ import annotations

import io
from pathlib import Path

import aiohttp

from ehd.config import Config
from ehd.db.models import (
    ClassificationProfile,
    Did,
    HotPrompt,
    Mailbox,
    Queue,
    QueueMember,
    Site,
    Sound,
    SurveyProfile,
    Ticket,
    User,
    VoicemailMessage,
)
from ehd.mailboxes.quarantine import quarantine
from ehd.tickets.options import ticket_options
from ehd.tickets.service import create_ticket
from tests.harness.audio import sine_file
from tests.harness.poison_mail import POISON
from tests.harness.web_client import csrf_token, post_form


async def test_queues_are_created_edited_and_staffed(admin_pages: aiohttp.ClientSession) -> None:
    status, page = await post_form(
        admin_pages, "/admin/queues", "/admin/queues", {"name": "support"}
    )
    assert status == 200 and "Queue support" in page
    for taken_or_bad in ("support", "no spaces"):
        status, _ = await post_form(
            admin_pages, "/admin/queues", "/admin/queues", {"name": taken_or_bad}
        )
        assert status == 400
    form = {"strategy": "ring_all", "ring_timeout": "20", "sl_goal_seconds": "30",
            "overflow_after": "", "greeting": "welcome"}  # fmt: skip
    status, page = await post_form(
        admin_pages, "/admin/queues/support", "/admin/queues/support", form
    )
    assert status == 200 and "Saved." in page
    queue = await Queue.get(name="support")
    assert (queue.strategy, queue.ring_timeout, queue.sl_goal_seconds) == ("ring_all", 20.0, 30.0)
    status, page = await post_form(admin_pages, "/admin/queues/support", "/admin/queues/support",
                              {"ring_timeout": "soon"})  # fmt: skip
    assert status == 400 and "ring_timeout must be a number such as 12 or 2.5" in page
    assert 'value="soon"' in page, "the refused input is not shown again"
    for odd in ("٣", "nan", "inf", "1e400"):
        status, _ = await post_form(admin_pages, "/admin/queues/support", "/admin/queues/support",
                                    {"ring_timeout": odd})  # fmt: skip
        assert status == 400, odd
    assert (await Queue.get(name="support")).ring_timeout == 20.0
    status, page = await post_form(admin_pages, "/admin/queues/support", "/admin/queues/support",
                              {"strategy": "random-ish"})  # fmt: skip
    assert status == 400 and (await Queue.get(name="support")).strategy == "ring_all"
    await post_form(admin_pages, "/admin/queues/support/members", "/admin/queues/support",
               {"username": "anna", "penalty": "2"})  # fmt: skip
    assert (await QueueMember.get(queue=queue)).penalty == 2
    await post_form(admin_pages, "/admin/queues/support/members", "/admin/queues/support",
               {"username": "anna", "penalty": "remove"})  # fmt: skip
    assert not await QueueMember.exists(queue=queue)


async def test_numbers_are_routed_with_checked_targets(admin_pages: aiohttp.ClientSession) -> None:
    await Queue.create(name="sales")
    form = {"number": "4711", "route_type": "queue", "target": "sales", "priority": "5",
            "ring_seconds": "", "description": "Sales line"}  # fmt: skip
    status, page = await post_form(admin_pages, "/admin/dids", "/admin/dids", form)
    assert status == 200 and "Sales line" in page
    did = await Did.get(number="4711").prefetch_related("queue")
    assert did.queue is not None and did.queue.name == "sales" and did.priority == 5
    for bad, message in (({"number": "12ab"}, "2-20 digits"),
                         ({"target": "nowhere"}, "no queue"), ({"target": ""}, "choose the queue"),
                         ({"priority": "high"}, "whole number"),
                         ({"route_type": "teleport"}, "unknown route_type")):  # fmt: skip
        status, page = await post_form(admin_pages, "/admin/dids", "/admin/dids", {**form, **bad})
        assert status == 400 and message in page, (bad, page[-600:])


async def test_the_control_panel_sets_the_ticket_options(
    admin_pages: aiohttp.ClientSession,
) -> None:
    ticket = await create_ticket("Spam", "", "email", None, [])
    status, page = await post_form(admin_pages, f"/tickets/{ticket.number}/delete",
                                   f"/tickets/{ticket.number}", {})  # fmt: skip
    assert "turned off" in page and await Ticket.exists(id=ticket.id)
    form = {"allow_delete": "1", "assign_required": "1", "required": "ticket_type"}
    status, page = await post_form(admin_pages, "/admin/settings", "/admin/settings", form)
    assert status == 200 and "Saved." in page
    options = await ticket_options(Config())
    assert options.allow_delete and options.assign_required
    assert options.required_fields == ("ticket_type",) and not options.auto_assign
    status, page = await post_form(admin_pages, f"/tickets/{ticket.number}/delete",
                                   f"/tickets/{ticket.number}", {})  # fmt: skip
    assert f"Ticket {ticket.number} deleted." in page and not await Ticket.exists(id=ticket.id)
    status, page = await post_form(admin_pages, "/admin/settings", "/admin/settings",
                                   {"hidden": "password_hash"})  # fmt: skip
    assert status == 400 and "unknown field" in page


async def test_mailboxes_are_set_up_and_keep_their_password(
    admin_pages: aiohttp.ClientSession,
) -> None:
    await Site.create(code="ACME")
    form = {"name": "support", "host": "imap.example", "port": "993", "security": "tls",
            "username": "help", "password": "s3cret", "folder": "INBOX", "after_import": "flag",
            "creation": "review", "site": "ACME", "active": "1"}  # fmt: skip
    status, page = await post_form(admin_pages, "/admin/mailboxes", "/admin/mailboxes", form)
    assert status == 200 and "help@imap.example:993" in page and "s3cret" not in page
    box = await Mailbox.get(name="support").prefetch_related("site")
    assert (box.after_import, box.creation, box.site.code if box.site else "") == (
        "flag", "review", "ACME")  # fmt: skip
    status, _ = await post_form(admin_pages, "/admin/mailboxes", "/admin/mailboxes",
                                {**form, "password": "", "folder": "Support"})  # fmt: skip
    box = await Mailbox.get(name="support")
    assert box.password == "s3cret" and box.folder == "Support"
    for bad, message in (({"port": "imap"}, "port must be"), ({"security": "ssl3"}, "one of"),
                         ({"site": "NOPE"}, "no site"),
                         ({"name": "new", "host": ""}, "needs host")):  # fmt: skip
        status, page = await post_form(admin_pages, "/admin/mailboxes", "/admin/mailboxes",
                                       {**form, **bad})  # fmt: skip
        assert status == 400 and message in page, (bad, page[-500:])


async def test_classification_and_survey_profiles_from_lines(
    admin_pages: aiohttp.ClientSession,
) -> None:
    codes = {"name": "calls", "codes": "SALE | Sale made\nINFO\n"}
    status, page = await post_form(admin_pages, "/admin/profiles/classification", "/admin/profiles",
                                   codes)  # fmt: skip
    assert status == 200 and "SALE (Sale made)" in page
    profile = await ClassificationProfile.get(name="calls")
    assert profile.codes == [{"code": "SALE", "label": "Sale made"}, {"code": "INFO", "label": ""}]
    status, page = await post_form(admin_pages, "/admin/profiles/classification", "/admin/profiles",
                                   {"name": "calls", "codes": "SA LE | x"})  # fmt: skip
    assert status == 400 and "each code" in page
    questions = "cfi | survey-question-csat | 1 | 5\nnps | survey-question-nps | 0 | 10"
    status, page = await post_form(admin_pages, "/admin/profiles/survey", "/admin/profiles",
                                   {"name": "after", "questions": questions})  # fmt: skip
    assert status == 200 and "nps (0-10)" in page
    survey = await SurveyProfile.get(name="after")
    assert survey.questions[1] == {"id": "nps", "prompt": "survey-question-nps", "low": 0,
                                   "high": 10}  # fmt: skip
    for bad in ("cfi", "cfi | p | 5 | 1", "cfi | p | one | 5", "a | p\na | q"):
        status, page = await post_form(admin_pages, "/admin/profiles/survey", "/admin/profiles",
                                       {"name": "bad", "questions": bad})  # fmt: skip
        assert status == 400, bad
    assert not await SurveyProfile.exists(name="bad")


async def _upload(session: aiohttp.ClientSession, data: bytes, name: str) -> tuple[int, str]:
    async with session.get("/admin/sounds") as page:
        token = csrf_token(await page.text())
    form = aiohttp.FormData()
    for key, value in (("csrf_token", token), ("name", name), ("language", "sv")):
        form.add_field(key, value)
    form.add_field("file", io.BytesIO(data), filename=f"{name}.wav")
    async with session.post("/admin/sounds", data=form) as response:
        return response.status, await response.text()


async def test_sounds_upload_and_hot_prompts_switch(
    admin_pages: aiohttp.ClientSession, tmp_path: Path
) -> None:
    status, page = await _upload(admin_pages, sine_file(tmp_path / "t.wav", "wav"), "storm")
    assert status == 200 and "<td>storm</td><td>sv</td>" in page
    status, page = await _upload(admin_pages, b"RIFF not really a wav", "broken")
    assert status == 400 and not await Sound.exists(name="broken")
    prompt = {"sound": "storm", "queue": "", "starts_at": "2026-12-24T08:00",
              "ends_at": "2026-12-24T18:00", "description": "Christmas Eve"}  # fmt: skip
    status, page = await post_form(admin_pages, "/admin/hot-prompts", "/admin/sounds", prompt)
    assert status == 200 and "Christmas Eve" in page and "2026-12-24 08:00" in page
    row = await HotPrompt.get(description="Christmas Eve")
    assert row.queue_id is None and row.starts_at is not None
    status, page = await post_form(admin_pages, "/admin/hot-prompts", "/admin/sounds",
                                   {**prompt, "sound": "nothing"})  # fmt: skip
    assert status == 400 and "Choose a sound" in page
    await post_form(admin_pages, f"/admin/hot-prompts/{row.id}", "/admin/sounds", {"action": "off"})
    assert not (await HotPrompt.get(id=row.id)).active
    await post_form(admin_pages, "/admin/sounds/sv/storm/delete", "/admin/sounds", {})
    assert not await Sound.exists(name="storm", language="sv")


async def test_the_users_page_tells_of_voicemail_that_could_not_be_mailed(
    admin_pages: aiohttp.ClientSession,
) -> None:
    async with admin_pages.get("/admin/users") as response:
        assert "could not be mailed" not in await response.text()
    anna = await User.get(username="anna")  # created without an email address
    for _ in range(2):
        await VoicemailMessage.create(user=anna, path="voicemail/1/x.wav", emailed=False)
    async with admin_pages.get("/admin/users") as response:
        page = await response.text()
    assert "could not be mailed" in page and 'href="/admin/users/anna">anna</a> (2)' in page
    anna.email = "anna@example.org"
    await anna.save()
    async with admin_pages.get("/admin/users") as response:
        assert "could not be mailed" not in await response.text()


async def test_quarantined_mail_is_listed_downloaded_retried_and_discarded(
    admin_pages: aiohttp.ClientSession, tmp_path: Path
) -> None:
    store = Config(data_dir=tmp_path).paths.mail
    first = await quarantine(POISON, store, "imap:support", IndexError("a check choked"))
    second = await quarantine(b"Subject: junk\r\n\r\nx\r\n", store, "smtp", ValueError("no"))
    async with admin_pages.get("/admin/mailboxes") as response:
        assert "Quarantined mail</a>: 2" in await response.text()
    async with admin_pages.get("/admin/mail-quarantine") as response:
        page = await response.text()
    assert f'id="kept-{first.id}"' in page and "pia@example.com" in page
    assert "IndexError: a check choked" in page
    async with admin_pages.get(f"/admin/mail-quarantine/{first.id}/raw") as response:
        assert response.content_type == "message/rfc822" and await response.read() == POISON
    token = csrf_token(page)
    async with admin_pages.post(
        f"/admin/mail-quarantine/{first.id}/retry", data={"csrf_token": token}
    ) as response:
        ticket = await Ticket.get(subject="poison")
        assert response.url.path == f"/tickets/{ticket.number}"
    async with admin_pages.post(
        f"/admin/mail-quarantine/{second.id}/discard", data={"csrf_token": token}
    ) as response:
        page = await response.text()
    assert "No mail is in quarantine." in page and f"#{ticket.number}" in page
    async with admin_pages.get("/admin/mail-quarantine/99/raw") as response:
        assert response.status == 404
