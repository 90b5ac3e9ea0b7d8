"""CP-5 in a real browser: the owner installs a firmware update on a connected simulated
charger and follows it live to the end."""

import json

import pytest

from chargers.models import ChargePoint, ChargerOperation
from tests.e2e import start_sim, stop_sim, wait_until
from tests.firmware.conftest import make_release
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_installs_an_update_and_follows_it_live(server, page, charger, owner, password, sim_loop):
    make_release("1.1.0", notes="Faster start of charging.\nThe LED ring dims at night.")
    cp, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    wait_until(lambda: ChargePoint.objects.get(pk=charger.pk).firmware_version == "1.0.0")

    frames = []

    def on_socket(socket):
        socket.on("framereceived", lambda payload: frames.append(payload))

    page.on("websocket", on_socket)
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.set_viewport_size({"width": 400, "height": 860})
    login(page, server.url, owner.email, password)
    page.goto(f"{server.url}/app/chargers/CP-HOME/firmware/")
    card = page.get_by_test_id("firmware-card")
    assert card.get_by_test_id("firmware-version").inner_text() == "1.0.0"
    assert "Update available: 1.1.0" in card.get_by_test_id("firmware-update").inner_text()
    assert "The LED ring dims at night." in card.inner_text()
    # The page is subscribed to the charger before anything is sent.
    # (Playwright delivers its events while it runs: wait through it, not with sleep.)
    for _ in range(150):
        if any('"subscribed"' in f for f in frames):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"the page did not subscribe to the charger: {frames}")
    screenshot(page, "firmware-update-available")

    page.evaluate("window.__samePage = true")
    page.get_by_test_id("firmware-install").click()
    dialog = page.locator(".modal.show")
    dialog.wait_for()
    assert "Install firmware 1.1.0?" in dialog.inner_text()
    assert "Home goes from 1.0.0 to 1.1.0." in dialog.inner_text()
    screenshot(page, "firmware-install-confirm")
    page.get_by_test_id("firmware-install-confirm").click()

    # Progress arrives over the live socket, up to Installed, without reloading the page.
    page.locator('[data-step="Installed"][data-state="done"]').wait_for()
    assert page.get_by_test_id("firmware-message").inner_text() in (
        "Installed. The charger restarts with the new version.",
    )
    statuses = [json.loads(f).get("firmware_status") for f in frames if "firmware_status" in f]
    assert "Installed" in statuses
    operation = ChargerOperation.objects.get(action="UpdateFirmware")
    assert operation.status == "accepted" and operation.requested_by == owner
    # The charger restarts with 1.1.0: the card follows and the badge goes.
    page.locator('[data-testid="firmware-version"]:text-is("1.1.0")').wait_for()
    assert page.get_by_test_id("firmware-up-to-date").is_visible()
    assert page.get_by_test_id("firmware-badge").count() == 0
    assert page.get_by_test_id("firmware-install").count() == 0
    for step in ("Sent", "Downloading", "Downloaded", "Installing", "Installed"):
        assert page.locator(f'[data-step="{step}"]').get_attribute("data-state") == "done"
    assert page.evaluate("window.__samePage") is True
    assert page.locator(".modal-backdrop").count() == 0
    screenshot(page, "firmware-installed")
    assert not errors, errors

    sim_loop.run_until_complete(stop_sim(ws, listener))


def test_install_on_an_offline_charger_says_so(server, page, charger, owner, password):
    ChargePoint.objects.filter(pk=charger.pk).update(firmware_version="1.0.0")
    make_release("1.1.0")
    page.set_viewport_size({"width": 400, "height": 860})
    login(page, server.url, owner.email, password)
    page.goto(f"{server.url}/app/chargers/CP-HOME/firmware/")
    assert "The charger is offline" in page.get_by_test_id("firmware-card").inner_text()
    page.get_by_test_id("firmware-install").click()
    page.get_by_test_id("firmware-install-confirm").click()
    error = page.get_by_test_id("firmware-error")
    error.wait_for()
    assert "The charger is offline: the update was not sent." in error.inner_text()
    assert page.get_by_test_id("firmware-badge").is_visible()  # still available
    assert page.locator(".modal-backdrop").count() == 0
    screenshot(page, "firmware-offline")
    assert ChargerOperation.objects.get().status == "offline"

    # Later, an update that is halfway shows where it stands after a reload.
    ChargerOperation.objects.create(charge_point=charger, requested_by=owner, action="UpdateFirmware",
                                    payload={}, status="accepted")
    ChargePoint.objects.filter(pk=charger.pk).update(firmware_status="Installing")
    page.reload()
    assert page.locator('[data-step="Downloaded"]').get_attribute("data-state") == "done"
    assert page.locator('[data-step="Installing"]').get_attribute("data-state") == "current"
    assert page.locator('[data-step="Installed"]').get_attribute("data-state") == "todo"
    assert "Installing" in page.get_by_test_id("firmware-message").inner_text()
    # No second install while one runs.
    assert page.get_by_test_id("firmware-busy").is_visible()
    assert page.get_by_test_id("firmware-install").count() == 0
    screenshot(page, "firmware-installing")
