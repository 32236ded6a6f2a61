"""Subscribed reports made and mailed: the call or ticket statistics of the last period as PDF
(the page's figures and charts, drawn by WeasyPrint), XLSX and CSV, through ehd's outbox, in the
subscriber's language. A background job sends what is due; the report central page can send
one at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import jinja2

from ehd.calendars.store import ensure_default_calendar
from ehd.config import PROJECT_ROOT
from ehd.db.models import ReportSubscription
from ehd.mail import outbox
from ehd.mail.outbound import Mailer
from ehd.stats import exports
from ehd.stats.call_report import CallReport, call_report, parse_request
from ehd.stats.report_schedule import due_period
from ehd.stats.ticket_report import TicketReport, ticket_report
from ehd.stats.ticket_report import parse_request as parse_ticket_request
from ehd.web.boards.call_statistics import charts_of, duration, measure_labels, occupancy, shown
from ehd.web.boards.ticket_statistics import TICKET_MEASURE_LABELS, ticket_charts
from ehd.web.i18n import translations

log = logging.getLogger(__name__)

TYPES = {
    "pdf": ("application", "pdf"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("text", "csv"),
}
STYLESHEET = PROJECT_ROOT / "web" / "static" / "report_pdf.css"
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(PROJECT_ROOT / "web" / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content: bytes
    maintype: str
    subtype: str


def _pdf(report: CallReport, title: str, language: str) -> bytes:
    """Blocks for about half a second: run it off the event loop."""
    # imported here: loading Pango and WeasyPrint's own style sheets slows every start
    from weasyprint import CSS, HTML

    gettext = translations(language).gettext
    html = _TEMPLATES.get_template("report_pdf.html").render(
        _=gettext, lang=language, title=title, report=report, wanted=report.request,
        measures=measure_labels(report), charts=charts_of(report, gettext), duration=duration,
        occupancy=occupancy, shown=shown,
    )  # fmt: skip
    return bytes(HTML(string=html).write_pdf(stylesheets=[CSS(filename=STYLESHEET)]))


def _ticket_pdf(report: TicketReport, title: str, language: str) -> bytes:
    """Blocks for about half a second: run it off the event loop."""
    from weasyprint import CSS, HTML

    gettext = translations(language).gettext
    html = _TEMPLATES.get_template("report_pdf_tickets.html").render(
        _=gettext, lang=language, title=title, report=report, wanted=report.request,
        measures=TICKET_MEASURE_LABELS, charts=ticket_charts(report, gettext),
    )  # fmt: skip
    return bytes(HTML(string=html).write_pdf(stylesheets=[CSS(filename=STYLESHEET)]))


@dataclass(frozen=True)
class MadeReport:
    totals: dict[str, object]
    labels: dict[str, str]  # what the mail's text calls each total
    files: list[ReportFile]


async def report_files(
    subscription: ReportSubscription, first: date, last: date, zone: ZoneInfo
) -> MadeReport:
    """The subscribed view for the days, as the files the subscription chose."""
    query = {**subscription.query, "from": first.isoformat(), "to": last.isoformat()}
    await subscription.fetch_related("owner")
    language = subscription.owner.language
    tickets = query.get("report") == "tickets"
    name = "tickets" if tickets else "calls"
    base = f"ehd-{name}-{first}-{last}" if first != last else f"ehd-{name}-{first}"
    makers: dict[str, Callable[[], bytes]]
    if tickets:
        ticket_view = await ticket_report(parse_ticket_request(query, last))
        totals, labels = ticket_view.totals, TICKET_MEASURE_LABELS
        makers = {
            "pdf": lambda: _ticket_pdf(ticket_view, subscription.name, language),
            "xlsx": lambda: exports.tickets_xlsx(ticket_view),
            "csv": lambda: exports.tickets_csv(ticket_view).encode(),
        }
    else:
        call_view = await call_report(parse_request(query, last), zone)
        totals, labels = call_view.totals, measure_labels(call_view)
        makers = {
            "pdf": lambda: _pdf(call_view, subscription.name, language),
            "xlsx": lambda: exports.as_xlsx(call_view),
            "csv": lambda: exports.as_csv(call_view).encode(),
        }
    files = []
    for kind in subscription.formats:
        if kind in makers:  # else a format this version does not make
            content = await asyncio.to_thread(makers[kind])
            files.append(ReportFile(f"{base}.{kind}", content, *TYPES[kind]))
    return MadeReport(totals, labels, files)


def _message(
    mailer: Mailer, subscription: ReportSubscription, first: date, last: date, made: MadeReport
) -> EmailMessage:
    gettext = translations(subscription.owner.language).gettext
    period = first.isoformat() if first == last else f"{first} – {last}"
    lines = [
        f"{subscription.name}: {period}",
        "",
        *(
            f"{gettext(label)}: {shown(name, made.totals[name])}"
            for name, label in made.labels.items()
        ),
    ]
    message = mailer.build(", ".join(subscription.recipients), f"{subscription.name}: {period}",
                           "\n".join(lines) + "\n")  # fmt: skip
    for item in made.files:
        message.add_attachment(item.content, maintype=item.maintype, subtype=item.subtype,
                               filename=item.filename)  # fmt: skip
    return message


async def send_report(
    mailer: Mailer, subscription: ReportSubscription, first: date, last: date, zone: ZoneInfo
) -> bool:
    """Made and handed to the outbox; False when there is no mail server to send it."""
    if not mailer.enabled:
        log.info("report %r not sent: no mail server configured", subscription.name)
        return False
    made = await report_files(subscription, first, last, zone)
    await outbox.send(mailer, _message(mailer, subscription, first, last, made))
    return True


async def send_due_reports(mailer: Mailer, now: datetime | None = None) -> int:
    """Every subscription whose period is due; each marked sent once in the outbox."""
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    local = (now or datetime.now(zone)).astimezone(zone)
    sent = 0
    for subscription in await ReportSubscription.all().order_by("id"):
        period = due_period(
            subscription.frequency, subscription.hour, subscription.last_sent_through, local
        )
        if period is None:
            continue
        try:
            if not await send_report(mailer, subscription, *period, zone):
                continue
        except Exception:  # one broken subscription must not stop the others
            log.exception("report %s (%r) could not be made", subscription.id, subscription.name)
            continue
        subscription.last_sent_through = period[1]
        await subscription.save(update_fields=["last_sent_through"])
        sent += 1
    return sent
