"""Subscribed reports: what a subscription form may say, when a report is due and which days
it covers. Pure.

A daily report covers yesterday, a weekly one last week (Monday to Sunday), a monthly one last
month; each is sent once, after the subscription's hour on the site's clock, and a report
missed while ehd was down is sent at the next chance (only the latest period: a week's
outage sends one daily report, not seven).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ehd.db.models import ReportFrequency
from ehd.errors import ValidationError
from ehd.stats.call_report import parse_request
from ehd.stats.ticket_report import parse_request as parse_ticket_request


def last_period(frequency: ReportFrequency, today: date) -> tuple[date, date]:
    """The last whole period before ``today``: (first day, last day)."""
    match frequency:
        case ReportFrequency.DAILY:
            day = today - timedelta(days=1)
            return day, day
        case ReportFrequency.WEEKLY:
            monday = today - timedelta(days=today.weekday())
            return monday - timedelta(days=7), monday - timedelta(days=1)
        case ReportFrequency.MONTHLY:
            last = today.replace(day=1) - timedelta(days=1)
            return last.replace(day=1), last


def due_period(
    frequency: ReportFrequency, hour: int, sent_through: date | None, now_local: datetime
) -> tuple[date, date] | None:
    """The period to send now, or None (not yet the hour, or already sent)."""
    if now_local.hour < hour:
        return None
    first, last = last_period(frequency, now_local.date())
    if sent_through is not None and sent_through >= last:
        return None
    return first, last


FORMATS = ("pdf", "xlsx", "csv")
MAX_RECIPIENTS = 20
_ADDRESS = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")
# What a subscription keeps of its view: of the call statistics, of the ticket statistics.
VIEW_KEYS = ("granularity", "group", "queue")
TICKET_VIEW_KEYS = ("granularity", "group", "channel", "site", "group_name", "agent", "template")
REPORTS = ("calls", "tickets")


@dataclass(frozen=True)
class SubscriptionForm:
    name: str
    frequency: ReportFrequency
    hour: int
    formats: list[str]
    recipients: list[str]
    query: dict[str, str]


def parse_subscription(
    fields: Mapping[str, str], formats: Sequence[str], today: date
) -> SubscriptionForm:
    """A subscription from a form (``formats``: the ticked boxes); bad input says which."""
    name = fields.get("name", "").strip()
    if not 1 <= len(name) <= 128:
        raise ValidationError("name: 1-128 characters", field="name")
    try:
        frequency = ReportFrequency(fields.get("frequency", ""))
    except ValueError as err:
        raise ValidationError("frequency: daily, weekly or monthly", field="frequency") from err
    hour_text = fields.get("hour", "6").strip()
    if not (hour_text.isascii() and hour_text.isdigit() and int(hour_text) <= 23):
        raise ValidationError("hour: 0-23", field="hour")
    chosen = [f for f in FORMATS if f in set(formats)]
    if not chosen or len(set(formats) - set(FORMATS)):
        raise ValidationError("formats: one or more of pdf, xlsx, csv", field="formats")
    recipients = [r.strip() for r in re.split(r"[,;\s]+", fields.get("recipients", "")) if r]
    if not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise ValidationError(f"recipients: 1-{MAX_RECIPIENTS} addresses", field="recipients")
    for address in recipients:
        if not _ADDRESS.fullmatch(address) or len(address) > 254:
            raise ValidationError(f"recipients: {address!r} is not an address", field="recipients")
    report = fields.get("report") or "calls"
    match report:
        case "calls":
            query = {key: fields[key] for key in VIEW_KEYS if fields.get(key)}
            parse_request(query, today)  # the view's own checks
        case "tickets":
            query = {key: fields[key] for key in TICKET_VIEW_KEYS if fields.get(key)}
            parse_ticket_request(query, today)
            query["report"] = "tickets"
        case _:
            raise ValidationError("report: calls or tickets", field="report")
    return SubscriptionForm(name, frequency, int(hour_text), chosen, recipients, query)
