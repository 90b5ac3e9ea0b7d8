"""DASH-2: the dashboard's figures on constructed data, its date ranges, and who sees what."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chargers.models import ChargePoint
from sessions_app.selectors import session_list_for_user
from tests.factories.chargers import ChargePointFactory
from tests.portal_dashboard.conftest import local, make_session, sample
from wccportal import portal_dashboard as dash

pytestmark = pytest.mark.django_db

DATA = reverse("portal:dashboard_data")
PAGE = reverse("portal:dashboard")


def figures(client, user, **params):
    client.force_login(user)
    response = client.get(DATA, params)
    assert response.status_code == 200, response.content
    return response.json()


def per_day(rows):
    return {row["day"]: row["count"] for row in rows}


def test_station_status_and_power_for_the_owner(client, owner, dash_world):
    data = figures(client, owner)
    assert data["status"] == {"online": 1, "offline": 1, "unknown": 0}
    # Only the owner's active session: the organisation's 11 kW is another tenant's.
    assert data["power_w"] == 7400


def test_staff_count_every_charger(client, staff, dash_world):
    data = figures(client, staff)
    assert data["status"] == {"online": 1, "offline": 1, "unknown": 1}
    assert data["power_w"] == 7400 + 11000


def test_sessions_per_day_in_local_time(client, owner, dash_world):
    w = dash_world
    data = figures(client, owner)
    days = per_day(data["sessions"]["days"])
    assert len(days) == 14
    assert data["sessions"]["to"] == w["today"].isoformat()
    assert data["sessions"]["from"] == (w["today"] - timedelta(days=13)).isoformat()
    # 00:30 local is the day before in UTC: still counted on its local day.
    assert days[w["two_days_ago"].isoformat()] == 3
    assert days[w["yesterday"].isoformat()] == 1  # the member's, on the owner's group charger
    assert days[w["today"].isoformat()] == 1  # the active one
    assert sum(days.values()) == 5  # the organisation's session is not the owner's


def test_sessions_range_chosen(client, owner, dash_world):
    w = dash_world
    data = figures(client, owner, sessions_from=w["two_days_ago"].isoformat(),
                   sessions_to=w["yesterday"].isoformat())
    assert per_day(data["sessions"]["days"]) == {w["two_days_ago"].isoformat(): 3, w["yesterday"].isoformat(): 1}


def test_reservations_per_day(client, owner, member, outsider, dash_world):
    w = dash_world
    days = per_day(figures(client, owner)["reservations"]["days"])
    # The group owner sees both live bookings; the cancelled one doesn't count.
    assert days[w["yesterday"].isoformat()] == 1
    assert days[w["today"].isoformat()] == 1
    member_days = per_day(figures(client, member)["reservations"]["days"])
    assert sum(member_days.values()) == 1  # their own only
    assert sum(per_day(figures(client, outsider)["reservations"]["days"]).values()) == 0


def test_connector_table(client, owner, dash_world):
    rows = figures(client, owner)["connectors"]
    assert [(r["charge_point_id"], r["connector"]) for r in rows] == [
        ("CP-GROUP", 1), ("CP-GROUP", 2), ("CP-HOME", 1), ("CP-HOME", 2)]
    home2 = rows[3]
    assert home2["status"] == "Faulted" and home2["error_code"] == "GroundFailure"
    assert home2["error_label"] and home2["since"]
    assert rows[0]["error_label"] == ""


def test_power_over_one_day(owner, charger, group_charger, org_charger, tags, operator):
    """Quarter-hour averages per session, whole-charger value before phases, kW as W,
    sessions added up; another tenant's samples and an inlet's reading left out."""
    day = timezone.localdate() - timedelta(days=1)
    a = make_session(charger, tags["owner"], local(day, 10))
    sample(a, local(day, 10, 0), 1000)
    sample(a, local(day, 10, 5), 2000)
    sample(a, local(day, 10, 10), 3000)   # 10:00–10:15 average 2000 W
    sample(a, local(day, 10, 20), 4000)   # 10:15 quarter
    sample(a, local(day, 10, 20), 99000, location="Inlet")  # not the charger's own reading
    b = make_session(group_charger, tags["member"], local(day, 10))
    for phase in ("L1", "L2", "L3"):
        sample(b, local(day, 10, 7), 1.0, unit="kW", phase=phase)  # phases summed: 3000 W
    c = make_session(charger, tags["guest"], local(day, 9, 50), connector=2)
    sample(c, local(day, 10, 1), 5000)  # the whole charger's value wins over its phases
    sample(c, local(day, 10, 1), 1000, phase="L1")
    other = make_session(org_charger, tags["outsider"], local(day, 10), user=operator)
    sample(other, local(day, 10, 3), 50000)
    sample(a, local(day - timedelta(days=1), 10, 0), 7777)  # another day

    chargers = ChargePoint.objects.filter(pk__in=[charger.pk, group_charger.pk])
    points = dash.power_over_day(session_list_for_user(owner).filter(charge_point__in=chargers), day)
    by_time = {p["t"]: p["kw"] for p in points}
    assert len(points) in (92, 96, 100)  # a DST change day has one hour less or more
    assert by_time["10:00"] == 2.0 + 3.0 + 5.0
    assert by_time["10:15"] == 4.0
    assert by_time["09:45"] == 0 and by_time["10:30"] == 0


def test_power_day_in_the_future_is_empty(client, owner, dash_world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = figures(client, owner, power_day=tomorrow.isoformat())
    assert data["power_day"]["day"] == tomorrow.isoformat()
    assert {p["kw"] for p in data["power_day"]["points"]} == {None}


@pytest.mark.parametrize(("params", "field"), [
    ({"sessions_from": "2026-03-10", "sessions_to": "2026-03-01"}, "sessions_to"),
    ({"sessions_from": "2024-01-01", "sessions_to": "2025-12-31"}, "sessions_to"),
    ({"reservations_from": "2026-03-10", "reservations_to": "2026-03-09"}, "reservations_to"),
    ({"sessions_from": "yesterday"}, "sessions_from"),
    ({"power_day": "2026-02-30"}, "power_day"),
])
def test_bad_ranges_are_form_errors(client, owner, dash_world, params, field):
    client.force_login(owner)
    response = client.get(DATA, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    page = client.get(PAGE, params)
    assert page.status_code == 200
    assert field in page.context["form"].errors
    assert b'data-testid="dashboard-errors"' in page.content
    # The charts fall back to the default period.
    default_from = (timezone.localdate() - timedelta(days=13)).isoformat()
    assert page.context["figures"]["sessions"]["from"] == default_from
    assert page.context["figures"]["reservations"]["from"] == default_from


def test_longest_range_accepted(client, owner, dash_world):
    today = timezone.localdate()
    data = figures(client, owner, sessions_from=(today - timedelta(days=365)).isoformat(),
                   sessions_to=today.isoformat())
    assert len(data["sessions"]["days"]) == 366


def test_ranges_default_from_one_end():
    form = dash.DashboardForm({"sessions_from": "2026-01-01"})
    ranges = dash.dashboard_ranges(form)
    assert ranges.sessions[0].isoformat() == "2026-01-01"
    assert (ranges.sessions[1] - ranges.sessions[0]).days == 13


VISIBLE = {
    "owner": {"CP-HOME", "CP-GROUP"},
    "member": {"CP-GROUP"},
    "guest": {"CP-HOME"},
    "outsider": set(),
    "operator": {"CP-ORG"},
    "staff": {"CP-HOME", "CP-GROUP", "CP-ORG"},
}
# Sessions each persona may count: their own, or those on chargers they own (all for staff).
SESSIONS = {"owner": 5, "member": 1, "guest": 1, "outsider": 0, "operator": 1, "staff": 6}
POWER = {"owner": 7400, "member": 0, "guest": 0, "outsider": 0, "operator": 11000, "staff": 18400}


@pytest.mark.parametrize("who", list(VISIBLE))
def test_access_matrix(client, personas, dash_world, who):
    """Another tenant's chargers, connectors and sessions never count."""
    user = personas[who]
    data = figures(client, user)
    assert {r["charge_point_id"] for r in data["connectors"]} == VISIBLE[who]
    assert sum(data["status"].values()) == len(VISIBLE[who])
    assert sum(per_day(data["sessions"]["days"]).values()) == SESSIONS[who]
    assert data["power_w"] == POWER[who]
    page = client.get(PAGE)
    assert page.status_code == 200
    for cp_id in {"CP-HOME", "CP-GROUP", "CP-ORG"} - VISIBLE[who]:
        assert f'data-live-charger="{cp_id}"'.encode() not in page.content


def test_another_tenants_new_charger_not_counted(client, owner, dash_world):
    ChargePointFactory(charge_point_id="CP-ELSE", is_online=True)
    assert figures(client, owner)["status"]["online"] == 1


def test_signed_out_is_sent_to_login(client):
    assert client.get(DATA).status_code == 302
    assert client.get(PAGE).status_code == 302


def test_page_renders_the_figures(client, owner, dash_world):
    client.force_login(owner)
    response = client.get(PAGE)
    html = response.content.decode()
    assert 'data-testid="current-power" data-current-power>7.4<' in html
    assert html.count('data-testid="connector-row"') == 4
    assert 'data-live-charger="CP-HOME"' in html
    assert response.context["sessions_total"] == 5
    assert 'id="dashboard-config"' in html and 'id="dashboard-data"' in html
