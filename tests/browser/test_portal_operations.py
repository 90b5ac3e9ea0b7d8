"""OPS-1 / OPS-2 in Chromium against a real server and a simulated charger: the owner opens the
operations menu, performs Get Configuration and Change Availability from their pages and sees
the charger's answers appear on the page without reloading it; bad input shows form errors; the
history lists what was done."""

import pytest
from django.urls import reverse

from chargers.models import ChargerOperation
from chargers.services import operation_complete
from tests.e2e import start_sim, stop_sim, wait_until
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("configuration_keys")]


def test_operations_from_the_portal_with_a_simulated_charger(server, page, owner, charger, tags, password, sim_loop):
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    try:
        wait_until(lambda: type(charger).objects.filter(pk=charger.pk, is_online=True).exists())
        login(page, server.url, owner.email, password)
        page.goto(server.url + reverse("portal:operations"))
        assert page.locator("header h1").inner_text() == "Operations"
        assert page.locator("[data-testid=command-menu] [data-command]").count() == 19
        screenshot(page, "portal-operations-1-menu")

        # Get Configuration: the answer shows as a key/value table, the page is not reloaded.
        page.click("[data-command=GetConfiguration]")
        page.wait_for_load_state("networkidle")
        assert page.locator("header h1").inner_text() == "Get Configuration"
        page.select_option("select[name=charge_point]", "CP-HOME")
        page.fill("textarea[name=keys]", "HeartbeatInterval\nLedBrightness\nNoSuchKey")
        page.click("[data-testid=perform]")
        page.wait_for_load_state("networkidle")
        page.evaluate("window.__notReloaded = true")
        table = page.locator("[data-testid=op-answer-table]")
        table.wait_for(timeout=15000)
        text = table.inner_text()
        assert "HeartbeatInterval" in text and "300" in text and "LedBrightness" in text
        assert "NoSuchKey" in page.locator("[data-testid=op-result]").inner_text()
        assert page.locator("[data-testid=op-status]").first.inner_text().strip() == "Accepted"
        page.locator("#operation-toast.show").wait_for(timeout=5000)
        assert page.evaluate("window.__notReloaded") is True
        screenshot(page, "portal-operations-2-get-configuration")

        # Change Availability: first bad input (a connector the charger lacks), then a valid one.
        page.goto(server.url + reverse("portal:operation", args=["change-availability"]) + "?charger=CP-HOME")
        assert page.locator("select[name=charge_point]").input_value() == "CP-HOME"
        page.fill("input[name=connector_id]", "7")
        page.select_option("select[name=type]", "Inoperative")
        page.click("[data-testid=perform]")
        page.wait_for_load_state("networkidle")
        assert "has 2 connectors" in page.locator("[data-testid=operation-form]").inner_text()
        screenshot(page, "portal-operations-3-form-error")
        assert not ChargerOperation.objects.filter(action="ChangeAvailability").exists()

        page.fill("input[name=connector_id]", "2")
        page.click("[data-testid=perform]")
        page.wait_for_load_state("networkidle")
        page.wait_for_function(
            "document.querySelector('[data-testid=op-result]').dataset.status !== 'pending'", timeout=15000)
        assert page.locator("[data-testid=op-answer-status]").inner_text() == "Accepted"
        op = ChargerOperation.objects.get(action="ChangeAvailability")
        assert op.payload == {"connectorId": 2, "type": "Inoperative"} and op.requested_by == owner
        screenshot(page, "portal-operations-4-change-availability")

        # The history: both operations, with their state; the details open in a dialog.
        page.goto(server.url + reverse("portal:operations"))
        history = page.locator("[data-testid=history-table]").inner_text()
        assert "Get Configuration" in history and "Change Availability" in history
        page.locator("[data-testid=history-table] a[data-bs-target='#operation-modal']").first.click()
        page.locator("#operation-modal.show [data-testid=op-result]").wait_for()
        page.wait_for_timeout(400)  # the dialog's fade
        page.screenshot(path=str(screenshot(page, "portal-operations-5-history")))  # the viewport, dialog included

        # An answer arriving while the page is open replaces "waiting" by itself (live event or polling).
        pending = ChargerOperation.objects.create(
            charge_point=charger, requested_by=owner, action="GetLocalListVersion")
        page.goto(server.url + reverse("portal:operation", args=["get-local-list-version"]) + f"?op={pending.pk}")
        page.locator("[data-testid=op-waiting]").wait_for()
        page.evaluate("window.__notReloaded = true")
        screenshot(page, "portal-operations-6-waiting")
        operation_complete(operation_id=pending.pk, response={"listVersion": 4})
        page.wait_for_function(
            "document.querySelector('[data-testid=op-result]').dataset.status === 'accepted'", timeout=10000)
        assert "List version" in page.locator("[data-testid=op-result]").inner_text()
        assert page.evaluate("window.__notReloaded") is True
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))
