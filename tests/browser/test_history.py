"""SES-4 in a real browser on a phone: the owner opens the history (the latest month with
sessions), filters it by charger, switches month, exports the view, opens a session whose
detail draws the power curve with Chart.js and writes the costs out, then watches a member's
session on their charger (a simulated charger over OCPP) appear, charge and end."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sessions_app import services
from tests.e2e import start_sim, stop_sim
from tests.history.conftest import at, build_history_world, charge, iso
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def off_the_loop(fn, *args):
    """Run ``fn`` in a thread of its own: Playwright's event loop runs in this one, and the
    session services push live updates (async_to_sync) when they commit."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


@pytest.fixture
def history_world(world, charger, group_charger, tags):
    return off_the_loop(build_history_world, charger, group_charger)


def evening_charge(cp, tag, start, meter_start=100000):
    """Two hours at 11 kW tapering to 2 kW in the last half hour, sampled every 5 minutes."""
    session = charge(cp, tag, start, minutes=1, power_w=None, stop=False, meter_start=meter_start)
    wh = meter_start
    for step in range(1, 25):
        minute = step * 5
        watts = 11000 if minute <= 90 else 11000 - (minute - 90) * 300
        wh += watts * 5 // 60
        services.meter_values_store(items=[(cp.pk, {"connectorId": 1, "transactionId": session.pk, "meterValue": [
            {"timestamp": iso(start + timedelta(minutes=minute)), "sampledValue": [
                {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": str(watts / 1000), "measurand": "Power.Active.Import", "unit": "kW"}]}]})])
    services.session_stop(charge_point_pk=cp.pk, payload={
        "transactionId": session.pk, "meterStop": wh, "timestamp": iso(start + timedelta(minutes=125)),
        "reason": "EVDisconnected", "idTag": tag})
    return session


def test_owner_filters_the_history_switches_month_and_opens_a_detail_with_its_chart(
        server, phone, owner, password, history_world, group_charger, tags, sim_loop):
    detailed = off_the_loop(evening_charge, group_charger, "MEMBER1", at("2026-02-20", 17))
    page = phone
    page.emulate_media(reduced_motion="reduce")
    login(page, server.url, owner.email, password)

    # The current month has no session: the latest month with sessions opens.
    page.goto(server.url + reverse("app:sessions"))
    assert page.locator("header h1").inner_text() == "Sessions"
    assert page.locator("[data-testid=month-select] option:checked").inner_text() == "March 2026"
    assert page.locator("[data-testid=session-row]").count() == 5
    assert page.locator("[data-testid=month-energy]").inner_text() == "31.00 kWh"
    assert page.locator("[data-testid=month-cost]").inner_text() == "5.60 EUR"
    screenshot(page, "history-1-month")

    # Filter by the group's charger: the list and the totals follow at once.
    page.click("[data-testid=filter-toggle]")
    page.locator("[data-testid=filter-charger]").wait_for(state="visible")
    with page.expect_navigation():
        page.select_option("[data-testid=filter-charger]", "CP-GROUP")
    assert parse_qs(urlsplit(page.url).query) == {"month": ["2026-03"], "charger": ["CP-GROUP"]}
    assert page.locator("[data-testid=session-row]").count() == 2
    assert page.locator("[data-testid=month-energy]").inner_text() == "12.00 kWh"
    screenshot(page, "history-2-filtered")

    # The previous month, filter kept: the member's two sessions of February.
    page.click("[data-testid=month-previous]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=month-select] option:checked").inner_text() == "February 2026"
    assert parse_qs(urlsplit(page.url).query)["charger"] == ["CP-GROUP"]
    assert page.locator("[data-testid=session-row]").count() == 2
    row = page.locator(f"[data-session='{detailed.pk}']")
    assert "Max" in row.inner_text()  # the member's name: another driver on the owner's charger

    # The month select offers the months with sessions on this charger (and the current one).
    offered = page.locator("[data-testid=month-select] option").evaluate_all("options => options.map(o => o.value)")
    assert offered[1:] == ["2026-03", "2026-02"]
    with page.expect_navigation():
        page.select_option("[data-testid=month-select]", "2026-03")
    assert page.locator("[data-testid=session-row]").count() == 2
    assert parse_qs(urlsplit(page.url).query) == {"month": ["2026-03"], "charger": ["CP-GROUP"]}
    page.go_back()
    page.wait_for_load_state("networkidle")

    # The export menu sends this view (February, CP-GROUP) to the export form.
    page.click("[data-testid=export-menu]")
    page.locator("[data-testid=export-filtered] button[value=csv]").wait_for(state="visible")
    screenshot(page, "history-2b-export-menu")
    with page.expect_navigation():
        page.click("[data-testid=export-filtered] button[value=csv]")
    assert urlsplit(page.url).path == reverse("app:exports")
    export = owner.session_exports.get()
    assert (export.format, export.scope, export.filters, export.rows_total) == (
        "csv", "filtered", {"month": "2026-02", "charger": "CP-GROUP"}, 2)
    page.go_back()
    page.wait_for_load_state("networkidle")

    # The detail: the curve drawn, the costs written out, the log.
    page.click(f"[data-session='{detailed.pk}'] a")
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == reverse("app:session_detail", args=[detailed.pk])
    page.locator("#power-chart").wait_for()
    points = page.evaluate("() => Chart.getChart('power-chart').data.datasets[0].data.length")
    assert points == 24
    assert page.evaluate("() => Chart.getChart('power-chart').data.datasets[0].data[0].y") == 11.0
    assert "max 11.0 kW" in page.locator("[data-testid=power-card]").inner_text()
    cost = page.locator("[data-testid=cost-lines]").inner_text()
    assert "19.359 kWh × 0.30 EUR/kWh = 5.81 EUR" in cost
    assert "Connection fee" in cost
    assert page.locator("[data-testid=session-log] li").count() >= 3
    assert page.locator("[data-testid=export-session] button").count() == 3
    screenshot(page, "history-3-detail")

    # A member starts charging at the group's charger now (a simulated charger over OCPP): the
    # current month opens, the row says "Charging", leads to the live page and follows the
    # energy live; when the session stops the row shows the final price.
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-GROUP"))
    try:
        tx = sim_loop.run_until_complete(sim.start_transaction(2, "MEMBER1"))
        page.goto(server.url + reverse("app:sessions"))
        row = page.locator(f"[data-session='{tx.transaction_id}']")
        assert page.locator("[data-testid=session-row]").count() == 1
        assert "Charging" in row.inner_text() and "cost so far" in row.inner_text()
        assert row.locator("a").get_attribute("href") == reverse("app:session_live", args=[tx.transaction_id])
        assert "still charging" in page.locator("[data-testid=month-totals]").inner_text()
        assert row.locator("[data-testid=session-energy]").inner_text() == "0.00 kWh"
        energy = row.locator("[data-testid=session-energy]")
        page.evaluate("() => { window.notReloaded = true; }")
        for _attempt in range(5):  # the page subscribes to the charger as it loads: resend until seen
            sim_loop.run_until_complete(sim.send_meter_values(tx, 1800))  # half an hour at ~11 kW
            try:
                page.wait_for_function("e => !e.textContent.startsWith('0.00')", arg=energy.element_handle(),
                                       timeout=1500)
                break
            except PlaywrightTimeout:
                continue
        assert float(energy.inner_text().removesuffix(" kWh")) > 5
        assert page.evaluate("() => window.notReloaded === true")  # pushed live, no reload
        assert page.locator("[data-testid=month-energy]").inner_text() == energy.inner_text()
        assert page.locator("[data-active]").count() == 1
        screenshot(page, "history-4-charging")
        sim_loop.run_until_complete(sim.stop_transaction(tx.transaction_id, "EVDisconnected"))
        page.wait_for_selector(f"[data-session='{tx.transaction_id}']:not([data-active])", timeout=8000)
        assert "EUR/kWh" in page.locator(f"[data-session='{tx.transaction_id}']").inner_text()
        assert page.console_errors == []
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))
