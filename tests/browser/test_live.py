"""SES-3 and DASH-1 in a real browser on a phone against a real server and a simulated charger
speaking OCPP: the running session appears on the open dashboard by itself, the live page
follows the meter values without being reloaded, Stop (confirmed) ends the simulator's
transaction and the page shows the priced result."""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import ChargingSession
from tests.e2e import start_sim, stop_sim, wait_until
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("configuration_keys")]


def energy_text(page) -> str:
    return page.locator("[data-testid=live-energy]").inner_text()


def test_live_session_from_the_dashboard_to_the_priced_stop(
    server, phone, member, group_charger, tags, password, sim_loop
):
    page = phone
    page.emulate_media(reduced_motion="reduce")
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-GROUP"))
    try:
        login(page, server.url, member.email, password)
        page.goto(server.url + reverse("app:dashboard"))
        assert page.locator("header h1").inner_text() == "Dashboard"
        assert page.locator("[data-testid=active-session]").count() == 0
        page.evaluate("window.__notReloaded = true")

        # The member plugs in and badges at the charger: the open dashboard shows the session.
        tx = sim_loop.run_until_complete(sim.start_transaction(1, "MEMBER1"))
        bar = page.locator("[data-testid=active-session]")
        bar.wait_for(timeout=10000)
        assert "Residence" in bar.inner_text() and "Charging" in bar.inner_text()
        assert page.evaluate("window.__notReloaded") is True
        screenshot(page, "live-1-dashboard-bar")

        page.click("[data-testid=active-session-link]")
        page.wait_for_load_state("networkidle")
        assert urlsplit(page.url).path == reverse("app:session_live", args=[tx.transaction_id])
        assert page.locator("header h1").inner_text() == "Charging session"
        assert energy_text(page) == "0.00"
        assert page.locator("[data-testid=live-state]").inner_text().strip() == "Charging"
        page.evaluate("window.__notReloaded = true")

        # Ten minutes of charging at 11 kW arrive as meter values: the page follows, unreloaded.
        sim_loop.run_until_complete(sim.send_meter_values(tx, 600))
        page.wait_for_function(
            "document.querySelector('[data-testid=live-energy]').textContent.trim() !== '0.00'", timeout=8000)
        energy = float(energy_text(page))
        assert 1.7 < energy < 1.9, energy
        assert re.fullmatch(r"1[01]\.\d", page.locator("[data-testid=live-power]").inner_text())
        assert page.locator("[data-testid=live-soc]").inner_text().strip().isdigit()
        # The cost so far follows a moment later (0.30 EUR/kWh + 1.00 EUR).
        expected = f"{Decimal('0.30') * Decimal(str(energy)) + Decimal('1.00'):.2f} EUR"
        page.wait_for_function(
            f"document.querySelector('[data-testid=cost-total]').textContent.trim() === '{expected}'",
            timeout=10000)
        elapsed = page.locator("[data-testid=live-elapsed]").inner_text()
        page.wait_for_timeout(1200)
        assert page.locator("[data-testid=live-elapsed]").inner_text() != elapsed  # the clock runs
        assert page.evaluate("window.__notReloaded") is True
        screenshot(page, "live-2-charging")

        # Stop, confirmed: RemoteStopTransaction, the simulator stops, the page shows the result.
        page.click("[data-testid=stop-open]")
        dialog = page.locator(".modal.show")
        dialog.wait_for()
        assert "Stop charging?" in dialog.inner_text()
        screenshot(page, "live-3-stop-confirm")
        page.click(".modal.show [data-testid=stop-confirm]")
        page.locator("[data-testid=session-completed]").wait_for(timeout=15000)
        session = wait_until(lambda: ChargingSession.objects.filter(
            pk=tx.transaction_id, status="completed", total_cost__isnull=False).first())
        assert session.stop_reason == "Remote" and not sim.transactions
        final = f"{session.total_cost} EUR"
        assert page.locator("[data-testid=final-total]").inner_text() == final
        assert page.locator("[data-testid=cost-total]").inner_text() == final
        assert "Stop requested" in page.locator("[data-testid=live-log]").inner_text()
        screenshot(page, "live-4-completed")

        # Back on the dashboard: no bar any more, the last session with its cost.
        page.goto(server.url + reverse("app:dashboard") + "?days=7")
        assert page.locator("[data-testid=active-session]").count() == 0
        assert page.locator("[data-testid=last-cost]").inner_text() == final
        assert page.locator("[data-testid=total-cost]").inner_text() == final
        screenshot(page, "live-5-dashboard-after")
        assert page.console_errors == []
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))


