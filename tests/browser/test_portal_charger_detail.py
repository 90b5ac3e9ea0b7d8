"""CP-7 in Chromium against a real server and a simulated charger: the owner opens the charge
point page, installs a firmware update, edits the address, switches the logbook on, follows a
connector live, reads the configuration and changes a key (and sees the charger's "Accepted"),
uploads a picture and sees it, walks every tab, and finally removes the assignment. A guest
sees the reduced, read-only page; an offline charger's configuration read says "offline"."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from chargers.models import ChargePoint, ChargerOperation, ChargerPicture
from sessions_app.models import ChargingSession
from tests.e2e import start_sim, stop_sim, wait_until
from tests.firmware.conftest import make_release
from tests.history.conftest import at, charge
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_url(server, name, cp_id="CP-HOME"):
    return server.url + reverse(f"portal:{name}", args=[cp_id])


def wait_subscribed(page, frames):
    # Playwright delivers its events while it runs: wait through it, not with sleep.
    for _ in range(150):
        if any('"subscribed"' in f for f in frames):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the page did not subscribe to the charger: {frames}")


def picture_file(tmp_path):
    image = Image.new("RGB", (640, 480), (236, 242, 238))
    for x in range(180, 460):
        for y in range(120, 400):
            if (x - 320) ** 2 / 140**2 + (y - 260) ** 2 / 140**2 <= 1:
                image.putpixel((x, y), (10, 125, 79))
    path = tmp_path / "wallbox.jpg"
    out = io.BytesIO()
    image.save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_owner_uses_every_tab_with_a_simulated_charger(server, page, world, password, charger, tags, sim_loop,
                                                       tmp_path):
    owner = world["owner"]
    ChargePoint.objects.filter(pk=charger.pk).update(description="Garage, left wall", part_number="PN-2201")
    charge(charger, "OWNER1", at("2026-03-02"), energy_wh=12400)
    charge(charger, "GUEST1", at("2026-03-05"), energy_wh=4000, meter_start=20000)
    mine = charge(charger, "OWNER1", at("2026-03-20"), energy_wh=7300, meter_start=30000)
    ChargingSession.objects.filter(pk=mine.pk).update(vehicle_mileage_km=48210, vehicle_id="M-WC 2201")
    make_release("1.1.0", notes="Faster start of charging.")
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    try:
        wait_until(lambda: ChargePoint.objects.filter(pk=charger.pk, is_online=True, firmware_version="1.0.0")
                   .exists())
        frames = []
        page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(payload)))
        errors = []
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        login(page, server.url, owner.email, password)

        # Overview: boot configuration, description, assignment.
        page.goto(tab_url(server, "charger_detail"))
        assert page.locator("header h1").inner_text() == "Home"
        assert page.get_by_test_id("charger-active").inner_text() == "Active"
        boot = page.get_by_test_id("boot-configuration").inner_text()
        assert "1.0.0" in boot and "SimBox 22" in boot and "SN-CP-HOME" in boot and "8949000000000000001" in boot
        assert page.get_by_test_id("assignment-owner").inner_text() == "owner@example.com"
        wait_subscribed(page, frames)
        screenshot(page, "portal-charger-overview")

        # Check for update → install 1.1.0 after confirming → progress live up to Installed.
        page.get_by_test_id("firmware-check").click()
        card = page.get_by_test_id("firmware-card")
        card.wait_for()
        assert "Firmware 1.1.0 is available" in card.inner_text()
        page.get_by_test_id("firmware-install").click()
        dialog = page.locator(".modal.show")
        dialog.wait_for()
        assert "Install firmware 1.1.0?" in dialog.inner_text()
        page.evaluate("window.__samePage = true")
        page.get_by_test_id("firmware-install-confirm").click()
        page.locator('[data-step="Installed"][data-state="done"]').wait_for()
        op = ChargerOperation.objects.get(action="UpdateFirmware")
        assert op.requested_by == owner and op.status == "accepted"
        # The charger restarts with 1.1.0: the panel follows by itself.
        page.get_by_test_id("firmware-up-to-date").wait_for()
        page.locator('[data-testid="firmware-version"]:text-is("1.1.0")').wait_for()
        assert "no firmware newer than 1.1.0" in page.get_by_test_id("firmware-card").inner_text()
        assert page.evaluate("window.__samePage") is True
        screenshot(page, "portal-charger-overview-firmware")

        # Edit the address: a bad zip code first, then a good one.
        page.get_by_test_id("site-edit").click()
        form = page.get_by_test_id("site-form")
        form.locator("[name=description]").fill("Garage, left wall. Ring at the side door.")
        form.locator("[name=street]").fill("Hauptstraße")
        form.locator("[name=house_number]").fill("12a")
        form.locator("[name=zip_code]").fill("80331; DROP")
        form.locator("[name=city]").fill("München")
        form.locator("[name=country]").select_option("DE")
        page.get_by_test_id("site-save").click()
        assert "Use letters, digits, spaces and hyphens only." in page.get_by_test_id("site-form").inner_text()
        assert ChargePoint.objects.get(pk=charger.pk).street == ""
        screenshot(page, "portal-charger-overview-edit-error")
        page.get_by_test_id("site-form").locator("[name=zip_code]").fill("80331")
        page.get_by_test_id("site-save").click()
        address = page.get_by_test_id("overview-address").inner_text()
        assert "Hauptstraße" in address and "12a" in address and "80331" in address and "Germany (DE)" in address
        assert "Ring at the side door." in page.get_by_test_id("overview-description").inner_text()
        cp = ChargePoint.objects.get(pk=charger.pk)
        assert (cp.street, cp.house_number, cp.zip_code, cp.city, cp.country) == (
            "Hauptstraße", "12a", "80331", "München", "DE")

        # The logbook switch: on at once.
        assert page.get_by_test_id("logbook-state").inner_text() == "Off"
        page.get_by_test_id("logbook-switch").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_test_id("logbook-state").inner_text() == "On"
        assert ChargePoint.objects.get(pk=charger.pk).logbook_enabled is True

        # Charging sessions.
        page.locator("[data-tab=sessions]").click()
        table = page.get_by_test_id("charger-sessions-table")
        assert table.locator("tbody tr").count() == 3 and "GUEST1" in table.inner_text()
        screenshot(page, "portal-charger-sessions")

        # Connectors: a status report shows without reloading.
        page.locator("[data-tab=connectors]").click()
        frames.clear()
        wait_subscribed(page, frames)
        page.evaluate("window.__samePage = true")
        sim_loop.run_until_complete(sim.report_status(1, "Charging"))
        page.locator('[data-connector="1"] [data-status] .badge:text-is("Charging")').wait_for()
        assert page.evaluate("window.__samePage") is True
        screenshot(page, "portal-charger-connectors")

        # Installation.
        page.locator("[data-tab=installation]").click()
        assert "Hauptstraße 12a" in page.get_by_test_id("installation-address").inner_text()
        page.get_by_test_id("time-zone-edit").click()
        page.get_by_test_id("time-zone-form").locator("select").select_option("Europe/Vienna")
        page.get_by_test_id("time-zone-save").click()
        assert page.get_by_test_id("installation-time-zone").inner_text() == "Europe/Vienna"
        screenshot(page, "portal-charger-installation")

        # Configuration: read it from the charger, the answer appears live; change a key.
        page.locator("[data-tab=configuration]").click()
        assert page.get_by_test_id("config-none").is_visible()
        page.get_by_test_id("config-read").click()
        page.wait_for_load_state("networkidle")
        page.evaluate("window.__samePage = true")
        table = page.get_by_test_id("config-table")
        table.wait_for()
        assert "HeartbeatInterval" in table.inner_text() and "LedBrightness" in table.inner_text()
        assert page.evaluate("window.__samePage") is True
        page.locator('tr[data-key="HeartbeatInterval"] [data-testid=config-edit]').click()
        dialog = page.locator("#config-change-modal.show")
        dialog.wait_for()
        assert dialog.locator("[name=key]").input_value() == "HeartbeatInterval"
        assert dialog.locator("[name=value]").input_value() == "300"
        dialog.locator("[name=value]").fill("600")
        screenshot(page, "portal-charger-configuration-edit")
        page.get_by_test_id("config-change-submit").click()
        page.wait_for_load_state("networkidle")
        answer = page.locator('tr[data-key="HeartbeatInterval"] [data-testid=config-answer]')
        answer.filter(has_text="Accepted").wait_for()
        assert sim.config.configuration["HeartbeatInterval"] == "600"
        change = ChargerOperation.objects.get(action="ChangeConfiguration")
        assert change.payload == {"key": "HeartbeatInterval", "value": "600"} and change.response == {
            "status": "Accepted"}
        screenshot(page, "portal-charger-configuration")

        # Pictures: upload one and see it.
        page.locator("[data-tab=pictures]").click()
        assert page.get_by_test_id("picture-empty-1").is_visible()
        page.locator("#picture-file-1").set_input_files(str(picture_file(tmp_path)))
        page.get_by_test_id("picture-upload-1").click()
        image = page.get_by_test_id("picture-img-1")
        image.wait_for()
        page.wait_for_function("document.querySelector('[data-testid=picture-img-1]').naturalWidth === 640")
        assert ChargerPicture.objects.get(charge_point=charger).slot == 1
        screenshot(page, "portal-charger-pictures")

        # Logbook: the sessions with mileage and vehicle ID.
        page.locator("[data-tab=logbook]").click()
        logbook = page.get_by_test_id("logbook-table").inner_text()
        assert "48210" in logbook and "M-WC 2201" in logbook
        assert page.get_by_test_id("logbook-switch").is_checked()
        screenshot(page, "portal-charger-logbook")

        # Remove the assignment, after confirming.
        page.locator("[data-tab=overview]").click()
        page.get_by_test_id("assignment-remove").click()
        dialog = page.locator("#assignment-remove.show")
        dialog.wait_for()
        assert "Remove CP-HOME from the account?" in dialog.inner_text()
        page.wait_for_timeout(300)  # the dialog's fade
        page.screenshot(path=str(screenshot(page, "portal-charger-assignment-remove")))  # the dialog in view
        page.get_by_test_id("assignment-remove-confirm").click()
        page.wait_for_url(server.url + reverse("portal:chargers"))
        assert "CP-HOME is no longer assigned to the account." in page.locator("main").inner_text()
        cp = ChargePoint.objects.get(pk=charger.pk)
        assert cp.owner is None and not ChargerPicture.objects.filter(charge_point=cp).exists()
        screenshot(page, "portal-charger-removed")
        assert not errors, errors
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))


def test_guest_sees_the_reduced_page_and_offline_reads_say_so(server, browser, page, world, password, charger,
                                                              share, tmp_path):
    from django.core.files.base import ContentFile

    ChargePoint.objects.filter(pk=charger.pk).update(
        description="Visitors: use the right-hand bay.", street="Hauptstraße", house_number="12a", zip_code="80331",
        city="München", country="DE", firmware_version="1.0.0", serial_number="NEXT-SECRET", logbook_enabled=True)
    picture = ChargerPicture(charge_point=charger, slot=1)
    picture.image.save("p.jpg", ContentFile(picture_file(tmp_path).read_bytes()), save=True)

    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    guest = context.new_page()
    try:
        login(guest, server.url, world["guest"].email, password)
        guest.goto(tab_url(server, "charger_detail"))
        tabs = guest.get_by_test_id("charger-detail-tabs").inner_text()
        assert "Pictures" in tabs and "Configuration" not in tabs and "Logbook" not in tabs
        text = guest.locator("main").inner_text()
        assert "Visitors: use the right-hand bay." in text and "München" in text and "NEXT-SECRET" not in text
        assert guest.get_by_test_id("logbook-state").inner_text() == "On"
        assert guest.get_by_test_id("site-edit").count() == 0 and guest.get_by_test_id("assignment-card").count() == 0
        screenshot(guest, "portal-charger-overview-shared")
        guest.locator("[data-tab=pictures]").click()
        guest.wait_for_function("document.querySelector('[data-testid=picture-img-1]').naturalWidth === 640")
        assert guest.get_by_test_id("picture-form-1").count() == 0
        screenshot(guest, "portal-charger-pictures-shared")
        guest.set_viewport_size({"width": 390, "height": 844})  # a phone: the tabs scroll sideways
        guest.goto(tab_url(server, "charger_detail"))
        assert guest.locator("header h1").inner_text() == "Home"
        screenshot(guest, "portal-charger-overview-phone")
    finally:
        context.close()

    # The owner, the charger not connected: the read fails at once with "offline".
    login(page, server.url, world["owner"].email, password)
    page.goto(tab_url(server, "charger_configuration"))
    page.get_by_test_id("config-read").click()
    offline = page.get_by_test_id("config-offline")
    offline.wait_for()
    assert "offline" in offline.inner_text()
    assert "The charge point is offline: nothing was sent." in page.locator("main").inner_text()
    assert ChargerOperation.objects.get(action="GetConfiguration").status == "offline"
    screenshot(page, "portal-charger-configuration-offline")
