"""SES-7 / SES-8 in a real browser: the sessions table (filters, page size, columns, export,
stop confirm) and a session's detail with its power chart. Screenshots in tests/artifacts."""

from pathlib import Path

import pytest
from django.urls import reverse

from tests.portal_sessions.conftest import sessions_world  # noqa: F401 - fixture
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sessions_table_in_the_browser(server, page, owner, password, sessions_world):  # noqa: F811
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, server.url, owner.email, password)
    page.goto(server.url + reverse("portal:sessions"))
    rows = page.locator('[data-testid="session-row"]')
    assert rows.count() == 8
    screenshot(page, "portal_sessions_table")

    # Filter by charge point, then by status.
    page.fill("input[name=charge_point]", "GROUP")
    page.click('[data-testid="filter-submit"]')
    page.wait_for_load_state("networkidle")
    assert rows.count() == 3
    page.goto(server.url + reverse("portal:sessions"))
    page.select_option("select[name=by]", "status")
    page.fill("input[name=q]", "Charging")
    page.click('[data-testid="filter-submit"]')
    page.wait_for_load_state("networkidle")
    assert rows.count() == 1

    # Page size 10 remembered.
    page.goto(server.url + reverse("portal:sessions"))
    with page.expect_navigation():
        page.select_option('[data-testid="page-size"]', "10")
    owner.refresh_from_db()
    assert owner.portal_preferences["sessions"]["per_page"] == 10

    # Columns: add City and Costs per kWh, remove RFID tag.
    page.click('[data-testid="columns-button"]')
    page.wait_for_selector("#columns-modal.show")
    page.wait_for_timeout(400)  # the fade-in
    screenshot(page, "portal_sessions_columns")
    page.check("#columns-modal input[value=city]")
    page.check("#columns-modal input[value=costs_per_kwh]")
    page.uncheck("#columns-modal input[value=rfid_tag]")
    page.click('[data-testid="columns-save"]')
    page.wait_for_load_state("networkidle")
    assert page.locator('th[data-col="city"]').count() == 1
    assert page.locator('th[data-col="rfid_tag"]').count() == 0
    page.goto(server.url + reverse("portal:sessions"))
    assert page.locator('th[data-col="costs_per_kwh"]').count() == 1

    # Export CSV of what is shown.
    page.click('[data-testid="export-menu"]')
    with page.expect_download() as download:
        page.click('[data-testid="export-csv"]')
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0].startswith("ID,Charge point ID,Start")
    assert len(content.splitlines()) == 9

    # Stop asks for confirmation.
    page.click('[data-testid="stop-button"]')
    page.wait_for_selector(".modal.show [data-testid=stop-confirm]")
    page.wait_for_timeout(400)
    screenshot(page, "portal_sessions_stop_confirm")
    page.keyboard.press("Escape")
    assert errors == []


def test_session_detail_in_the_browser(server, page, owner, password, sessions_world):  # noqa: F811
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, server.url, owner.email, password)
    page.goto(server.url + reverse("portal:sessions"))
    page.click(f'[data-session="{sessions_world["member_mar"].pk}"] [data-testid="session-link"]')
    page.wait_for_selector('[data-testid="session-detail"]')
    page.wait_for_timeout(500)  # the chart's animation
    assert "4.00 EUR" in page.inner_text('[data-testid="cost-total"]')
    assert page.locator('[data-testid="meter-row"]').count() == 2
    screenshot(page, "portal_session_detail")
    page.click('[data-testid="logbook-link"]')
    page.fill("input[name=mileage_km]", "abc")
    page.click('[data-testid="logbook-save"]')
    assert page.locator('[data-testid="field-error"]').count() == 1
    screenshot(page, "portal_session_logbook_error")
    page.fill("input[name=mileage_km]", "15000")
    page.fill("input[name=vehicle_id]", "B-EV 7")
    page.click('[data-testid="logbook-save"]')
    page.wait_for_selector('[data-testid="session-detail"]')
    assert "15000 km" in page.inner_text('[data-testid="detail-mileage"]')
    assert errors == []
