"""Report central over a real database and a real SMTP server: a supervisor subscribes to
the nightly call statistics, the report is mailed once after its hour with a PDF and an XLSX
that hold the day's figures, "send now" mails it again, bad subscriptions are a 400, and
subscriptions belong to their owner."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from aiohttp.test_utils import TestClient
from pypdf import PdfReader

from ehd.db.models import Queue, ReportSubscription, Role
from ehd.mail.outbound import Mailer
from ehd.stats.queue_log_import import import_queue_log
from ehd.stats.ticket_feed import fold_new
from ehd.web.boards.report_delivery import send_due_reports
from tests.adapter.test_call_statistics import QUEUE_LOG
from tests.adapter.test_ticket_statistics import seed_history
from tests.harness.mail_sink import MailSink, mail_sink
from tests.harness.web_client import app_client, csrf_token, log_in, mailing

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MORNING_AFTER = datetime(2027, 1, 16, 7, 0, tzinfo=STOCKHOLM)  # the history is of the 15th


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with mail_sink() as sink:
        yield sink


@pytest.fixture
async def setup(
    tmp_path: Path, sink: MailSink
) -> AsyncIterator[tuple[TestClient[Any, Any], Mailer, MailSink]]:
    config = mailing(tmp_path, sink)
    users = {"boss": Role.SUPERVISOR, "carl": Role.SUPERVISOR, "alice": Role.AGENT}
    async with app_client(config, users, login="boss") as client:
        await Queue.create(name="support", sl_goal_seconds=20)
        await Queue.create(name="sales", sl_goal_seconds=30)
        (tmp_path / "queue_log").write_text(QUEUE_LOG)
        await import_queue_log(tmp_path / "queue_log", {"support": 20.0, "sales": 30.0}.get)
        yield client, Mailer(config), sink


async def _subscribe(client: TestClient[Any, Any], **fields: Any) -> tuple[int, str]:
    page = await (await client.get("/statistics/reports")).text()
    form = {"csrf_token": csrf_token(page), "name": "Nightly SLA", "frequency": "daily",
            "hour": "6", "granularity": "hour", "group": "queue",
            "recipients": "boss@ehd.example, floor@ehd.example", **fields}  # fmt: skip
    data = [(k, v) for k, v in form.items() if k != "formats"]
    data += [("formats", kind) for kind in fields.get("formats", ("pdf", "xlsx"))]
    async with client.post("/statistics/reports", data=data, allow_redirects=False) as answer:
        return answer.status, await answer.text()


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[str(part.get_filename())] = payload
    return found


async def test_a_subscribed_report_arrives_once_with_its_pdf_and_xlsx(
    setup: tuple[TestClient[Any, Any], Mailer, MailSink],
) -> None:
    client, mailer, sink = setup
    status, _ = await _subscribe(client)
    assert status == 303
    assert await send_due_reports(mailer, MORNING_AFTER.replace(hour=5)) == 0  # before 06:00
    assert await send_due_reports(mailer, MORNING_AFTER) == 1
    message = await sink.wait_for("floor@ehd.example")
    assert message["Subject"] == "Nightly SLA: 2027-01-15"
    assert "Offered: 7" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    files = _attachments(message)
    assert sorted(files) == ["ehd-calls-2027-01-15.pdf", "ehd-calls-2027-01-15.xlsx"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files[
        "ehd-calls-2027-01-15.pdf"])).pages)  # fmt: skip
    assert "Nightly SLA" in text and "Offered" in text
    assert re.search(r"Service level \(of answered\)\s*75\.0", text), text
    sheet = openpyxl.load_workbook(io.BytesIO(files["ehd-calls-2027-01-15.xlsx"])).active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    total = dict(zip(lines[0], lines[-1], strict=True))
    assert (total["period"], total["offered"], total["service_level"]) == ("total", 7, 75)

    assert await send_due_reports(mailer, MORNING_AFTER.replace(hour=9)) == 0  # sent already
    saved = await ReportSubscription.get(name="Nightly SLA")
    assert saved.last_sent_through == date(2027, 1, 15)
    assert len(sink.messages) == 1

    page = await (await client.get("/statistics/reports")).text()
    async with client.post(f"/statistics/reports/{saved.id}/send",
                           data={"csrf_token": csrf_token(page)},
                           allow_redirects=False) as answer:  # fmt: skip
        assert answer.status == 303
    assert len(sink.messages) == 2


async def test_bad_subscriptions_are_a_400_and_each_belongs_to_its_owner(
    setup: tuple[TestClient[Any, Any], Mailer, MailSink],
) -> None:
    client, _, _ = setup
    for fields in (
        {"recipients": "nobody"},
        {"formats": ()},
        {"formats": ("pdf", "docx")},
        {"frequency": "hourly"},
        {"hour": "24"},
        {"hour": "²"},
        {"name": ""},
        {"granularity": "year"},
    ):
        status, page = await _subscribe(client, **fields)
        assert status == 400 and 'role="alert"' in page, fields
    assert await ReportSubscription.all().count() == 0
    assert (await _subscribe(client))[0] == 303
    mine = await ReportSubscription.get(name="Nightly SLA")

    client.session.cookie_jar.clear()
    await log_in(client, "carl", "carl-pass")
    page = await (await client.get("/statistics/reports")).text()
    assert "<td>Nightly SLA</td>" not in page  # another supervisor's
    async with client.post(f"/statistics/reports/{mine.id}/delete",
                           data={"csrf_token": csrf_token(page)}) as answer:  # fmt: skip
        assert answer.status == 404
    client.session.cookie_jar.clear()
    await log_in(client, "alice", "alice-pass")
    async with client.get("/statistics/reports") as answer:
        assert answer.status == 403
    assert await ReportSubscription.all().count() == 1


async def test_the_nightly_sla_compliance_report_arrives_with_the_ticket_figures(
    setup: tuple[TestClient[Any, Any], Mailer, MailSink],
) -> None:
    """The preset on report central: ticket statistics of yesterday per response group."""
    client, mailer, sink = setup
    await seed_history()
    await fold_new(STOCKHOLM, datetime(2030, 1, 1, tzinfo=STOCKHOLM))
    page = await (await client.get("/statistics/reports")).text()
    preset = re.search(r'href="(/statistics/reports\?report=tickets[^"]+)" id="sla-preset"', page)
    assert preset, page
    form_page = await (await client.get(preset.group(1).replace("&amp;", "&"))).text()
    assert 'value="SLA compliance"' in form_page
    form = [("csrf_token", csrf_token(form_page)), ("report", "tickets"),
            ("name", "SLA compliance"), ("frequency", "daily"), ("hour", "6"),
            ("granularity", "day"), ("group", "total"), ("formats", "pdf"), ("formats", "xlsx"),
            ("recipients", "floor@ehd.example")]  # fmt: skip
    async with client.post("/statistics/reports", data=form, allow_redirects=False) as answer:
        assert answer.status == 303, await answer.text()
    bad = [*form[:-1], ("recipients", "floor@ehd.example"), ("group", "colour")]
    async with client.post("/statistics/reports", data=bad, allow_redirects=False) as answer:
        assert answer.status == 400

    morning = datetime(2026, 11, 4, 7, 0, tzinfo=STOCKHOLM)  # the report of 3 November
    assert await send_due_reports(mailer, morning) == 1
    message = await sink.wait_for("floor@ehd.example")
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Solved: 2" in body and "Resolution within SLA %: 50.0" in body
    files = _attachments(message)
    assert sorted(files) == ["ehd-tickets-2026-11-03.pdf", "ehd-tickets-2026-11-03.xlsx"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files[
        "ehd-tickets-2026-11-03.pdf"])).pages)  # fmt: skip
    assert "SLA compliance" in text and re.search(r"Resolution within SLA %\s*50\.0", text), text
    sheet = openpyxl.load_workbook(io.BytesIO(files["ehd-tickets-2026-11-03.xlsx"])).active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    total = dict(zip(lines[0], lines[-1], strict=True))
    assert (total["period"], total["created"], total["solved"], total["resolution_sla"]) == (
        "total", 1, 2, 50
    )  # fmt: skip