def test_the_chargers_owner_stops_a_members_session_from_the_dashboard_bar(
    server, phone, owner, member, group_charger, tags, password, sim_loop
):
    page = phone
    page.emulate_media(reduced_motion="reduce")
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-GROUP"))
    try:
        tx = sim_loop.run_until_complete(sim.start_transaction(1, "MEMBER1"))
        sim_loop.run_until_complete(sim.send_meter_values(tx, 300))
        login(page, server.url, owner.email, password)
        page.goto(server.url + reverse("app:dashboard"))
        # The owner's dashboard counts the sessions on their chargers too (or only theirs).
        assert page.locator("[data-testid=scope-mine]").inner_text().strip() == "Only mine"
        bar = page.locator("[data-testid=active-session]")
        assert bar.count() == 1 and member.get_full_name() in bar.inner_text()
        screenshot(page, "live-6-owner-dashboard")
        page.click("[data-testid=active-stop]")
        page.locator(".modal.show").wait_for()
        page.click(".modal.show [data-testid=stop-confirm]")
        page.wait_for_load_state("networkidle")
        assert urlsplit(page.url).path == reverse("app:dashboard")
        assert "Stop sent to Residence" in page.locator(".wcc-messages").inner_text()
        # The session ends: the bar goes away by itself.
        page.wait_for_function("document.querySelectorAll('[data-testid=active-session]').length === 0",
                               timeout=15000)
        session = wait_until(lambda: ChargingSession.objects.filter(pk=tx.transaction_id, status="completed").first())
        assert session.user == member and session.stop_reason == "Remote"
        assert page.console_errors == []
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))


def test_the_page_says_stopping_then_explains_a_refusal(server, phone, member, group_charger, tags, password):
    from chargers.models import ChargerOperation
    from tests.live.helpers import online, sample, start

    # A charger that is connected but never answers (its socket lives in no process here).
    online(group_charger)
    now = timezone.now()
    tx = start(group_charger, "MEMBER1", (now - timedelta(minutes=31)).isoformat())
    sample(group_charger, tx, (now - timedelta(minutes=1)).isoformat(), wh=5400, w=9000, soc=64)
    page = phone
    page.emulate_media(reduced_motion="reduce")
    login(page, server.url, member.email, password)
    page.goto(server.url + reverse("app:session_live", args=[tx]))
    page.click("[data-testid=stop-open]")
    page.click(".modal.show [data-testid=stop-confirm]")
    page.wait_for_load_state("networkidle")
    stopping = page.locator("[data-testid=stopping]")
    assert stopping.is_visible() and "waiting for the charger" in stopping.inner_text()
    assert page.locator("[data-testid=live-state]").inner_text().strip() == "Stopping…"
    assert not page.locator("[data-testid=stop-open]").is_visible()
    screenshot(page, "live-7-stopping")

    # The charger refuses: the page explains it and offers Stop again, without a reload.
    page.evaluate("window.__notReloaded = true")
    ChargerOperation.objects.filter(action="RemoteStopTransaction").update(status="rejected")
    message = page.locator("[data-testid=stop-message]")
    message.wait_for(timeout=15000)  # polled: no live event tells this page
    assert "The charger refused to stop the session" in message.inner_text()
    assert page.locator("[data-testid=stop-open]").is_visible() and not stopping.is_visible()
    assert page.evaluate("window.__notReloaded") is True
    screenshot(page, "live-8-stop-refused")
    assert page.console_errors == []
