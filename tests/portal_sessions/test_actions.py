"""SES-7 actions: remote stop (confirm, via session_request_stop), remote start on a managed
charger (via session_request_start), logbook entry (managers and staff only)."""

import pytest
from django.urls import reverse

from chargers.models import ChargerOperation
from sessions_app.models import ChargingSession, SessionEvent, StartRequest
from tests.charging.conftest import online

pytestmark = pytest.mark.django_db


def test_owner_stops_an_active_session(client, owner, sessions_world, charger):
    session = sessions_world["active"]
    online(charger)
    client.force_login(owner)
    response = client.post(reverse("portal:session_stop", args=[session.pk]), {"next": reverse("portal:sessions")})
    assert response.status_code == 302 and response["Location"] == reverse("portal:sessions")
    op = ChargerOperation.objects.get(action="RemoteStopTransaction")
    assert op.payload == {"transactionId": session.pk} and op.charge_point_id == charger.pk
    assert SessionEvent.objects.filter(session=session, kind="remote_stop_requested").exists()


def test_stop_is_a_post(client, owner, sessions_world):
    client.force_login(owner)
    assert client.get(reverse("portal:session_stop", args=[sessions_world["active"].pk])).status_code == 405


def test_stop_refusals_are_messages_and_send_nothing(client, owner, sessions_world):
    client.force_login(owner)
    # Offline charger.
    response = client.post(reverse("portal:session_stop", args=[sessions_world["active"].pk]), follow=True)
    assert "offline" in response.content.decode()
    # Already ended.
    response = client.post(reverse("portal:session_stop", args=[sessions_world["owner_mar"].pk]), follow=True)
    assert "already ended" in response.content.decode()
    assert not ChargerOperation.objects.exists()


@pytest.mark.parametrize("persona", ["member", "guest", "outsider", "operator"])
def test_others_cannot_stop(client, personas, sessions_world, charger, persona):
    online(charger)
    client.force_login(personas[persona])
    assert client.post(reverse("portal:session_stop", args=[sessions_world["active"].pk])).status_code == 404
    assert not ChargerOperation.objects.exists()


def test_stop_button_only_on_active_rows(client, owner, sessions_world):
    client.force_login(owner)
    page = client.get(reverse("portal:sessions")).content.decode()
    assert page.count('data-testid="stop-button"') == 1
    assert f'id="stop-{sessions_world["active"].pk}"' in page


def test_remote_start_on_a_managed_charger(client, owner, world, charger, group_charger):
    online(charger, group_charger)
    client.force_login(owner)
    page = client.get(reverse("portal:session_start"), {"charger": "CP-GROUP"}).content.decode()
    assert '<option value="CP-GROUP" selected>' in page and "CP-HOME" in page and "CP-ORG" not in page
    response = client.post(reverse("portal:session_start"), {"charger": "CP-HOME", "connector": "1"})
    assert response.status_code == 302
    request = StartRequest.objects.get()
    assert request.source == ChargingSession.Source.PORTAL and request.charge_point == charger
    assert request.operation.action == "RemoteStartTransaction"
    assert request.operation.payload == {"connectorId": 1, "idTag": "OWNER1"}


def test_remote_start_refusals_are_form_errors(client, owner, world, charger, org_charger):
    client.force_login(owner)
    # Offline charger.
    response = client.post(reverse("portal:session_start"), {"charger": "CP-HOME"})
    assert response.status_code == 200 and 'data-testid="form-error"' in response.content.decode()
    # A charger the owner does not manage, a bad connector: field errors.
    online(charger, org_charger)
    for data in ({"charger": "CP-ORG"}, {"charger": "CP-HOME", "connector": "abc"},
                 {"charger": "CP-HOME", "connector": "0"}):
        response = client.post(reverse("portal:session_start"), data)
        assert response.status_code == 200 and 'data-testid="field-error"' in response.content.decode(), data
    # The logbook is required on this charger.
    type(charger).objects.filter(pk=charger.pk).update(logbook_enabled=True)
    response = client.post(reverse("portal:session_start"), {"charger": "CP-HOME", "mileage_km": "x"})
    assert response.status_code == 200 and "whole number" in response.content.decode()
    assert not StartRequest.objects.exists() and not ChargerOperation.objects.exists()


@pytest.mark.parametrize("persona", ["member", "guest", "outsider"])
def test_non_managers_have_no_charger_to_start(client, personas, world, charger, group_charger, persona):
    online(charger, group_charger)
    client.force_login(personas[persona])
    response = client.get(reverse("portal:session_start"))
    assert "CP-HOME" not in response.content.decode() and "CP-GROUP" not in response.content.decode()
    response = client.post(reverse("portal:session_start"), {"charger": "CP-HOME"})
    assert response.status_code == 200 and not StartRequest.objects.exists()


def test_logbook_entry_by_the_charger_owner(client, owner, sessions_world):
    session = sessions_world["member_mar"]
    client.force_login(owner)
    url = reverse("portal:session_logbook", args=[session.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"mileage_km": "12 345", "vehicle_id": " B-XY  123 "})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.vehicle_mileage_km == 12345 and session.vehicle_id == "B-XY 123"


def test_logbook_bad_input_changes_nothing(client, owner, sessions_world):
    session = sessions_world["member_mar"]
    client.force_login(owner)
    response = client.post(reverse("portal:session_logbook", args=[session.pk]),
                           {"mileage_km": "-5", "vehicle_id": "X" * 60})
    assert response.status_code == 200 and response.content.decode().count('data-testid="field-error"') == 2
    session.refresh_from_db()
    assert session.vehicle_mileage_km is None and session.vehicle_id == ""


@pytest.mark.parametrize(("persona", "key", "status"), [
    ("member", "member_mar", 404),  # their own session, on a charger they do not manage
    ("guest", "guest_mar", 404),
    ("outsider", "owner_mar", 404),
    ("operator", "owner_mar", 404),
    ("operator", "org", 200),
    ("staff", "owner_mar", 200),
])
def test_logbook_access(client, personas, sessions_world, persona, key, status):
    client.force_login(personas[persona])
    url = reverse("portal:session_logbook", args=[sessions_world[key].pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"mileage_km": "1", "vehicle_id": "V"}).status_code in (status, 302)
    sessions_world[key].refresh_from_db()
    assert (sessions_world[key].vehicle_id == "V") == (status == 200)
