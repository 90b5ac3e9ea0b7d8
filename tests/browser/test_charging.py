"""SES-1, SES-2, SES-6 in a real browser on a phone, against a real server and a simulated
charger speaking OCPP: the QR sticker's link opens the connector's start page (sign in first,
then back), the connector's state follows the charger live, the driver fills in the logbook
and starts; the simulated charger accepts and starts the transaction, and the page leads to
the live session. Then 1-Click Remote Start of a favourite from the Charge page, and the
owner's sticker page and PDF sheet."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from chargers.models import ChargePoint, Favourite
from sessions_app.models import ChargingSession, StartRequest
from tests.e2e import start_sim, stop_sim
from tests.servers import ARTIFACTS, login, screenshot
from tests.signin import fill_captcha

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("configuration_keys")]


def test_scan_sticker_start_with_logbook_and_reach_the_session(server, phone, owner, charger, tags, password,
                                                               sim_loop):
    ChargePoint.objects.filter(pk=charger.pk).update(logbook_enabled=True)
    page = phone
    page.emulate_media(reduced_motion="reduce")
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    try:
        # The sticker's link, opened by the phone's camera while signed out: sign in, then back.
        start_page = reverse("app:charge_connector", args=["CP-HOME", 2])
        page.goto(server.url + start_page)
        assert urlsplit(page.url).path == reverse("account_login")
        page.fill("input[name=login]", owner.email)
        page.fill("input[name=password]", password)
        fill_captcha(page)
        page.locator("form:has(input[name=password]) button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert urlsplit(page.url).path == start_page

        assert page.locator("[data-testid=charger-name]").inner_text() == "Home"
        status = page.locator("[data-testid=connector-status]")
        assert status.inner_text() == "Available"
        assert "OWNER1" in page.locator("[data-testid=start-tag]").inner_text()
        assert page.locator("[data-testid=logbook]").is_visible()

        # The connector's state follows the charger live: faulted, the start is refused; fixed, allowed.
        sim_loop.run_until_complete(sim.report_status(2, "Faulted", "GroundFailure"))
        page.wait_for_function("document.querySelector('[data-testid=connector-status]').dataset.status === 'Faulted'")
        refusal = page.locator("[data-testid=refusal]")
        refusal.wait_for(state="visible")
        assert "Connector 2 is out of service (Faulted)." in refusal.inner_text()
        assert page.locator("[data-testid=start-button]").is_disabled()
        screenshot(page, "charging-1-connector-faulted")
        sim_loop.run_until_complete(sim.report_status(2, "Available"))
        page.wait_for_function("!document.querySelector('[data-testid=start-button]').disabled")
        assert not refusal.is_visible()

        # The logbook is asked for: a missing mileage is pointed out, nothing is sent.
        page.fill("#vehicle_id", "TestVehicle")
        page.click("[data-testid=start-button]")
        page.wait_for_load_state("networkidle")
        assert "Enter the vehicle's mileage (km)." in page.locator(".invalid-feedback").inner_text()
        assert not StartRequest.objects.exists()
        assert page.locator("#vehicle_id").input_value() == "TestVehicle"
        page.console_errors.remove("Failed to load resource: the server responded with a status of 400 (Bad Request)")
        page.fill("#mileage_km", "59613")
        screenshot(page, "charging-2-logbook")
        page.click("[data-testid=start-button]")
        page.wait_for_load_state("networkidle")

        # The simulated charger accepts and starts the transaction: the page leads to the session.
        link = page.locator("[data-testid=session-link]")
        link.wait_for(timeout=15000)
        session = ChargingSession.objects.get(charge_point=charger)
        assert (session.connector_id, session.source, session.vehicle_mileage_km, session.vehicle_id) == (
            2, "app", 59613, "TestVehicle")
        assert session.user_id == owner.pk and session.id_tag == "OWNER1"
        assert page.locator("[data-testid=start-progress]").get_attribute("data-state") == "started"
        assert "Charging has started." in page.locator("[data-testid=progress-message]").inner_text()
        screenshot(page, "charging-3-started")
        assert link.get_attribute("href") == reverse("app:session_live", args=[session.pk])
        assert page.console_errors == []
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))


def test_one_click_start_of_a_favourite(server, phone, owner, charger, group_charger, tags, password, sim_loop):
    Favourite.objects.create(user=owner, charge_point=charger)
    ChargePoint.objects.filter(pk=charger.pk).update(logbook_enabled=True)
    page = phone
    page.emulate_media(reduced_motion="reduce")
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    try:
        login(page, server.url, owner.email, password)
        page.goto(server.url + reverse("app:charge"))
        assert page.locator("header h1").inner_text() == "Charge"
        assert page.locator("[data-testid=scan-hint]").is_visible()  # no BarcodeDetector in this chromium
        favourite = page.locator("[data-testid=favourite]")
        assert "Home" in favourite.inner_text()
        screenshot(page, "charging-4-charge-page")
        page.click("[data-testid=quick-start]")
        dialog = page.locator(f"#start-{charger.pk}")
        dialog.wait_for(state="visible")
        assert "Start charging at Home?" in dialog.inner_text()
        dialog.locator("input[name=mileage_km]").fill("1200")
        dialog.locator("input[name=vehicle_id]").fill("M-EV 42")
        screenshot(page, "charging-5-confirm")
        dialog.locator("[data-testid=quick-start-confirm]").click()
        page.wait_for_load_state("networkidle")
        assert urlsplit(page.url).path == reverse("app:charge_connector", args=["CP-HOME", 1])
        page.locator("[data-testid=session-link]").wait_for(timeout=15000)
        session = ChargingSession.objects.get(charge_point=charger)
        assert (session.connector_id, session.user_id, session.vehicle_mileage_km, session.vehicle_id) == (
            1, owner.pk, 1200, "M-EV 42")
        # The charger's connectors, live: connector 1 is charging now.
        page.goto(server.url + reverse("app:charge_charger", args=["CP-HOME"]))
        choice = page.locator('[data-testid=connector-choice][data-connector="1"]')
        assert "Charging" in choice.inner_text()
        screenshot(page, "charging-8-connectors")
        # Back on the Charge page: the running session is linked.
        page.goto(server.url + reverse("app:charge"))
        assert "Charging at Home" in page.locator("[data-testid=active-session]").inner_text()
        assert "Residence" in page.locator("[data-testid=other-charger]").inner_text()
        screenshot(page, "charging-9-charge-page-charging")
        assert page.console_errors == []
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))


def test_charger_refusing_the_start_is_shown_as_it_arrives(server, phone, owner, charger, tags, password, sim_loop):
    from ocpp.v16 import call_result

    page = phone
    page.emulate_media(reduced_motion="reduce")
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    # This charger answers every RemoteStartTransaction with Rejected.
    sim.route_map["RemoteStartTransaction"]["_on_action"] = (
        lambda **kwargs: call_result.RemoteStartTransaction(status="Rejected"))
    try:
        login(page, server.url, owner.email, password)
        page.goto(server.url + reverse("app:charge_connector", args=["CP-HOME", 1]))
        page.click("[data-testid=start-button]")
        page.wait_for_function(
            "document.querySelector('[data-testid=start-progress]').dataset.state === 'rejected'")
        assert "Home refused to start" in page.locator("[data-testid=progress-message]").inner_text()
        assert page.locator("[data-testid=start-button]").inner_text().strip() == "Try again"
        screenshot(page, "charging-7-refused")
        assert not ChargingSession.objects.exists()
        assert page.console_errors == []
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))


def test_owner_prints_the_stickers(server, page, owner, charger, password):
    login(page, server.url, owner.email, password)
    page.goto(server.url + reverse("app:charger_stickers", args=["CP-HOME"]))
    stickers = page.locator("[data-testid=sticker]")
    assert stickers.count() == 2
    assert stickers.nth(1).get_attribute("data-url").endswith("/app/charge/CP-HOME/2/")
    screenshot(page, "charging-6-stickers")
    response = page.request.get(server.url + reverse("app:charger_stickers_pdf", args=["CP-HOME"]))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    (ARTIFACTS / "charging-stickers.pdf").write_bytes(response.body())
