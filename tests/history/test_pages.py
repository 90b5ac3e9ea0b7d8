"""SES-4 pages: the history by month (switcher, filters, totals, export menu) and a session's
detail (figures, costs written out, power curve, logbook, timed log, export of the session)."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import ChargingSession
from tests.history.conftest import at, charge

pytestmark = pytest.mark.django_db

HISTORY = reverse("app:sessions")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def hidden_fields(form: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken")
    return fields


def rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="session-row" data-session="(\d+)"', response.content.decode())]


def test_history_needs_a_login(client):
    response = client.get(HISTORY)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_history_shows_a_month_with_its_sessions_totals_and_figures(client, owner, history_world):
    client.force_login(owner)
    response = client.get(HISTORY, {"month": "2026-03"})
    assert response.status_code == 200
    w = history_world
    assert rows(response) == [w[k].pk for k in ("owner_mar2", "guest_mar", "owner_group", "member_mar", "owner_mar")]
    page = text(response)
    assert 'data-testid="month-energy" data-energy-wh="31000">31.00 <small' in page
    assert 'data-testid="month-cost"> <div>5.60 EUR</div>' in page
    assert 'data-testid="month-count">5<' in page
    # The member's session on the owner's group charger: plug-in → plug-out (Berlin time),
    # energy, cost, cost per kWh, meter readings, power; the driver's name (not the owner's).
    member_row = page[page.index(f'data-session="{w["member_mar"].pk}"'):]
    member_row = member_row[:member_row.index("</li>")]
    assert "Tue 3 Mar · 11:00<span aria-hidden=\"true\">–</span>" in member_row and "12:00" in member_row
    assert "10.00 kWh" in member_row and "4.00 EUR" in member_row and "0.40 EUR/kWh" in member_row
    assert "1.000 → 11.000 kWh" in member_row and "max 11.0 kW" in member_row and "avg 10.0 kW" in member_row
    assert "MEMBER1" not in member_row and "Card" in member_row and "Max" in member_row
    assert reverse("app:session_detail", args=[w["member_mar"].pk]) in member_row
    # The month select offers the months with sessions and the current one.
    months = re.findall(r'<option value="(\d{4}-\d\d)"', response.content.decode())
    assert months[0] == timezone.localdate().strftime("%Y-%m") and months[1:] == ["2026-03", "2026-02", "2026-01"]
    assert 'data-testid="month-previous" title="February 2026"' in page
    assert 'href="?month=2026-02"' in page


def test_default_month_is_the_latest_with_sessions_when_the_current_one_has_none(client, member, history_world):
    client.force_login(member)
    response = client.get(HISTORY)
    assert rows(response) == [history_world["member_mar"].pk]
    assert '<option value="2026-03" selected>' in response.content.decode()


def test_filters_by_charger_tag_and_scope(client, owner, history_world, tags):
    client.force_login(owner)
    w = history_world
    response = client.get(HISTORY, {"month": "2026-03", "charger": "CP-GROUP"})
    assert rows(response) == [w["owner_group"].pk, w["member_mar"].pk]
    assert 'data-testid="month-cost"> <div>5.60 EUR</div>' in text(response)
    response = client.get(HISTORY, {"month": "2026-03", "tag": tags["guest"].pk})
    assert rows(response) == [w["guest_mar"].pk]
    response = client.get(HISTORY, {"month": "2026-03", "scope": "mine"})
    assert rows(response) == [w["owner_mar2"].pk, w["owner_group"].pk, w["owner_mar"].pk]
    page = text(response)
    # The month links keep the filters.
    assert 'href="?month=2026-01&amp;scope=mine"' in page  # February has none of mine
    assert 'data-testid="filter-clear"' in page


def test_a_bad_filter_is_explained_and_the_history_shown_without_it(client, member, history_world):
    client.force_login(member)
    response = client.get(HISTORY, {"charger": "CP-HOME", "month": "2026-3"}, follow=True)
    assert response.redirect_chain == [(HISTORY, 302)]
    page = text(response)
    assert "The filter is not valid." in page and "No such charger among your sessions." in page


def test_export_menu_posts_the_current_filter_to_the_export_form(client, owner, history_world, tags):
    client.force_login(owner)
    response = client.get(HISTORY, {"month": "2026-03", "charger": "CP-GROUP", "tag": tags["member"].pk,
                                    "scope": "chargers"})
    html = response.content.decode()
    form = html[html.index('data-testid="export-filtered"'):]
    form = form[:form.index("</form>")]
    assert hidden_fields(form) == {"scope": "filtered", "month": "2026-03", "charger": "CP-GROUP",
                                   "tag": str(tags["member"].pk), "who": "chargers"}
    assert re.findall(r'name="format" value="(\w+)"', form) == ["pdf", "xlsx", "csv"]
    assert f'action="{reverse("app:export_create")}"' in html
    assert 'data-testid="export-all"' in html


def test_the_filtered_export_reaches_the_export_service(client, owner, history_world, tags):
    client.force_login(owner)
    response = client.post(reverse("app:export_create"), {
        "format": "csv", "scope": "filtered", "month": "2026-03", "charger": "CP-GROUP", "who": "chargers"})
    assert response.status_code == 302
    export = owner.session_exports.get()
    assert export.scope == "filtered" and export.rows_total == 2


def test_a_running_session_shows_charging_and_links_to_its_live_page(client, owner, charger, tags):
    running = charge(charger, "OWNER1", timezone.now() - timedelta(minutes=20), stop=False)
    client.force_login(owner)
    page = text(client.get(HISTORY))
    row = page[page.index(f'data-session="{running.pk}"'):]
    row = row[:row.index("</li>")]
    assert 'data-testid="session-charging">Charging<' in row
    assert reverse("app:session_live", args=[running.pk]) in row
    assert "5.00 kWh" in row  # the half-way sample so far
    assert "A session is still charging" in page


def test_a_month_is_paginated(client, owner, charger, tags):
    for day in range(1, 28):
        charge(charger, "OWNER1", at(f"2026-04-{day:02d}"), minutes=30, meter_start=day * 20000)
    client.force_login(owner)
    first = client.get(HISTORY, {"month": "2026-04"})
    assert len(rows(first)) == 25 and 'data-testid="month-count">27<' in text(first)
    second = client.get(HISTORY, {"month": "2026-04", "page": 2})
    assert len(rows(second)) == 2


def test_history_queries_do_not_grow_with_the_sessions(client, owner, charger, tags):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    counts = []
    for days in (range(1, 3), range(3, 21)):  # 2 sessions in the month, then 20
        for day in days:
            charge(charger, "OWNER1", at(f"2026-04-{day:02d}"), minutes=30, meter_start=day * 20000)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HISTORY, {"month": "2026-04"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts


# --- Detail ----------------------------------------------------------------------------------


def test_detail_shows_figures_costs_power_curve_log_and_export(client, member, group_charger, tags):
    session = charge(group_charger, "MEMBER1", at("2026-03-01"), minutes=120, energy_wh=35130, power_w=22000)
    ChargingSession.objects.filter(pk=session.pk).update(vehicle_mileage_km=59613, vehicle_id="TestVehicle",
                                                         soc_percent=81)
    client.force_login(member)
    response = client.get(reverse("app:session_detail", args=[session.pk]))
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="detail-charger">Residence<' in page
    assert 'data-testid="detail-energy">35.13 <small' in page
    assert 'data-testid="detail-cost">11.54 EUR<' in page
    assert 'data-testid="detail-duration">2 h 00 min<' in page
    # The costs written out (TAR-3 lines, via sessions_app.costs).
    assert "35.13 kWh × 0.30 EUR/kWh = 10.54 EUR" in page
    assert "Connection fee" in page and "1 × 1.00 EUR = 1.00 EUR" in page
    assert 'data-testid="cost-total">11.54 EUR<' in page and "That is 0.33 EUR/kWh in the end." in page
    assert 'data-testid="detail-meter-start">1.000 kWh<' in page
    assert 'data-testid="detail-meter-stop">36.130 kWh<' in page
    assert 'data-testid="detail-max-power">22.00 kW<' in page
    assert 'data-testid="detail-soc">81 %<' in page
    assert 'data-testid="detail-mileage">59613 km<' in page and 'data-testid="detail-vehicle">TestVehicle<' in page
    assert 'data-testid="detail-stop-reason">Vehicle disconnected<' in page
    assert 'data-testid="detail-source">RFID at the charger<' in page
    assert 'data-testid="detail-driver"' not in page  # it is the member's own session
    # The timed log (SES-9), from selectors.session_log.
    kinds = re.findall(r'<li class="d-flex gap-3 py-1" data-kind="(\w+)"', response.content.decode())
    assert kinds[:2] == ["authorized", "charging_started"] and "stopped" in kinds
    # The power curve's data for the chart.
    data = json.loads(re.search(r'<script id="power-data" type="application/json">(.*?)</script>',
                                response.content.decode()).group(1))
    assert data == {"points": [{"t": int(at("2026-03-01", 11).timestamp() * 1000), "kw": 22.0}], "source": "power"}
    assert "js/session_chart.js" in page and "chartjs/chart.umd.min.js" in page
    # Export of this one session.
    html = response.content.decode()
    form = html[html.index('data-testid="export-session"'):]
    form = form[:form.index("</form>")]
    assert hidden_fields(form) == {
        "scope": "session", "session": str(session.pk)}
    assert re.findall(r'name="format" value="(\w+)"', form) == ["pdf", "xlsx", "csv"]


def test_detail_of_a_session_without_tariff_or_readings(client, owner, charger, tags):
    session = ChargingSession.objects.create(
        charge_point=charger, connector_id=2, id_tag="OWNER1", tag=tags["owner"], user=owner,
        started_at=at("2026-03-01"), stopped_at=at("2026-03-01", 11), meter_start=100, meter_stop=100,
        status=ChargingSession.Status.COMPLETED, stop_reason="Local")
    client.force_login(owner)
    page = text(client.get(reverse("app:session_detail", args=[session.pk])))
    assert 'data-testid="cost-none"' in page and 'data-testid="power-empty"' in page
    assert "session_chart.js" not in page
    assert 'data-testid="detail-stop-reason">Stopped at the charger<' in page
    assert 'data-testid="logbook-card"' not in page


def test_detail_of_a_guest_session_shows_the_driver_to_the_owner(client, owner, history_world):
    client.force_login(owner)
    page = text(client.get(reverse("app:session_detail", args=[history_world["guest_mar"].pk])))
    assert 'data-testid="detail-driver">Gina' in page


def test_detail_of_a_running_session_links_to_the_live_page(client, owner, charger, tags):
    running = charge(charger, "OWNER1", timezone.now() - timedelta(minutes=20), stop=False)
    client.force_login(owner)
    page = text(client.get(reverse("app:session_detail", args=[running.pk])))
    assert 'data-testid="live-link"' in page and reverse("app:session_live", args=[running.pk]) in page
    assert 'data-testid="detail-status">Charging<' in page
    assert 'data-testid="detail-meter-stop">–<' in page
