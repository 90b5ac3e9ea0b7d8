"""My chargers in a real browser on a phone-sized screen: claim a charger, find it in
Residentials, star it, open it, change its LED brightness, and watch it come online live."""

import pytest

from chargers.models import ChargePoint, ChargerOperation
from tests.e2e import start_sim, stop_sim, wait_until
from tests.factories.chargers import ChargePointFactory
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("configuration_keys")]


def test_owner_claims_stars_opens_and_sets_a_charger(server, owner, tags, password, phone, sim_loop):
    ChargePointFactory(charge_point_id="CP-SIM", name="", claim_code="SIMC2345", model="SimBox 22")
    page = phone
    login(page, server.url, owner.email, password)

    page.goto(f"{server.url}/app/chargers/")
    screenshot(page, "mychargers-1-empty")
    page.click("[data-testid=add-charger]")
    page.fill("input[name=charge_point_id]", "CP-SIM")
    page.fill("input[name=claim_code]", "simc2345")
    page.fill("input[name=name]", "Carport")
    screenshot(page, "mychargers-2-claim")
    page.click("[data-testid=claim-submit]")
    page.wait_for_url("**/app/chargers/CP-SIM/")
    assert ChargePoint.objects.get(charge_point_id="CP-SIM").owner_id == owner.pk

    page.goto(f"{server.url}/app/chargers/?tab=residential")
    tile = page.locator("[data-testid=charger-tile][data-live-charger=CP-SIM]")
    assert "Carport" in tile.inner_text()
    tile.locator("[data-testid=favourite]").click()
    page.wait_for_selector("[data-live-charger=CP-SIM] [data-favourite='1']")
    screenshot(page, "mychargers-3-residentials")
    page.goto(f"{server.url}/app/chargers/?tab=favourites")
    assert page.locator("[data-testid=charger-tile][data-live-charger=CP-SIM]").count() == 1
    page.locator("[data-live-charger=CP-SIM] [data-testid=charger-menu]").click()
    screenshot(page, "mychargers-4-favourites-menu")

    # The detail page is open while the charger connects: its badge turns green by itself.
    page.goto(f"{server.url}/app/chargers/CP-SIM/")
    badge = page.locator("[data-live-charger=CP-SIM] [data-online]").first
    assert badge.get_attribute("data-online") == "0"
    page.wait_for_timeout(500)  # the live socket subscribes
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-SIM"))
    try:
        page.wait_for_selector("[data-live-charger=CP-SIM] [data-online='1']")
        assert "text-bg-success" in badge.get_attribute("class")
        screenshot(page, "mychargers-5-detail-online")

        page.fill("input[name=led_brightness]", "25")
        page.click("[data-testid=settings-save]")
        page.wait_for_url("**/app/chargers/CP-SIM/")
        # The row of this ChangeConfiguration turns Accepted when the charger answers.
        row = page.locator("[data-operation-id]", has_text="LedBrightness = 25")
        try:
            row.locator("[data-operation-status='accepted']").wait_for()
        except Exception:
            print("OPERATIONS", list(ChargerOperation.objects.values_list("action", "payload", "status", "error")))
            raise
        assert sim.config.configuration["LedBrightness"] == "25"
        page.locator("[data-testid=operations]").scroll_into_view_if_needed()
        screenshot(page, "mychargers-6-settings-accepted")

        booted = ChargePoint.objects.get(charge_point_id="CP-SIM").last_boot_at
        page.click("[data-testid=restart]")
        page.click("[data-testid=restart-continue]")
        page.wait_for_selector("#restart-modal-2.show")
        screenshot(page, "mychargers-7-restart-confirm")
        page.click("[data-testid=restart-confirm]")
        page.wait_for_selector(".alert")
        wait_until(lambda: ChargerOperation.objects.filter(action="Reset", status="accepted").exists())
        # The simulator reboots after a soft reset: let it finish before it is stopped.
        wait_until(lambda: ChargePoint.objects.get(charge_point_id="CP-SIM").last_boot_at != booted)
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))
    page.goto(f"{server.url}/app/chargers/CP-SIM/qr/")
    screenshot(page, "mychargers-8-qr")
    assert "SIMC2345" in page.inner_text("[data-testid=qr-sheet]")
    assert not page.console_errors, page.console_errors
