"""Portal charge points (CP-6, CP-8, CP-10) in a real browser: filter the overview, tick an own
charger and deactivate it after confirming, export, then the connectors and both logs."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chargers.models import ChargePoint, ChargerOperation, Connector
from ocpp_gateway.models import OcppFrame
from tests.factories.chargers import ChargePointFactory
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_overview_connectors_and_logs(server, page, world, password, charger, group_charger):
    owner = world["owner"]
    ChargePoint.objects.filter(pk=charger.pk).update(
        is_online=True, firmware_version="2.4.1", model="Pulsar Plus", vendor="Wallbox")
    ChargePointFactory(charge_point_id="CP-GARAGE", name="Garage", owner=owner, model="Terra AC",
                       vendor="ABB", firmware_version="1.8.0", onboarded_at=timezone.now())
    Connector.objects.filter(charge_point=charger, connector_id=1).update(
        status="Charging", status_changed_at=timezone.now())
    Connector.objects.filter(charge_point=group_charger, connector_id=2).update(
        status="Faulted", error_code="GroundFailure", status_changed_at=timezone.now())
    now = timezone.now()
    for i in range(25):
        OcppFrame.objects.create(
            charge_point_id="CP-HOME", direction="in", message_type=2, action="Heartbeat",
            message_id=f"hb{i}", payload=json.dumps([2, f"hb{i}", "Heartbeat", {}]),
            created_at=now - timedelta(minutes=5 * (25 - i)))
    OcppFrame.objects.create(
        charge_point_id="CP-HOME", direction="in", message_type=2, action="StatusNotification",
        message_id="s1", payload=json.dumps([2, "s1", "StatusNotification",
                                             {"connectorId": 1, "status": "Charging",
                                              "errorCode": "NoError"}]))
    OcppFrame.objects.create(
        charge_point_id="CP-OTHER", direction="in", message_type=2, action="Heartbeat",
        message_id="x", payload="[2, \"x\", \"Heartbeat\", {}]")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, server.url, owner.email, password)

    page.goto(server.url + reverse("portal:chargers"))
    table = page.get_by_test_id("charger-table")
    assert "CP-HOME" in table.inner_text() and "CP-GARAGE" in table.inner_text()
    screenshot(page, "portal-chargers-list")

    page.fill("input[name=model]", "pulsar")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**model=pulsar**")
    assert page.locator("[data-testid=charger-table] tbody tr").count() == 1

    # Tick the home charger and deactivate it after confirming.
    button = page.get_by_test_id("chargers-deactivate")
    assert button.is_disabled()
    page.locator(f"input[name=selection][value='{charger.pk}']").check()
    assert button.is_enabled()
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    page.wait_for_load_state("networkidle")
    assert "Deactivation sent to 1 charge point: CP-HOME." in page.locator("main, body").first.inner_text()
    op = ChargerOperation.objects.get()
    assert op.action == "ChangeAvailability" and op.payload == {"connectorId": 0, "type": "Inoperative"}
    screenshot(page, "portal-chargers-deactivated")

    with page.expect_download() as download:
        page.get_by_test_id("chargers-export").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.goto(server.url + reverse("portal:connectors"))
    connectors = page.get_by_test_id("connector-table").inner_text()
    assert "Ground failure" in connectors and "Charging" in connectors
    screenshot(page, "portal-chargers-connectors")

    # The logs are under Maintenance, as in the seed.
    page.get_by_role("link", name="Maintenance").click()
    page.get_by_test_id("maintenance-tabs").get_by_role("link", name="CS-CP logs").click()
    frames = page.get_by_test_id("frame-table")
    assert "StatusNotification" in frames.inner_text() and "CP-OTHER" not in frames.inner_text()
    page.locator("[data-testid=frame-table] summary").first.click()
    assert '"status": "Charging"' in page.get_by_test_id("frame-payload").first.inner_text()
    screenshot(page, "portal-chargers-frame-log")
    page.get_by_test_id("log-older").click()
    page.wait_for_url("**before=**")
    page.get_by_test_id("log-newer").wait_for()

    page.get_by_role("link", name="Heartbeat logs").click()
    assert page.locator("[data-testid=heartbeat-table] tbody tr").count() == 20
    screenshot(page, "portal-chargers-heartbeats")
    assert errors == []
