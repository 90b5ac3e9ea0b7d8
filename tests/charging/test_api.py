"""Starting over the API (SES-1, SES-2, SES-6): POST /charge/start/, GET /charge/start/{id}/,
GET /chargers/{id}/connectors/{n}/start-info/; refusals as {"error": {"code", "message",
"fields"}}; other tenants' chargers and starts are 404; the schema documents the endpoints."""

import pytest
from django.utils import timezone

from chargers.models import ChargePoint, ChargerOperation, Connector
from sessions_app.models import ChargingSession, StartRequest
from tests.charging.conftest import set_connector
from tests.sharing.helpers import app_client

pytestmark = pytest.mark.django_db


def post_start(client, **data):
    return client.post("/api/v1/charge/start/", data, content_type="application/json")


def test_start_returns_the_start_to_follow(ready, charger):
    client = app_client(ready["owner"])  # the mobile app's token
    response = post_start(client, charge_point_id="CP-HOME", connector_id=2)
    assert response.status_code == 202, response.content
    body = response.json()
    request = StartRequest.objects.get()
    assert body == {
        "id": request.pk, "charge_point_id": "CP-HOME", "charger_name": "Home", "connector_id": 2,
        "id_tag": "OWNER1", "source": "app", "vehicle_mileage_km": None, "vehicle_id": "",
        "created_at": body["created_at"],
        "operation": {"id": request.operation_id, "status": "pending", "error": ""},
        "state": "pending", "message": "Sending the start to Home…", "final": False, "session_id": None,
    }

    # The charger accepts, then the session opens: GET follows it.
    ChargerOperation.objects.update(status=ChargerOperation.Status.ACCEPTED)
    body = client.get(f"/api/v1/charge/start/{request.pk}/").json()
    assert (body["state"], body["operation"]["status"], body["final"]) == ("accepted", "accepted", False)
    session = ChargingSession.objects.create(charge_point=charger, connector_id=2, id_tag="OWNER1",
                                             user=ready["owner"], started_at=timezone.now(), meter_start=0)
    StartRequest.objects.update(session=session)
    body = client.get(f"/api/v1/charge/start/{request.pk}/").json()
    assert (body["state"], body["session_id"], body["final"]) == ("started", session.pk, True)


def test_first_free_connector_and_logbook(ready, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(logbook_enabled=True)
    set_connector(charger, Connector.Status.CHARGING, 1)
    client = app_client(ready["owner"])
    response = post_start(client, charge_point_id="CP-HOME")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "logbook_required"
    assert set(response.json()["error"]["fields"]) == {"mileage_km", "vehicle_id"}
    response = post_start(client, charge_point_id="CP-HOME", mileage_km=59613, vehicle_id="TestVehicle")
    assert response.status_code == 202
    body = response.json()
    assert (body["connector_id"], body["vehicle_mileage_km"], body["vehicle_id"]) == (2, 59613, "TestVehicle")


@pytest.mark.parametrize(("given", "code"), [
    ({"connector_id": 5}, "invalid_connector"),
    ({"offline": True}, "charger_offline"),
    ({"status": "Charging"}, "connector_busy"),
    ({"status": "Faulted"}, "connector_unavailable"),
    ({"status": "Reserved"}, "reserved"),
    ({"no_favourite": True}, "no_favourite_tag"),
    ({"expired": True}, "tag_expired"),
])
def test_refusals_have_their_code(ready, charger, tags, given, code):
    if given.get("offline"):
        ChargePoint.objects.filter(pk=charger.pk).update(is_online=False)
    if "status" in given:
        set_connector(charger, given["status"], 1)
    if given.get("no_favourite"):
        tags["owner"].is_favourite = False
        tags["owner"].save()
    if given.get("expired"):
        tags["owner"].expires_at = timezone.now()
        tags["owner"].save()
    response = post_start(app_client(ready["owner"]), charge_point_id="CP-HOME",
                          connector_id=given.get("connector_id", 1))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert not StartRequest.objects.exists() and not ChargerOperation.objects.exists()


def test_no_right_is_explained(ready, charger, tags):
    from tests.factories.chargers import IdTagFactory

    IdTagFactory(id_tag="STAFF1", user=ready["staff"], is_favourite=True)
    response = post_start(app_client(ready["staff"]), charge_point_id="CP-HOME", connector_id=1)
    assert response.json()["error"]["code"] == "no_right"


def test_bad_input(ready):
    client = app_client(ready["owner"])
    response = post_start(client, connector_id="one")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"charge_point_id", "connector_id"}


