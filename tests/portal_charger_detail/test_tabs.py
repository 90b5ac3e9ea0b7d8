"""The Charging sessions, Connectors, Installation and Logbook tabs of the charge point page (CP-7)."""

import pytest
from django.utils import timezone

from chargers.models import ChargePoint, Connector
from sessions_app.models import ChargingSession
from tests.history.conftest import at, build_history_world, charge
from tests.portal_charger_detail.conftest import client_for, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world, charger, group_charger, tags):
    return build_history_world(charger, group_charger)


def session_ids(response):
    return [row.session.pk for row in response.context["rows"]]


# --- Charging sessions ------------------------------------------------------------------------


def test_owner_sees_every_session_of_the_charger_newest_first(world, history):
    response = client_for(world["owner"]).get(url("charger_sessions"))
    expected = [history[k].pk for k in ("owner_mar2", "guest_mar", "owner_mar", "owner_jan")]
    assert session_ids(response) == expected
    html = response.content.decode()
    for pk in expected:
        assert f'href="/portal/sessions/{pk}/"' in html
    assert history["member_mar"].pk not in session_ids(response)  # another charger


def test_columns(world, history):
    response = client_for(world["owner"]).get(url("charger_sessions", "CP-GROUP"))
    row = next(r for r in response.context["rows"] if r.session.pk == history["member_mar"].pk)
    assert (row.energy_kwh, row.cost, row.driver) == (10, "4.00 EUR", world["member"].get_full_name())
    html = response.content.decode()
    assert "4.00 EUR" in html and "MEMBER1" in html and "10.00" in html and "Completed" in html


def test_a_running_session_has_no_cost_yet(world, charger, tags):
    charge(charger, "OWNER1", at("2026-03-21"), stop=False)
    response = client_for(world["owner"]).get(url("charger_sessions"))
    row = response.context["rows"][0]
    assert row.cost == "–" and row.session.status == ChargingSession.Status.ACTIVE
    assert "Charging" in response.content.decode()


@pytest.mark.parametrize("persona, cp_id, keys", [
    ("guest", "CP-HOME", ["guest_mar"]),
    ("member", "CP-GROUP", ["member_mar", "member_feb"]),
])
def test_shared_users_see_only_their_own_sessions(world, history, persona, cp_id, keys):
    response = client_for(world[persona]).get(url("charger_sessions", cp_id))
    assert session_ids(response) == [history[k].pk for k in keys]
    assert "Your charging sessions on this charge point." in response.content.decode()


def test_pages(world, charger, tags):
    for day in range(1, 26):
        charge(charger, "OWNER1", at(f"2026-02-{day:02d}"), meter_start=day * 100_000)
    client = client_for(world["owner"])
    assert len(session_ids(client.get(url("charger_sessions")))) == 20
    assert len(session_ids(client.get(url("charger_sessions") + "?per_page=10"))) == 10
    assert len(session_ids(client.get(url("charger_sessions") + "?per_page=999"))) == 20  # not offered
    last = client.get(url("charger_sessions") + "?per_page=10&page=3")
    assert len(session_ids(last)) == 5 and "21–25 of 25" in last.content.decode()
    assert len(session_ids(client.get(url("charger_sessions") + "?page=abc"))) == 20


def test_no_sessions(world, charger):
    html = client_for(world["owner"]).get(url("charger_sessions")).content.decode()
    assert 'data-testid="sessions-empty"' in html


# --- Connectors -----------------------------------------------------------------------------------


def test_connectors_with_status_error_info_and_last_change(world, charger):
    changed = timezone.now()
    Connector.objects.filter(charge_point=charger, connector_id=1).update(
        status="Charging", status_changed_at=changed, evse_id="DE*WCC*E123*1")
    Connector.objects.filter(charge_point=charger, connector_id=2).update(
        status="Faulted", error_code="GroundFailure", info="RCD tripped", vendor_id="WCC",
        vendor_error_code="E-42", status_changed_at=changed)
    Connector.objects.filter(charge_point=charger, connector_id=0).update(status="Available")
    response = client_for(world["guest"]).get(url("charger_connectors"))
    html = response.content.decode()
    assert [c.connector_id for c in response.context["connectors"]] == [1, 2]
    assert '<span class="badge text-bg-primary">Charging</span>' in html
    assert '<span class="badge text-bg-danger">Faulted</span>' in html
    assert "Ground failure" in html and "RCD tripped" in html and "E-42" in html and "(WCC)" in html
    assert "DE*WCC*E123*1" in html
    assert 'data-testid="connector-whole"' in html
    assert f'data-live-charger="{charger.charge_point_id}"' in html


