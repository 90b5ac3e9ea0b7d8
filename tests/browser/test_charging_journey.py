"""Issue 6's journey end to end, in a real browser on a phone against a real server and a
simulated charger speaking OCPP over a socket: the member opens the connector's start page
(what its QR sticker encodes), starts, watches energy arrive on the live page without
reloading, stops with confirmation, finds the priced session in the history, and exports it
as PDF, XLSX and CSV; each file arrives as an e-mailed link and holds the session's numbers.
"""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from chargers.models import ChargePoint
from sessions_app.models import ChargingSession, SessionExport
from tests.e2e import sent_mails, start_sim, stop_sim, wait_until
from tests.servers import login, phone_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("configuration_keys")]


def _number(text: str) -> Decimal:
    return Decimal(re.search(r"\d+(?:[.,]\d+)?", text).group(0).replace(",", "."))


def test_scan_start_watch_stop_history_and_exports(server_factory, browser, member, group_charger, tags, password,
                                                    sim_loop, tmp_path):
    mails = tmp_path / "mails"
    mails.mkdir()
    server = server_factory("journey", extra_env={"TEST_EMAIL_FILE_PATH": str(mails)})
    context, page = phone_context(browser, accept_downloads=True)
    errors = page.console_errors
    page.emulate_media(reduced_motion="reduce")
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-GROUP"))
    try:
        wait_until(lambda: ChargePoint.objects.filter(pk=group_charger.pk, is_online=True).exists())
        login(page, server.url, member.email, password)

        # Scan: the sticker's link opens the connector's start page; Start sends RemoteStartTransaction.
        page.goto(server.url + reverse("app:charge_connector", args=["CP-GROUP", 1]))
        assert "MEMBER1" in page.locator("[data-testid=start-tag]").inner_text()
        page.click("[data-testid=start-button]")
        link = page.locator("[data-testid=session-link]")
        link.wait_for(timeout=20000)
        session = wait_until(lambda: ChargingSession.objects.filter(charge_point=group_charger).first())
        assert (session.user, session.tag, session.source) == (member, tags["member"], "app")
        screenshot(page, "journey-1-started")
        link.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(reverse("app:session_live", args=[session.pk]))

        # Meter values from the charger: the open page follows them without a reload.
        tx = next(iter(sim.transactions.values()))
        energy = page.locator("[data-testid=live-energy]")
        for _ in range(2):
            sim_loop.run_until_complete(sim.send_meter_values(tx, 900))  # 11 kW for 15 minutes
        page.wait_for_function(
            "parseFloat(document.querySelector('[data-testid=live-energy]').textContent.replace(',', '.')) > 5")
        assert _number(energy.inner_text()) >= Decimal("5")
        assert _number(page.locator("[data-testid=live-power]").inner_text()) > 0
        screenshot(page, "journey-2-live")

        # Stop, confirmed: RemoteStopTransaction; the simulator stops and the page shows the price.
        page.click("[data-testid=stop-open]")
        page.locator(".modal.show").wait_for()
        page.click(".modal.show [data-testid=stop-confirm]")
        page.locator("[data-testid=session-completed]").wait_for(timeout=20000)
        session.refresh_from_db()
        assert session.status == "completed" and session.stop_reason == "Remote" and not sim.transactions
        kwh = Decimal(session.energy_wh) / 1000
        # The group's tariff: 0.30 EUR per kWh and 1.00 EUR per session.
        expected = (kwh * Decimal("0.30")).quantize(Decimal("0.01")) + Decimal("1.00")
        assert session.total_cost == expected and session.currency == "EUR"
        assert f"{expected} EUR" in page.locator("[data-testid=final-total]").inner_text()
        screenshot(page, "journey-3-stopped")

        # The priced session in the history, and its detail page.
        page.goto(server.url + reverse("app:sessions"))
        row = page.locator("[data-testid=session-row]").first
        assert f"{expected} EUR" in row.locator("[data-testid=session-cost]").inner_text()
        shown = str(kwh.quantize(Decimal("0.01"), ROUND_HALF_UP))  # as the page rounds
        assert shown in row.locator("[data-testid=session-energy]").inner_text()
        page.goto(server.url + reverse("app:session_detail", args=[session.pk]))
        assert f"{expected} EUR" in page.locator("[data-testid=cost-total]").inner_text()
        screenshot(page, "journey-4-detail")

        # Export this session in every format: each arrives as an e-mailed, signed link.
        for fmt in ("pdf", "xlsx", "csv"):
            page.goto(server.url + reverse("app:session_detail", args=[session.pk]))
            page.click(f"[data-testid=export-session] button[value={fmt}]")
            page.wait_for_load_state("networkidle")
        wait_until(lambda: SessionExport.objects.filter(status="done").count() == 3, timeout=60)
        screenshot(page, "journey-5-exports")
        links = {}
        for to, subject, text, _html in sent_mails(mails):
            if to == member.email:
                for url in re.findall(r"https?://\S+/app/exports/download/\S+/", text):
                    links[url] = subject
        assert len(links) == 3, links
        files = {}
        for url in links:
            response = context.request.get(server.url + url[url.index("/app/"):])
            assert response.ok, response.status
            kind = response.headers["content-type"]
            files["pdf" if "pdf" in kind else "xlsx" if "sheet" in kind else "csv"] = response.body()
        assert set(files) == {"pdf", "xlsx", "csv"}

        rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
        header, line = rows[0], rows[1]
        assert line[header.index("Session ID")] == str(session.pk)
        assert Decimal(line[header.index("Energy (kWh)")]) == kwh.quantize(Decimal("0.001"))
        assert Decimal(line[header.index("Total cost")]) == expected
        assert line[header.index("Tag")].startswith("MEMBER1")

        book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
        sheet = next(ws for ws in book.worksheets if ws.title not in ("Summary", "Cost", "Log"))
        cells = list(sheet.iter_rows(values_only=True))
        header = list(cells[0])
        record = next(r for r in cells[1:] if r[header.index("Session ID")] == session.pk)
        assert Decimal(str(record[header.index("Total cost")])) == expected
        assert abs(Decimal(str(record[header.index("Energy (kWh)")])) - kwh) < Decimal("0.001")

        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages)
        assert f"{expected} EUR" in text.replace("\u00a0", " ")
        assert "Residence" in text and f"{kwh:.3f}".rstrip("0").rstrip(".") in text
        assert not errors, errors
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))
        context.close()