def test_guest_starts_on_the_shared_charger_only(ready, charger, group_charger, share):
    client = app_client(ready["guest"])
    response = post_start(client, charge_point_id="CP-HOME")
    assert response.status_code == 202 and response.json()["id_tag"] == "GUEST1"
    assert post_start(client, charge_point_id="CP-GROUP").status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "operator"])
def test_chargers_and_starts_of_others_do_not_exist(ready, charger, persona):
    owner_start = post_start(app_client(ready["owner"]), charge_point_id="CP-HOME").json()
    client = app_client(ready[persona])
    response = post_start(client, charge_point_id="CP-HOME")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/charge/start/{owner_start['id']}/").status_code == 404
    assert client.get("/api/v1/chargers/CP-HOME/connectors/1/start-info/").status_code == 404
    assert StartRequest.objects.count() == 1


def test_another_drivers_start_is_not_mine_to_follow(ready, charger, share):
    owner_start = post_start(app_client(ready["owner"]), charge_point_id="CP-HOME").json()
    # The guest may use the charger, yet the owner's start is not theirs.
    assert app_client(ready["guest"]).get(f"/api/v1/charge/start/{owner_start['id']}/").status_code == 404


def test_start_info_tells_what_the_page_shows(ready, charger, share):
    ChargePoint.objects.filter(pk=charger.pk).update(logbook_enabled=True)
    client = app_client(ready["guest"])
    body = client.get("/api/v1/chargers/CP-HOME/connectors/1/start-info/").json()
    assert body == {
        "charge_point_id": "CP-HOME", "charger_name": "Home", "online": True, "connector_id": 1,
        "status": "Available", "status_label": "Available",
        "tag": {"id_tag": "GUEST1", "alias": body["tag"]["alias"], "via_share": True},
        "logbook_required": True, "last_logbook": None, "startable": True, "reason": None,
        "active_session_id": None, "pending_request_id": None,
    }
    set_connector(charger, Connector.Status.FAULTED, 1)
    body = client.get("/api/v1/chargers/CP-HOME/connectors/1/start-info/").json()
    assert body["startable"] is False
    assert body["reason"] == {"code": "connector_unavailable",
                              "message": "Connector 1 is out of service (Faulted).", "fields": {}}
    assert client.get("/api/v1/chargers/CP-HOME/connectors/9/start-info/").status_code == 404


def test_start_info_shows_my_pending_start_and_my_session(ready, charger):
    client = app_client(ready["owner"])
    start_id = post_start(client, charge_point_id="CP-HOME", connector_id=1).json()["id"]
    body = client.get("/api/v1/chargers/CP-HOME/connectors/1/start-info/").json()
    assert body["pending_request_id"] == start_id and body["reason"]["code"] == "start_pending"
    session = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="OWNER1",
                                             user=ready["owner"], started_at=timezone.now(), meter_start=0)
    StartRequest.objects.update(session=session)
    body = client.get("/api/v1/chargers/CP-HOME/connectors/1/start-info/").json()
    assert body["active_session_id"] == session.pk and body["reason"]["code"] == "connector_busy"


def test_needs_sign_in(ready):
    from django.test import Client

    assert Client().post("/api/v1/charge/start/", {}, content_type="application/json").status_code in (401, 403)


def test_schema_documents_the_endpoints():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    start = schema["paths"]["/api/v1/charge/start/"]["post"]
    assert set(start["responses"]) == {"202", "400", "404"} and "no_right" in start["responses"]["400"]["description"]
    assert "/api/v1/charge/start/{id}/" in schema["paths"]
    info = schema["paths"]["/api/v1/chargers/{charge_point_id}/connectors/{connector_id}/start-info/"]["get"]
    assert info["tags"] == ["charging"]
