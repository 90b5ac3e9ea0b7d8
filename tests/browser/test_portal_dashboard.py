"""DASH-2 in a real browser: the dashboard's charts and connector table drawn from real data,
a bad date range shown as a form error, and the page catching up with a connector's new
status. Screenshots in tests/artifacts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from chargers.models import Connector
from tests.e2e import start_sim, stop_sim
from tests.portal_dashboard.conftest import dash_world, local, sample  # noqa: F401 - fixture
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_in_the_browser(server, page, owner, password, dash_world):  # noqa: F811
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yesterday = dash_world["yesterday"]
    session = dash_world["sessions"]["group"]
    for minute, watts in ((0, 7000), (15, 7200), (30, 11000), (45, 3700)):
        sample(session, local(yesterday, 9, minute), watts)

    page.emulate_media(reduced_motion="reduce")  # charts drawn at once: screenshots show them whole
    login(page, server.url, owner.email, password)
    page.goto(server.url + reverse("portal:dashboard"))
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="current-power"]').inner_text() == "7.4"
    assert page.locator('[data-testid="connector-row"]').count() == 4
    assert page.locator('[data-testid="station-status"]').inner_text().split()[:2] == ["1", "Online"]
    for chart in ("statusChart", "sessionsChart", "powerChart", "reservationsChart"):
        box = page.locator(f"#{chart}").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, chart
    screenshot(page, "portal_dashboard")

    # The power of one day: yesterday's samples.
    page.fill("#id_power_day", yesterday.isoformat())
    with page.expect_navigation():
        page.locator('[data-testid="power-day"] button').click()
    kw = page.evaluate("Chart.getChart('powerChart').data.datasets[0].data")
    assert max(v for v in kw if v is not None) == 11.0
    screenshot(page, "portal_dashboard_power_day")

    # A period that ends before it starts: a form error, the default period drawn.
    page.fill("#id_sessions_from", yesterday.isoformat())
    page.fill("#id_sessions_to", (yesterday - timedelta(days=3)).isoformat())
    with page.expect_navigation():
        page.locator('[data-testid="sessions-range"] button').click()
    assert page.locator('[data-testid="dashboard-errors"]').is_visible()
    assert page.locator('[data-testid="sessions-range"] .invalid-feedback').is_visible()
    screenshot(page, "portal_dashboard_range_error")

    # The page re-reads its figures (every 30 s, after live events, on coming back to the tab).
    page.goto(server.url + reverse("portal:dashboard"))
    page.wait_for_load_state("networkidle")
    Connector.objects.filter(charge_point__charge_point_id="CP-HOME", connector_id=2).update(
        status=Connector.Status.AVAILABLE, error_code=Connector.ErrorCode.NO_ERROR)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    row = page.locator('[data-connector-row$="-2"]').filter(has_text="CP-HOME")
    row.locator('[data-cell="status"]', has_text="Available").wait_for(timeout=10000)
    assert "Ground failure" not in page.locator('[data-testid="connector-table"]').inner_text()
    assert not errors, errors


def test_dashboard_follows_a_simulated_charger_live(server, page, owner, charger, tags, password, sim_loop):
    """A real charger's reports reach the open page without reloading it: it comes online,
    a connector faults, a session starts and its power shows up."""
    page.emulate_media(reduced_motion="reduce")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, server.url, owner.email, password)
    page.goto(server.url + reverse("portal:dashboard"))
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-status-count="unknown"]').inner_text() == "1"
    page.wait_for_function("window.wccLive && wccLive.isOpen()")

    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    try:
        page.locator('[data-status-count="online"]', has_text="1").wait_for(timeout=15000)
        sim_loop.run_until_complete(sim.report_status(2, "Faulted", "GroundFailure"))
        row = page.locator(f'[data-connector-row="{charger.pk}-2"]')
        row.locator('[data-cell="error"]', has_text="Ground failure").wait_for(timeout=15000)
        assert "Faulted" in row.locator('[data-cell="status"]').inner_text()

        assert sim_loop.run_until_complete(sim.authorize("OWNER1")) == "Accepted"
        tx = sim_loop.run_until_complete(sim.start_transaction(1, "OWNER1"))
        sim_loop.run_until_complete(sim.send_meter_values(tx, 60))
        page.wait_for_function(
            "parseFloat(document.querySelector('[data-current-power]').textContent) > 0", timeout=15000)
        assert "Charging" in page.locator(f'[data-connector-row="{charger.pk}-1"] [data-cell="status"]').inner_text()
        screenshot(page, "portal_dashboard_live")
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))
    assert not errors, errors
