"""SES-5 in a real browser on a phone: a driver asks for an export of a month as XLSX, the job
runs, the list shows it ready, the download opens with the right figures; the e-mailed link
asks a signed-out browser to sign in, then downloads; a PDF of everything follows."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sessions_app.models import SessionExport
from tests.e2e import sent_mails
from tests.exports.conftest import charge
from tests.servers import login, phone_context, screenshot
from tests.signin import fill_captcha

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def first_pk(user) -> int:
    return SessionExport.objects.filter(user=user).order_by("pk").values_list("pk", flat=True).first()


def test_driver_exports_a_month_and_downloads_it(server_factory, browser, world, group_charger, member, password,
                                                 tmp_path):
    m1 = charge(group_charger, "MEMBER1", "2026-03-02T08:00:00Z", "2026-03-02T09:30:00Z", 1000, 13000,
                middle="2026-03-02T08:45:00Z")
    m2 = charge(group_charger, "MEMBER1", "2026-03-10T17:00:00Z", "2026-03-10T18:00:00Z", 13000, 20500)
    charge(group_charger, "MEMBER1", "2026-04-01T10:00:00Z", "2026-04-01T11:00:00Z", 20500, 25500)
    mails = tmp_path / "mails"
    mails.mkdir()
    server = server_factory("exports", extra_env={"TEST_EMAIL_FILE_PATH": str(mails)})
    context, page = phone_context(browser, accept_downloads=True)
    errors = page.console_errors
    try:
        login(page, server.url, member.email, password)
        page.goto(server.url + reverse("app:exports"))
        assert page.locator("header h1").inner_text() == "Exports"
        assert "No exports yet" in page.locator("main").inner_text()
        screenshot(page, "exports-1-empty")

        # Ask for March as XLSX.
        page.click("[data-testid=new-export]")
        page.wait_for_load_state("networkidle")
        assert urlsplit(page.url).path == reverse("app:export_create")
        page.click("[data-testid=format-xlsx]")
        page.fill("input[name=month]", "2026-03")
        page.select_option("select[name=charger]", "CP-GROUP")
        screenshot(page, "exports-2-form")
        page.click("[data-testid=export-submit]")
        page.wait_for_load_state("networkidle")

        # Back on the list: the job has run (synchronously in tests), the export is ready.
        assert urlsplit(page.url).path == reverse("app:exports")
        assert "we will e-mail you the download link" in page.locator(".wcc-messages").inner_text()
        item = page.locator("[data-testid=export]")
        assert item.count() == 1
        assert "March 2026 · Residence" in item.inner_text()
        assert item.locator("[data-testid=export-status]").inner_text() == "Ready"
        assert "2 sessions" in item.inner_text()
        screenshot(page, "exports-3-ready")

        with page.expect_download() as info:
            page.click("[data-testid=export-download]")
        download = info.value
        assert download.suggested_filename == "sessions-CP-GROUP-2026-03.xlsx"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        workbook = load_workbook(path)
        rows = list(workbook["Sessions"].iter_rows(min_row=2, values_only=True))
        assert [row[0] for row in rows] == [m1.pk, m2.pk]
        assert [row[14] for row in rows] == [pytest.approx(4.60), pytest.approx(3.25)]
        summary = dict(workbook["Summary"].iter_rows(values_only=True))
        assert summary["Total cost (EUR)"] == pytest.approx(7.85) and summary["Energy (kWh)"] == pytest.approx(19.5)

        # A PDF of every session, from the same form.
        page.goto(server.url + reverse("app:export_create"))
        page.click("[data-testid=format-pdf]")
        page.click("[data-testid=export-submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=export]").count() == 2
        newest = page.locator("[data-testid=export]").first
        assert "All sessions" in newest.inner_text() and "Ready" in newest.inner_text()
        with page.expect_download() as info:
            newest.locator("[data-testid=export-download]").click()
        assert info.value.suggested_filename.endswith(".pdf")
        pdf = tmp_path / "all.pdf"
        info.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF-")
        screenshot(page, "exports-4-two-ready")

        # An export in progress (as a job cluster would be writing it) and a failed one: the
        # open page follows the progress and shows the export ready once the job is done.
        running = SessionExport.objects.create(user=member, format="csv", status="running", rows_total=3000,
                                               rows_done=1200)
        SessionExport.objects.create(user=member, format="pdf", status="failed",
                                     error="The file could not be produced. Please try again later.")
        page.goto(server.url + reverse("app:exports"))
        row = page.locator(f"[data-export='{running.pk}']")
        assert row.locator("[data-testid=export-status]").inner_text() == "In progress"
        assert "1200 / 3000" in row.inner_text()
        assert "Please try again later" in page.locator("[data-testid=export-error]").inner_text()
        screenshot(page, "exports-5-progress")
        SessionExport.objects.filter(pk=running.pk).update(rows_done=2400)
        page.wait_for_function(
            f"document.querySelector(\"[data-export='{running.pk}'] [data-rows-done]\").textContent === '2400'")
        done = SessionExport.objects.get(pk=first_pk(member))
        SessionExport.objects.filter(pk=running.pk).update(
            status="done", rows_done=3000, file_name=done.file_name, size_bytes=done.size_bytes,
            expires_at=done.expires_at, finished_at=done.finished_at)
        page.locator(f"[data-export='{running.pk}'][data-status=done]").wait_for(timeout=8000)  # reloaded itself
        assert errors == []
    finally:
        context.close()

    # The e-mail of the first export: its link works for the member, after signing in.
    first = SessionExport.objects.get(pk=first_pk(member))
    messages = [m for m in sent_mails(mails) if m[0] == member.email]
    assert len(messages) == 2
    to, subject, body, html = messages[0]
    assert subject == "Your XLSX (Excel) export of charging sessions is ready"
    assert "Sessions: 2" in body
    link = re.search(r"(http\S+/app/exports/download/\S+/)", body).group(1)
    link_path = urlsplit(link).path

    context, reader = phone_context(browser, accept_downloads=True)
    try:
        reader.set_content(html)
        assert "Download" in reader.inner_text("body")
        screenshot(reader, "exports-6-email")
        reader.goto(server.url + link_path)
        assert urlsplit(reader.url).path == "/accounts/login/"
        reader.fill("input[name=login]", member.email)
        reader.fill("input[name=password]", password)
        fill_captcha(reader)
        with reader.expect_download() as info:
            reader.locator("form:has(input[name=password]) button[type=submit]").click()
        assert info.value.suggested_filename == "sessions-CP-GROUP-2026-03.xlsx"
        mailed = tmp_path / "mailed.xlsx"
        info.value.save_as(mailed)
        assert mailed.read_bytes() == path.read_bytes() and first.status == "done"
    finally:
        context.close()
