"""CP-7 Diagnostics tab and CP-10 charger logs in Chromium against a real server and a simulated
charger: the owner clicks Request, the charger receives GetDiagnostics with the portal's upload
link, uploads its log over HTTP, the page follows by itself and offers the file, and Download
returns its bytes. Maintenance > Diagnostics lists it; Maintenance > CP logs shows a security
event the charger sent."""

from pathlib import Path

import pytest
from django.urls import reverse

from chargers.diagnostics import demo_diagnostics
from chargers.models import ChargePoint, DiagnosticsFile, SecurityEvent
from tests.e2e import start_sim, stop_sim, wait_until
from tests.servers import free_port, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("configuration_keys")]


def test_diagnostics_requested_uploaded_and_downloaded(server_factory, page, owner, charger, group_charger,
                                                       password, sim_loop, tmp_path):
    port = free_port()
    # The upload link points at this very server.
    server = server_factory("diagnostics", port=port, extra_env={"SITE_URL": f"http://127.0.0.1:{port}"})
    demo_diagnostics(charge_point=group_charger, acting_user=owner)  # older files of another charger
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    sim.diagnostics_delay = 1.5  # long enough to see the page waiting
    try:
        wait_until(lambda: ChargePoint.objects.filter(pk=charger.pk, is_online=True).exists())
        login(page, server.url, owner.email, password)
        page.goto(server.url + reverse("portal:charger_detail", args=["CP-HOME"]))
        page.locator("[data-testid=charger-detail-tabs] a", has_text="Diagnostics").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=charger-detail-tabs] .active").inner_text().strip() == "Diagnostics"
        assert "No diagnostics requested yet" in page.locator("#diagnostics-files").inner_text()

        page.fill("input[name=start_time]", "2026-01-01T08:00")
        page.click("[data-testid=diagnostics-request]")
        page.wait_for_load_state("domcontentloaded")
        page.evaluate("window.__notReloaded = true")
        assert "Diagnostics requested" in page.inner_text("body")
        row = DiagnosticsFile.objects.get(charge_point=charger)
        assert row.requested_by == owner and row.operation.payload["location"].startswith(server.url + "/diagnostics/")
        assert row.operation.payload["startTime"].startswith("2026-01-01")

        # The charger uploads over HTTP; the row turns "Uploaded" without a reload.
        page.locator("[data-testid=diagnostics-row][data-state=uploaded]").wait_for(timeout=20000)
        assert page.evaluate("window.__notReloaded") is True
        row.refresh_from_db()
        assert row.status == "uploaded" and sim.diagnostics_uploads[-1][1] == 201
        assert row.file_name.startswith("diagnostics-CP-HOME-") and row.size > 2000
        stored = Path(row.file.path).read_bytes()
        assert stored.startswith(b"# WCC Sim SimBox 22 diagnostics log")
        text = page.locator("#diagnostics-files").inner_text()
        assert row.file_name in text and "owner@example.com" in text
        wait_until(lambda: ChargePoint.objects.get(pk=charger.pk).diagnostics_status == "Uploaded")
        page.locator("[data-testid=diagnostics-status-value]", has_text="Uploaded").wait_for(timeout=10000)
        screenshot(page, "portal-charger-diagnostics")

        with page.expect_download() as info:
            page.click("[data-testid=diagnostics-download]")
        download = info.value
        assert download.suggested_filename == row.file_name
        target = tmp_path / "download.log"
        download.save_as(target)
        assert target.read_bytes() == stored

        # Maintenance > Diagnostics: this file and the other charger's.
        page.goto(server.url + reverse("portal:diagnostics"))
        table = page.locator("[data-testid=diagnostics-table]").inner_text()
        assert row.file_name in table and "CP-GROUP" in table and "Failed" in table
        assert page.locator("[data-testid=maintenance-tabs] .active").inner_text().strip() == "Diagnostics"
        page.select_option("select[name=charge_point]", "CP-HOME")
        page.click("[data-testid=diagnostics-filters] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=diagnostics-row]").count() == 1
        page.goto(server.url + reverse("portal:diagnostics"))
        screenshot(page, "portal-diagnostics")

        # Maintenance > CP logs: a security event the charger sends now.
        sim_loop.run_until_complete(sim.security_event("TamperDetectionActivated", "Housing opened"))
        sim_loop.run_until_complete(sim.security_event("StartupOfTheDevice", "Power on, firmware 1.0.0"))
        assert SecurityEvent.objects.filter(charge_point=charger).count() == 2
        page.goto(server.url + reverse("portal:logs_security"))
        table = page.locator("[data-testid=security-table]").inner_text()
        assert "TamperDetectionActivated" in table and "Housing opened" in table and "CP-HOME" in table
        page.fill("input[name=type]", "StartupOfTheDevice")
        page.click("[data-testid=security-filters] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "TamperDetectionActivated" not in page.locator("[data-testid=security-table]").inner_text()
        page.goto(server.url + reverse("portal:logs_security"))
        screenshot(page, "portal-security-events")
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))


def test_offline_request_shows_the_failure(server, page, owner, charger, password):
    login(page, server.url, owner.email, password)
    page.goto(server.url + reverse("portal:charger_diagnostics", args=["CP-HOME"]))
    assert page.locator("[data-testid=diagnostics-offline]").is_visible()
    page.click("[data-testid=diagnostics-request]")
    page.wait_for_load_state("networkidle")
    assert "the request was not sent" in page.inner_text("body")
    row = page.locator("[data-testid=diagnostics-row]")
    assert row.get_attribute("data-state") == "failed"
    assert "offline" in row.locator("[data-testid=diagnostics-reason]").inner_text()
    screenshot(page, "portal-charger-diagnostics-offline")
