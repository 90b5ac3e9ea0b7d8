"""Tariffs in a real browser (TAR-1, TAR-2): create a tariff with a time-of-use period, preview
an example session across the period's start on the form and on the tariff's page, edit it,
and remove it after the confirmation that says its group gets detached."""

from decimal import Decimal as D

import pytest

from groups.models import Group, Tariff
from tests.factories.groups import GroupFactory
from tests.servers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, tmp_path, name):
    path = tmp_path / f"tariffs-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_create_preview_edit_and_remove_a_tariff(server, browser, owner, password, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB",
                                  timezone_id="Europe/Berlin", reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    try:
        login(page, server.url, owner.email, password)
        page.goto(server.url + "/app/tariffs/")
        assert page.locator("header h1").inner_text() == "Tariffs"
        assert "You have no tariff yet" in page.locator("main").inner_text()
        page.click("[data-testid=add-tariff]")
        page.wait_for_url("**/app/tariffs/new/")

        page.fill("input[name=name]", "Residence evenings")
        page.select_option("select[name=currency]", "EUR")
        page.fill("input[name=price_per_kwh]", "0.30")
        page.fill("input[name=connection_fee]", "1.00")
        # A period Mon–Fri 18:00–22:00 at 0.40 EUR/kWh: a new row has every day ticked.
        page.click("[data-testid=add-period]")
        row = page.locator("[data-period-rows] [data-period-row]").first
        assert row.locator("input[type=checkbox]:checked").count() == 7
        row.locator("label", has_text="Sat").click()
        row.locator("label", has_text="Sun").click()
        row.locator("input[name$=start_time]").fill("18:00")
        row.locator("input[name$=end_time]").fill("22:00")
        row.locator("input[name$=price_per_kwh]").fill("0.40")
        # A second row, added then removed: it is not saved.
        page.click("[data-testid=add-period]")
        page.locator("[data-period-row]:visible [data-testid=remove-period]").nth(1).click()
        assert page.locator("[data-period-rows] [data-period-row]:visible").count() == 1

        # Preview before saving: Monday 17:00, 2 h, 16 kWh evenly → 8 kWh at 0.30 and 8 kWh at 0.40.
        page.fill("input[name=preview-energy_kwh]", "16")
        page.fill("input[name=preview-start_date]", "2026-03-02")
        page.fill("input[name=preview-start_time]", "17:00")
        page.fill("input[name=preview-charging_minutes]", "120")
        page.click("[data-testid=preview-button]")
        result = page.locator("#tariff-preview-result [data-testid=preview-result]")
        result.wait_for()
        energy = result.locator("tr[data-line=energy]")
        assert energy.count() == 2
        assert "8 kWh" in energy.nth(0).inner_text() and "0.30 EUR/kWh" in energy.nth(0).inner_text()
        assert "2.40 EUR" in energy.nth(0).inner_text()
        assert "0.40 EUR/kWh" in energy.nth(1).inner_text() and "3.20 EUR" in energy.nth(1).inner_text()
        assert "Mon–Fri 18:00–22:00" in energy.nth(1).inner_text()
        assert result.locator("[data-testid=preview-total]").inner_text() == "6.60 EUR"
        assert Tariff.objects.count() == 0  # a preview saves nothing
        shot(page, tmp_path, "form-preview")

        page.click("[data-testid=save-tariff]")
        page.wait_for_url("**/app/tariffs/*/")
        tariff = Tariff.objects.get()
        assert "was created" in page.locator(".wcc-messages").inner_text()
        assert list(tariff.periods.values_list("weekdays", "price_per_kwh")) == [("01234", D("0.40"))]
        assert "18:00–22:00" in page.locator("[data-testid=tariff-periods]").inner_text()

        # On the tariff's page: the seeds' example, 35.13 kWh × 0.30 EUR + 1.00 EUR.
        page.fill("input[name=preview-energy_kwh]", "35.13")
        page.fill("input[name=preview-start_date]", "2026-03-02")
        page.fill("input[name=preview-start_time]", "09:00")
        page.fill("input[name=preview-charging_minutes]", "120")
        page.click("[data-testid=preview-button]")
        total = page.locator("#tariff-preview-result [data-testid=preview-total]")
        total.wait_for()
        assert total.inner_text() == "11.54 EUR"
        assert "10.54 EUR" in page.locator("tr[data-line=energy]").inner_text()
        assert "35.13 kWh" in page.locator("tr[data-line=energy]").inner_text()
        shot(page, tmp_path, "detail-preview")

        # Edit: a higher base price; the list shows it.
        page.click("[data-testid=edit-tariff]")
        page.wait_for_url("**/edit/")
        assert page.locator("input[name=periods-0-start_time]").input_value() == "18:00"
        page.fill("input[name=price_per_kwh]", "0.35")
        page.click("[data-testid=save-tariff]")
        page.wait_for_url(f"**/app/tariffs/{tariff.pk}/")
        assert "0.35 EUR" in page.locator("[data-testid=tariff-components]").inner_text()
        page.goto(server.url + "/app/tariffs/")
        card = page.locator("[data-testid=tariff-card]")
        assert card.count() == 1 and "0.35 EUR / kWh" in card.inner_text() and "EUR" in card.inner_text()
        shot(page, tmp_path, "list")

        # Remove, after a confirmation naming the group that gets detached.
        group = GroupFactory(owner=owner, name="Residence", tariff=tariff)
        card.click()
        page.click("[data-testid=delete-tariff]")
        modal = page.locator("#delete-tariff-modal")
        modal.wait_for(state="visible")
        assert "Residence" in modal.inner_text() and "detached" in modal.inner_text()
        shot(page, tmp_path, "remove-confirm")
        modal.locator("[data-testid=confirm-delete]").click()
        page.wait_for_url("**/app/tariffs/")
        assert "1 group no longer has a tariff" in page.locator(".wcc-messages").inner_text()
        assert page.locator("[data-testid=tariff-card]").count() == 0
        assert Group.objects.get(pk=group.pk).tariff is None and not Tariff.objects.exists()
        shot(page, tmp_path, "after-remove")
    finally:
        context.close()
    assert errors == []
