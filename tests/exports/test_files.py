"""SES-5: each format opened and read back with the figures of the sessions (tests/exports/
conftest.py works them out): CSV with the csv module, XLSX with openpyxl, PDF through
WeasyPrint's own document (the one written to the file)."""

import csv
import re
from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from sessions_app import export_writers
from sessions_app.exports import export_file_path
from tests.exports.conftest import export_now

pytestmark = pytest.mark.django_db

HEADER = ["Session ID", "Charger ID", "Charger", "Connector", "Tag", "Driver", "Plug-in", "Plug-out", "Duration",
          "Energy (kWh)", "Meter start (kWh)", "Meter stop (kWh)", "Max. power (kW)", "Cost per kWh", "Total cost",
          "Currency", "Mileage (km)", "Vehicle ID", "Stop reason"]


def read_csv(export):
    with open(export_file_path(export), encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def pdf_texts(document) -> list[str]:
    """The text boxes of a laid-out WeasyPrint document, in reading order."""
    parts = []
    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if getattr(box, "text", None):
                parts.append(box.text)
            stack.extend(reversed(getattr(box, "children", None) or []))
    return parts


def pdf_text(document) -> str:
    return " ".join(pdf_texts(document))


@pytest.fixture
def pdf_documents(monkeypatch):
    """The documents the job lays out and writes to its files."""
    documents = []
    original = export_writers.pdf_document

    def spy(*args, **kwargs):
        document = original(*args, **kwargs)
        documents.append(document)
        return document

    monkeypatch.setattr(export_writers, "pdf_document", spy)
    return documents


def test_csv_has_every_column_and_the_figures_of_each_session(sessions, member, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=member, format="csv")

    assert export.status == "done" and export.rows_done == export.rows_total == 3
    rows = read_csv(export)
    assert rows[0] == HEADER
    by_id = {int(row[0]): dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert list(by_id) == [sessions.m1.pk, sessions.m2.pk, sessions.m3.pk]  # oldest first; not the owner's
    m1 = by_id[sessions.m1.pk]
    assert m1 == {
        "Session ID": str(sessions.m1.pk), "Charger ID": "CP-GROUP", "Charger": "Residence", "Connector": "1",
        "Tag": m1["Tag"], "Driver": "Max " + member.last_name,
        "Plug-in": "2026-03-02T09:00:00+01:00", "Plug-out": "2026-03-02T10:30:00+01:00", "Duration": "1:30:00",
        "Energy (kWh)": "12.000", "Meter start (kWh)": "1.000", "Meter stop (kWh)": "13.000",
        "Max. power (kW)": "11.00", "Cost per kWh": "0.38", "Total cost": "4.60", "Currency": "EUR",
        "Mileage (km)": "42100", "Vehicle ID": "M-EV 42", "Stop reason": "Vehicle disconnected",
    }
    assert m1["Tag"].startswith("MEMBER1")
    assert [by_id[s.pk]["Total cost"] for s in (sessions.m2, sessions.m3)] == ["3.25", "2.50"]
    assert [by_id[s.pk]["Cost per kWh"] for s in (sessions.m2, sessions.m3)] == ["0.43", "0.50"]
    # Summer time from 29 March: the offset follows.
    assert by_id[sessions.m3.pk]["Plug-in"] == "2026-04-01T12:00:00+02:00"
    assert by_id[sessions.m2.pk]["Stop reason"] == "Stopped remotely"


def test_csv_of_the_owner_holds_the_free_home_session_without_cost(sessions, owner, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=owner, format="csv",
                        scope="filtered", filters={"charger": "CP-HOME"})
    rows = read_csv(export)
    assert len(rows) == 2
    row = dict(zip(HEADER, rows[1], strict=True))
    assert row["Session ID"] == str(sessions.o1.pk)
    assert (row["Energy (kWh)"], row["Total cost"], row["Cost per kWh"], row["Currency"]) == ("4.000", "", "", "")
    assert (row["Meter start (kWh)"], row["Meter stop (kWh)"]) == ("100.000", "104.000")


def test_xlsx_cells_are_typed_and_the_summary_sheet_comes_first(sessions, member, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=member, format="xlsx",
                        scope="filtered", filters={"month": "2026-03"})

    workbook = load_workbook(export_file_path(export))
    assert workbook.sheetnames == ["Summary", "Sessions"]
    rows = list(workbook["Sessions"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert [row[0] for row in rows[1:]] == [sessions.m1.pk, sessions.m2.pk]  # March only
    m1 = dict(zip(HEADER, rows[1], strict=True))
    assert m1["Plug-in"] == datetime(2026, 3, 2, 9, 0)  # a date cell, local time
    assert m1["Duration"] == timedelta(hours=1, minutes=30)
    assert m1["Energy (kWh)"] == 12 and isinstance(m1["Energy (kWh)"], int | float)
    assert m1["Total cost"] == pytest.approx(4.60) and m1["Cost per kWh"] == pytest.approx(0.38)
    assert m1["Max. power (kW)"] == pytest.approx(11.0) and m1["Mileage (km)"] == 42100
    cells = next(workbook["Sessions"].iter_rows(min_row=2, max_row=2))
    assert cells[6].is_date and cells[6].number_format == "yyyy-mm-dd hh:mm"
    assert cells[9].number_format == "#,##0.000" and cells[14].number_format == "#,##0.00"

    summary = dict(workbook["Summary"].iter_rows(values_only=True))
    assert summary["Export"] == "March 2026"
    assert summary["Period"] == "March 2026"
    assert summary["Sessions"] == 2
    assert summary["Energy (kWh)"] == pytest.approx(19.5)
    assert summary["Total cost (EUR)"] == pytest.approx(7.85)
    assert summary["Time zone"] == "Europe/Berlin"


def test_xlsx_of_one_session_adds_its_cost_lines_and_log(sessions, member, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=member, format="xlsx",
                        scope="session", filters={"session": sessions.m1.pk})

    workbook = load_workbook(export_file_path(export))
    assert workbook.sheetnames == ["Summary", "Sessions", "Cost", "Log"]
    cost = list(workbook["Cost"].iter_rows(values_only=True))
    assert cost[1][:4] == ("Energy", None, "12 kWh", "0.30 EUR/kWh") and cost[1][4] == pytest.approx(3.60)
    assert cost[2][0] == "Connection fee" and cost[2][4] == pytest.approx(1.00)
    assert cost[-1][0] == "Total" and cost[-1][4] == pytest.approx(4.60)
    log = [row[1] for row in workbook["Log"].iter_rows(min_row=2, values_only=True)]
    assert log[:2] == ["Authorized", "Charging started"] and "Charging stopped" in log


def test_pdf_summary_and_table(sessions, member, pdf_documents, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=member, format="pdf")

    path = export_file_path(export)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert export.size_bytes == len(data)
    [document] = pdf_documents
    assert len(document.pages) == 1
    text = pdf_text(document)
    assert "Charging sessions" in text and "All sessions" in text
    assert "March 2, 2026 – April 1, 2026" in text  # the period
    assert "24.500 kWh" in text and "10.35 EUR" in text  # total energy and cost
    # One line per session, its columns aligned (see export_writers.PDF_LINE).
    lines = [line for line in pdf_texts(document) if "MEMBER1" in line]
    assert [int(line.split()[0]) for line in lines] == [sessions.m1.pk, sessions.m2.pk, sessions.m3.pk]
    assert re.search(r"12\.000 +1\.000 +13\.000 +11\.00 +0\.38 +4\.60 EUR +42100 M-EV 42 +Vehicle disconnected",
                     lines[0]), lines[0]
    assert re.search(r"7\.500 +13\.000 +20\.500 +7\.40 +0\.43 +3\.25 EUR +Stopped remotely", lines[1]), lines[1]
    assert re.search(r"5\.000 +20\.500 +25\.500 +0\.50 +2\.50 EUR", lines[2]), lines[2]
    assert "03/02/2026 09:00 03/02/2026 10:30  1:30:00" in lines[0]
    assert "Times in Europe/Berlin" in text


def test_pdf_of_one_session_writes_the_cost_out_and_shows_its_log(
    sessions, member, pdf_documents, django_capture_on_commit_callbacks
):
    export = export_now(django_capture_on_commit_callbacks, user=member, format="pdf",
                        scope="session", filters={"session": sessions.m1.pk})

    assert export.status == "done"
    text = pdf_text(pdf_documents[0])
    assert f"Session #{sessions.m1.pk}" in text
    assert "12 kWh × 0.30 EUR/kWh 3.60 EUR" in text  # the energy line
    assert "Connection fee 1 × 1.00 EUR 1.00 EUR" in text
    assert "Total" in text and "4.60 EUR" in text and "Tariff: Standard" in text
    assert "Authorized" in text and "Charging started" in text and "Charging stopped" in text
    assert "42100 km" in text and "M-EV 42" in text
    assert "0.38 EUR/kWh" in text


def test_pdf_in_the_language_of_the_request(sessions, member, pdf_documents, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=member, format="pdf", language="de")

    assert export.language == "de"
    text = pdf_text(pdf_documents[0])
    assert "24,500 kWh" in text and "10,35 EUR" in text  # German decimal commas


def test_writers_stream_rows_from_any_iterable(tmp_path):
    """The writers pull rows one by one: a generator is enough (nothing is listed first)."""
    start = datetime(2026, 3, 2, 8, tzinfo=datetime.now().astimezone().tzinfo)
    row = (1, "CP-1", "Home", 1, "TAG", "Ann", start, start + timedelta(hours=1), timedelta(hours=1), D("1.000"),
           D("0.000"), D("1.000"), None, None, None, "", None, "", "")
    pulled = []

    def rows():
        for i in range(3):
            pulled.append(i)
            yield row

    export_writers.write_csv(tmp_path / "x.csv", rows())
    assert pulled == [0, 1, 2]
    export_writers.write_xlsx(tmp_path / "x.xlsx", rows(), summary=lambda: [("Sessions", 3, "0")])
    assert list(load_workbook(tmp_path / "x.xlsx")["Summary"].iter_rows(values_only=True)) == [("Sessions", 3)]
