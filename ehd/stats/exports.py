"""Reports as spreadsheets: CSV for any tool, XLSX (XlsxWriter) with numbers as numbers, a
header row that stays in view and the total at the bottom."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import xlsxwriter

from ehd.stats.call_report import CallReport
from ehd.stats.ticket_report import MEASURES as TICKET_MEASURES
from ehd.stats.ticket_report import TicketReport

TICKET_COLUMNS = ("period", "group", *TICKET_MEASURES)
Lines = Sequence[Sequence[object]]


class _Row(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def group(self) -> str: ...

    @property
    def measures(self) -> Mapping[str, object]: ...


def _lines(rows: Iterable[_Row], totals: Mapping[str, object]) -> list[list[object]]:
    lines: list[list[object]] = [[row.label, row.group, *row.measures.values()] for row in rows]
    lines.append(["total", "", *totals.values()])
    return lines


def table_csv(header: Sequence[str], lines: Lines) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in line] for line in lines)
    return out.getvalue()


def table_xlsx(header: Sequence[str], lines: Lines, title: str) -> bytes:
    """Blocks for a moment on a long report: call it off the event loop."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    for number, line in enumerate(lines, start=1):
        sheet.write_row(number, 0, ["" if value is None else value for value in line])
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 1, 18)
    book.close()
    return out.getvalue()


def call_columns(report: CallReport) -> tuple[str, ...]:
    """Per queue or agent: queue_log's measures and the call records' additions; per site or
    number: the call records' measures."""
    return ("period", "group", *report.measure_names)


def as_csv(report: CallReport) -> str:
    return table_csv(call_columns(report), _lines(report.rows, report.totals))


def as_xlsx(report: CallReport, title: str = "Calls") -> bytes:
    return table_xlsx(call_columns(report), _lines(report.rows, report.totals), title)


def tickets_csv(report: TicketReport) -> str:
    return table_csv(TICKET_COLUMNS, _lines(report.rows, report.totals))


def tickets_xlsx(report: TicketReport, title: str = "Tickets") -> bytes:
    return table_xlsx(TICKET_COLUMNS, _lines(report.rows, report.totals), title)
