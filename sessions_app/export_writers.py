"""File writers of the session exports (SES-5): CSV, XLSX and PDF.

The CSV and XLSX writers take an iterable of rows and write them as they come, so an export
of 100,000 sessions holds one row (and the database driver's chunk) in memory, never the
whole list: ``csv.writer`` on an open file, openpyxl's write-only workbook (each sheet
streamed to a temporary file). WeasyPrint lays out a whole document at once, which is why
PDF exports are capped (settings.EXPORT_PDF_MAX_SESSIONS).

Rows are tuples in the order of ``COLUMNS`` holding typed values (int, str, aware datetime,
timedelta, Decimal or None); each writer renders them its own way: ISO 8601 text in CSV,
real numbers and dates in XLSX, localised text in the PDF.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # int | text | datetime | duration | kwh | kw | money
    width: int  # XLSX column width (characters)


COLUMNS: tuple[Column, ...] = (
    Column("session_id", _("Session ID"), "int", 10),
    Column("charger", _("Charger ID"), "text", 16),
    Column("charger_name", _("Charger"), "text", 20),
    Column("connector", _("Connector"), "int", 10),
    Column("tag", _("Tag"), "text", 16),
    Column("driver", _("Driver"), "text", 24),
    Column("plug_in", _("Plug-in"), "datetime", 18),
    Column("plug_out", _("Plug-out"), "datetime", 18),
    Column("duration", _("Duration"), "duration", 10),
    Column("energy_kwh", _("Energy (kWh)"), "kwh", 12),
    Column("meter_start_kwh", _("Meter start (kWh)"), "kwh", 16),
    Column("meter_stop_kwh", _("Meter stop (kWh)"), "kwh", 16),
    Column("max_power_kw", _("Max. power (kW)"), "kw", 14),
    Column("cost_per_kwh", _("Cost per kWh"), "money", 12),
    Column("total_cost", _("Total cost"), "money", 12),
    Column("currency", _("Currency"), "text", 9),
    Column("mileage_km", _("Mileage (km)"), "int", 12),
    Column("vehicle_id", _("Vehicle ID"), "text", 14),
    Column("stop_reason", _("Stop reason"), "text", 16),
)
COLUMN_INDEX = {column.key: i for i, column in enumerate(COLUMNS)}

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def duration_text(value: timedelta | None) -> str:
    """H:MM:SS, hours running past 24 (what spreadsheets read as a duration)."""
    if value is None:
        return ""
    seconds = max(0, int(value.total_seconds()))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# --- CSV -------------------------------------------------------------------------------------


def csv_value(value) -> str:
    """A typed value as CSV text: ISO times with their offset, h:mm:ss durations, plain decimals."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, timedelta):
        return duration_text(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def write_csv(path: Path, rows: Iterable[Sequence]) -> None:
    """Header and rows, comma-separated, dot decimals, times ISO 8601 with their UTC offset.

    UTF-8 with a byte-order mark: spreadsheet programs then read accented names correctly.
    """
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow([str(column.label) for column in COLUMNS])
        for row in rows:
            writer.writerow([csv_value(value) for value in row])


# --- XLSX ------------------------------------------------------------------------------------

XLSX_FORMATS = {
    "datetime": "yyyy-mm-dd hh:mm",
    "duration": "[h]:mm:ss",
    "kwh": "#,##0.000",
    "kw": "#,##0.00",
    "money": "#,##0.00",
}


def _xlsx_value(value):
    if isinstance(value, Promise):
        return str(value)  # a lazily translated label
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: the local wall-clock time (named in the summary).
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def write_xlsx(path: Path, rows: Iterable[Sequence], *, summary: Callable[[], list[tuple]],
               extra_sheets: Callable[[], dict[str, list[tuple]]] | None = None) -> None:
    """A "Sessions" sheet with typed cells (numbers as numbers, dates as dates) and a
    "Summary" sheet placed first. ``summary`` (and ``extra_sheets``) are called once every
    row is written, so they can report totals gathered while the rows streamed by."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Sessions")))
    for i, column in enumerate(COLUMNS):
        sheet.column_dimensions[_letter(i)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [XLSX_FORMATS.get(column.kind) for column in COLUMNS]
    for row in rows:
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            if number_format is None or value is None:
                cells.append(_xlsx_value(value))  # text: a plain value is cheaper than a cell object
                continue
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)

    summary_sheet = workbook.create_sheet(str(_("Summary")), 0)
    summary_sheet.column_dimensions["A"].width = 28
    summary_sheet.column_dimensions["B"].width = 36
    for label, value, *number_format in summary():
        label_cell = WriteOnlyCell(summary_sheet, value=str(label))
        label_cell.font = bold
        value_cell = WriteOnlyCell(summary_sheet, value=_xlsx_value(value))
        if number_format and number_format[0]:
            value_cell.number_format = number_format[0]
        summary_sheet.append([label_cell, value_cell])
    for title, sheet_rows in (extra_sheets() if extra_sheets else {}).items():
        extra = workbook.create_sheet(str(title))
        for i, width in enumerate((28, 36, 16, 18, 14)):
            extra.column_dimensions[_letter(i)].width = width
        for n, sheet_row in enumerate(sheet_rows):
            cells = []
            for value in sheet_row:
                cell = WriteOnlyCell(extra, value=_xlsx_value(value))
                if n == 0:
                    cell.font = bold
                elif isinstance(value, Decimal):
                    cell.number_format = "#,##0.00##"
                elif isinstance(value, datetime):
                    cell.number_format = XLSX_FORMATS["datetime"]
                cells.append(cell)
            extra.append(cells)
    workbook.save(path)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# --- PDF -------------------------------------------------------------------------------------
#
# WeasyPrint spends about 1 ms and 18 KiB on every text box it lays out, and keeps the boxes
# until the file is written: a table cell per value costs a 5,000-session PDF minutes and
# gigabytes. So the sessions' table is set as one monospaced line of text per session, its
# columns padded to fixed widths: twenty times cheaper, and still aligned.

# (column key, width in characters, right-aligned); every COLUMNS key, "charger" as its name.
PDF_LINE = (
    ("session_id", 7, True), ("charger_name", 14, False), ("connector", 2, True), ("tag", 16, False),
    ("driver", 16, False), ("plug_in", 16, False), ("plug_out", 16, False), ("duration", 8, True),
    ("energy_kwh", 9, True), ("meter_start_kwh", 11, True), ("meter_stop_kwh", 11, True),
    ("max_power_kw", 6, True), ("cost_per_kwh", 6, True), ("total_cost", 9, True), ("currency", 3, False),
    ("mileage_km", 7, True), ("vehicle_id", 10, False), ("stop_reason", 22, False),
)
PDF_HEADER = {
    "session_id": _("ID"), "charger_name": _("Charger"), "connector": "#", "tag": _("Tag"), "driver": _("Driver"),
    "plug_in": _("Plug-in"), "plug_out": _("Plug-out"), "duration": _("Duration"), "energy_kwh": "kWh",
    "meter_start_kwh": _("Meter start"), "meter_stop_kwh": _("Meter stop"), "max_power_kw": "kW",
    "cost_per_kwh": "/kWh", "total_cost": _("Total"), "currency": "", "mileage_km": "km",
    "vehicle_id": _("Vehicle"), "stop_reason": _("Stop reason"),
}


def _pdf_value(value) -> str:
    from django.utils.formats import date_format, number_format

    if value is None:
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return f"{date_format(local, 'SHORT_DATE_FORMAT')} {local:%H:%M}"
    if isinstance(value, timedelta):
        return duration_text(value)
    if isinstance(value, Decimal):
        return number_format(value)
    return str(value)


def _fit(text: str, width: int, right: bool) -> str:
    text = " ".join(text.split())
    if len(text) > width:
        text = text[:width - 1] + "…"
    return text.rjust(width) if right else text.ljust(width)


def pdf_header_line() -> str:
    return " ".join(_fit(str(PDF_HEADER[key]), width, right) for key, width, right in PDF_LINE).rstrip()


def pdf_line(row: dict) -> str:
    """One session as a line of fixed-width columns (``row``: COLUMNS key → typed value)."""
    return " ".join(_fit(_pdf_value(row[key]), width, right) for key, width, right in PDF_LINE).rstrip()


def pdf_document(html: str, *, base_url: str | None = None):
    """The laid-out WeasyPrint document (pages, boxes): written to a file by ``write_pdf``,
    and read by the tests, which find the text on its pages."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).render()


def write_pdf(path: Path, html: str, *, base_url: str | None = None) -> int:
    """Write the PDF; returns its number of pages."""
    document = pdf_document(html, base_url=base_url)
    document.write_pdf(target=str(path))
    return len(document.pages)
