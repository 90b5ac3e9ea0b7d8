"""Maintenance > Inventory (CP-9) in a real browser: the owner filters the inventory, shows an
access code with a click, opens a charger, types a wrong password (refused), then the right one
(both passwords shown), and sees the views recorded below."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chargers import inventory
from chargers.models import ChargePoint, CredentialReveal
from tests.factories.chargers import CHARGER_PASSWORD, ChargePointFactory
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inventory_reveals(server, page, world, password, charger, group_charger):
    owner = world["owner"]
    ChargePoint.objects.filter(pk=charger.pk).update(
        claim_code="K7M2Q9XP", model="WB_NEXT_EVSE_EU_32A", part_number="5111189B", serial_number="21007104645",
        material_number="5111189B-01", firmware_version="2.1.6.1", vendor_code="WBT-01",
        manufacturing_date=date(2021, 11, 26), last_seen_at=timezone.now(), is_online=True,
    )
    ChargePoint.objects.filter(pk=group_charger.pk).update(
        model="Pulsar Plus", part_number="PLP1-0-2", serial_number="88104492", material_number="PLP1-M22",
        firmware_version="5.17.0", vendor_code="WBX-22", manufacturing_date=date(2022, 3, 2),
        last_seen_at=timezone.now() - timedelta(hours=3),
    )
    ChargePointFactory(charge_point_id="CP-CARPORT", name="Carport", owner=owner, model="Terra AC",
                       part_number="6AGC081279", serial_number="TACW2241", material_number="TAC-22-T",
                       firmware_version="1.8.0", vendor_code="ABB-7", manufacturing_date=date(2023, 6, 14),
                       last_seen_at=timezone.now())
    inventory.charger_set_master_password(charge_point=charger, password="Master-4711")
    ChargePoint.objects.filter(pk=charger.pk).update(last_seen_at=timezone.now())
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, server.url, owner.email, password)

    page.goto(server.url + reverse("portal:maintenance"))
    table = page.get_by_test_id("inventory-table")
    assert {"CP-HOME", "CP-GROUP", "CP-CARPORT"} <= set(table.inner_text().split())
    assert "K7M2Q9XP" not in page.content()

    # Filter by model name.
    page.fill("input[name=model]", "wb_next")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**model=wb_next**")
    rows = page.locator("[data-testid=inventory-table] tbody tr")
    assert rows.count() == 1 and "CP-HOME" in rows.first.inner_text()
    page.get_by_role("link", name="Reset").click()
    page.wait_for_url("**/maintenance/")

    # Show the access code of the home charger.
    page.get_by_test_id("reveal-CP-HOME").click()
    code = page.locator("[data-testid=inventory-CP-HOME] [data-testid=access-code]")
    code.wait_for()
    assert code.inner_text() == "K7M2Q9XP"
    assert CredentialReveal.objects.filter(secret="access_code", user=owner, charge_point_ident="CP-HOME").count() == 1
    screenshot(page, "portal-inventory")

    # Open the charger's inventory page.
    page.get_by_role("link", name="CP-HOME").click()
    page.wait_for_url("**/maintenance/inventory/CP-HOME/")
    assert "5111189B" in page.get_by_test_id("inventory-data").inner_text()
    assert "Master-4711" not in page.content() and CHARGER_PASSWORD not in page.content()

    # A wrong password reveals nothing.
    page.fill("input[name=password]", "not-my-password")
    page.get_by_test_id("reveal-submit").click()
    page.get_by_test_id("reveal-error").wait_for()
    assert "The password is not correct." in page.get_by_test_id("reveal-error").inner_text()
    screenshot(page, "portal-inventory-detail-error")
    assert "Master-4711" not in page.content()

    # The right one shows both passwords, and the view is recorded.
    page.fill("input[name=password]", password)
    page.get_by_test_id("reveal-submit").click()
    page.get_by_test_id("passwords-shown").wait_for()
    assert page.get_by_test_id("ocpp-password").inner_text().strip() == CHARGER_PASSWORD
    assert page.get_by_test_id("master-password").inner_text().strip() == "Master-4711"
    page.get_by_test_id("reveal-access-code").click()
    page.locator("[data-testid=inventory-secrets] [data-testid=access-code]").wait_for()
    page.goto(server.url + reverse("portal:inventory_detail", args=["CP-HOME"]))  # no re-POST
    page.get_by_test_id("reveal-audit").wait_for()
    audit = page.get_by_test_id("reveal-audit").inner_text()
    assert "OCPP password" in audit and "Master password" in audit and "Access code" in audit
    assert "owner@example.com" in audit and "127.0.0.1" in audit
    assert "Master-4711" not in page.content()  # masked again after the reload
    # Show the passwords once more for the screenshot of the finished page.
    page.fill("input[name=password]", password)
    page.get_by_test_id("reveal-submit").click()
    page.get_by_test_id("passwords-shown").wait_for()
    screenshot(page, "portal-inventory-detail")
    page.get_by_test_id("hide-passwords").click()
    page.get_by_test_id("reveal-form").wait_for()
    assert "Master-4711" not in page.content()
    mine = CredentialReveal.objects.filter(user=owner, charge_point_ident="CP-HOME")
    assert mine.filter(succeeded=True).count() == 6
    assert mine.filter(succeeded=False).count() == 2  # the wrong password, for both passwords
    assert errors == []
