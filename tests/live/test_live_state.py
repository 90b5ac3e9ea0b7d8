"""SES-3 live state: the running values from the latest meter samples (fresher than the session
row), the cost so far written out, the charger's state, the final numbers once stopped; the
live page and its JSON (api-session-live), and my running sessions (api-sessions-active)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.live import live_state
from sessions_app.models import ChargingSession
from tests.live.helpers import online, sample, start, status, stop
from tests.sharing.helpers import app_client

pytestmark = pytest.mark.django_db


def ago(minutes: float) -> str:
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def running(group_charger, tags):
    """The member charges at the group's charger (0.30 EUR/kWh + 1.00 EUR per session): 5 kWh
    so far at 7 kW, battery at 55 %. Only the first sample reached the session row."""
    online(group_charger)
    status(group_charger, "Preparing", ago(41))
    tx = start(group_charger, "MEMBER1", ago(40), meter=1000)
    status(group_charger, "Charging", ago(40))
    sample(group_charger, tx, ago(20), wh=3000, w=7200)
    sample(group_charger, tx, ago(1), wh=6000, w=7000, soc=55)
    return ChargingSession.objects.select_related("charge_point").get(pk=tx)


def test_the_live_state_reads_the_latest_samples_and_prices_them_so_far(running, member):
    assert running.last_meter_wh == 3000  # the row lags behind (written every few minutes)
    state = live_state(running, user=member)
    assert (state.energy_wh, state.power_w, state.soc_percent) == (5000, 7000, 55)
    assert state.max_power_w == 7200
    assert (state.state, state.state_label, state.online) == ("charging", "Charging", True)
    assert 40 * 60 - 5 <= state.elapsed_seconds <= 40 * 60 + 5
    # 5 kWh × 0.30 EUR/kWh + 1.00 EUR.
    cost = state.cost
    assert cost.running and cost.total == Decimal("2.50") and cost.total_display == "2.50 EUR"
    assert [(line.label, line.quantity_display, line.unit_price_display, line.amount_display)
            for line in cost.lines] == [("Energy", "5 kWh", "0.30 EUR/kWh", "1.50 EUR"),
                                        ("Connection fee", "1", "1.00 EUR", "1.00 EUR")]
    assert state.can_stop and state.stop is None
    assert [entry.kind for entry in state.log] == ["vehicle_connected", "authorized", "charging_started"]


@pytest.mark.parametrize(("connector_status", "state", "label"), [
    ("SuspendedEV", "suspended_ev", "Paused by the vehicle"),
    ("SuspendedEVSE", "suspended_evse", "Paused by the charger"),
    ("Faulted", "faulted", "Charger fault"),
    ("Finishing", "stopping", "Stopping…"),
])
def test_the_state_follows_the_connector(running, member, group_charger, connector_status, state, label):
    status(group_charger, connector_status, ago(0.5))
    live = live_state(running, user=member)
    assert (live.state, live.state_label, live.connector_status) == (state, label, connector_status)


def test_the_live_json_for_the_app_and_the_page(running, member):
    body = app_client(member).get(f"/api/v1/sessions/{running.pk}/live/").json()
    assert body["id"] == running.pk and body["status"] == "active" and body["state"] == "charging"
    assert (body["charge_point_id"], body["charger_name"], body["connector_id"]) == ("CP-GROUP", "Residence", 1)
    assert (body["energy_wh"], body["energy_kwh"], body["power_kw"], body["soc_percent"]) == (5000, 5.0, 7.0, 55.0)
    assert body["cost"]["total"] == "2.50" and body["cost"]["total_display"] == "2.50 EUR"
    assert body["cost"]["lines"][0]["amount_display"] == "1.50 EUR" and body["cost"]["running"] is True
    assert body["can_stop"] is True and body["stop"] is None and body["online"] is True
    assert [e["kind"] for e in body["log"]] == ["vehicle_connected", "authorized", "charging_started"]
    assert body["log"][0]["time_display"]
    assert body["live_url"] == reverse("app:session_live", args=[running.pk])
    assert body["detail_url"] == reverse("app:session_detail", args=[running.pk])


def test_the_live_page_while_it_runs(client, running, member):
    client.force_login(member)
    response = client.get(reverse("app:session_live", args=[running.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ('data-testid="live-energy">5.00<', 'data-testid="live-power">7.0<', 'data-testid="live-soc">55<',
                 "Residence", "CP-GROUP", "Connector 1", 'data-testid="cost-total">2.50 EUR<', "Stop charging",
                 "Stop charging?", "Yes, stop", f'action="{reverse("app:session_stop", args=[running.pk])}"',
                 f'data-state-url="/api/v1/sessions/{running.pk}/live/"', "js/session_live.js",
                 "Vehicle connected", "Charging started"):
        assert text in html, text


def test_once_stopped_the_page_shows_the_final_numbers(client, running, member, group_charger):
    stop(group_charger, running.pk, ago(0.2), 8000)
    running.refresh_from_db()
    assert running.total_cost == Decimal("3.10")  # 7 kWh × 0.30 + 1.00
    client.force_login(member)
    html = client.get(reverse("app:session_live", args=[running.pk])).content.decode()
    assert 'data-testid="session-completed"' in html and "Charging complete" in html
    assert 'data-testid="final-total">3.10 EUR<' in html and "7.00 kWh" in html
    assert f'href="{reverse("app:session_detail", args=[running.pk])}"' in html
    assert "Stop charging" not in html
    body = app_client(member).get(f"/api/v1/sessions/{running.pk}/live/").json()
    assert body["status"] == "completed" and body["state"] == "completed" and body["power_kw"] is None
    assert body["cost"]["total"] == "3.10" and body["cost"]["running"] is False and body["can_stop"] is False


def test_free_charging_shows_no_cost(client, charger, owner, tags):
    tx = start(charger, "OWNER1", ago(5))
    client.force_login(owner)
    html = client.get(reverse("app:session_live", args=[tx])).content.decode()
    assert "No tariff on this charger: charging here is free." in html
    assert app_client(owner).get(f"/api/v1/sessions/{tx}/live/").json()["cost"] is None


def test_my_running_sessions(running, member, owner, outsider, staff):
    mine = app_client(member).get("/api/v1/sessions/active/").json()
    assert [s["id"] for s in mine] == [running.pk] and mine[0]["energy_wh"] == 5000
    # The charger's (and group's) owner follows it; not under "only mine".
    assert [s["id"] for s in app_client(owner).get("/api/v1/sessions/active/").json()] == [running.pk]
    assert app_client(owner).get("/api/v1/sessions/active/?scope=mine").json() == []
    assert app_client(outsider).get("/api/v1/sessions/active/").json() == []
    assert app_client(staff).get("/api/v1/sessions/active/").json() == []  # staff: their own dashboard