def test_the_table_alone_for_live_updates(world, charger):
    response = client_for(world["owner"]).get(url("charger_connectors") + "?part=table")
    html = response.content.decode()
    assert html.lstrip().startswith("<div id=\"connector-table\"") and "<html" not in html


# --- Installation ---------------------------------------------------------------------------------


def test_installation_shows_site_group_evse_and_connection(world, group_charger):
    now = timezone.now()
    ChargePoint.objects.filter(pk=group_charger.pk).update(
        street="Parkweg", house_number="3", zip_code="1010", city="Wien", country="AT", vendor="WCC Sim",
        registration_status="Pending", last_boot_at=now, last_heartbeat_at=now, connected_at=now,
        time_zone="Europe/Vienna")
    Connector.objects.filter(charge_point=group_charger, connector_id=1).update(evse_id="AT*WCC*E1")
    html = client_for(world["owner"]).get(url("charger_installation", "CP-GROUP")).content.decode()
    assert "Parkweg 3" in html and "1010 Wien" in html and "Austria" in html
    assert 'data-testid="installation-group">Residence<' in html
    assert "AT*WCC*E1" in html and "Pending approval" in html and "Europe/Vienna" in html


def test_time_zone_edit(world, charger):
    client = client_for(world["owner"])
    form_html = client.get(url("charger_installation") + "?edit=time_zone").content.decode()
    assert 'data-testid="time-zone-form"' in form_html and '<option value="America/New_York">' in form_html
    assert "Etc/GMT+3" not in form_html
    response = client.post(url("charger_time_zone"), {"time_zone": "America/New_York"}, follow=True)
    assert "The time zone is saved." in response.content.decode()
    charger.refresh_from_db()
    assert charger.time_zone == "America/New_York"


@pytest.mark.parametrize("value", ["Mars/Olympus", "", "europe/berlin", "Europe/Berlin\n"])
def test_unknown_time_zone_is_a_form_error(world, charger, value):
    ChargePoint.objects.filter(pk=charger.pk).update(time_zone="Europe/Paris")
    response = client_for(world["owner"]).post(url("charger_time_zone"), {"time_zone": value})
    assert response.status_code == 200
    assert response.context["time_zone_form"].errors["time_zone"]
    assert 'data-testid="time-zone-form"' in response.content.decode()
    charger.refresh_from_db()
    assert charger.time_zone == "Europe/Paris"


def test_the_service_validates_the_time_zone(owner, charger):
    from chargers.charger_details import charger_time_zone_set
    from wccportal.errors import DomainError

    with pytest.raises(DomainError):
        charger_time_zone_set(charge_point=charger, time_zone="Nowhere/Land", acting_user=owner)
    charger_time_zone_set(charge_point=charger, time_zone="UTC", acting_user=owner)
    charger.refresh_from_db()
    assert charger.time_zone == "UTC"


# --- Logbook --------------------------------------------------------------------------------------


def test_logbook_lists_sessions_with_mileage_and_vehicle(world, history):
    ChargingSession.objects.filter(pk=history["guest_mar"].pk).update(vehicle_mileage_km=12345,
                                                                      vehicle_id="M-AB 123")
    ChargePoint.objects.filter(charge_point_id="CP-HOME").update(logbook_enabled=True)
    response = client_for(world["owner"]).get(url("charger_logbook"))
    html = response.content.decode()
    assert session_ids(response)[1] == history["guest_mar"].pk
    assert "12345" in html and "M-AB 123" in html
    assert 'data-testid="logbook-switch"' in html and " checked" in html
    edit = f'/portal/sessions/{history["guest_mar"].pk}/logbook/?next=/portal/charger/CP-HOME/logbook/'
    assert edit in html.replace("%2F", "/")


def test_the_logbook_edit_comes_back_to_the_tab(world, history):
    session = history["owner_mar"]
    response = client_for(world["owner"]).post(
        f"/portal/sessions/{session.pk}/logbook/",
        {"mileage_km": "40 000", "vehicle_id": "B-XY 9", "next": url("charger_logbook")}, follow=True)
    assert response.redirect_chain[-1][0] == url("charger_logbook")
    session.refresh_from_db()
    assert (session.vehicle_mileage_km, session.vehicle_id) == (40000, "B-XY 9")
    assert "B-XY 9" in response.content.decode()
