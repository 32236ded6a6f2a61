"""A call report as a spreadsheet: CSV for any tool, XLSX (XlsxWriter) with numbers as
numbers, a header row that stays in view and the total at the bottom."""

from __future__ import annotations

import csv
import io

import xlsxwriter

from ehd.stats.call_report import CallReport
from ehd.stats.intervals import MEASURE_NAMES

COLUMNS = ("period", "group", *MEASURE_NAMES)


def _table(report: CallReport) -> list[list[object]]:
    lines: list[list[object]] = [
        [row.label, row.group, *row.measures.values()] for row in report.rows
    ]
    lines.append(["total", "", *report.totals.values()])
    return lines


def as_csv(report: CallReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(["" if value is None else value for value in line] for line in _table(report))
    return out.getvalue()


def as_xlsx(report: CallReport, title: str = "Calls") -> bytes:
    """Blocks for a moment on a long report: call it off the event loop."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, COLUMNS, bold)
    for number, line in enumerate(_table(report), start=1):
        sheet.write_row(number, 0, ["" if value is None else value for value in line])
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 1, 18)
    book.close()
    return out.getvalue()
