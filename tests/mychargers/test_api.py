"""My chargers API (CP-1 … CP-4) under /api/v1/chargers/: every endpoint for every persona,
bad input, throttling, and the OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

from chargers.models import ChargePoint, ChargerOperation, ChargerShare, Favourite
from groups.models import GroupCharger
from tests.factories.chargers import ChargePointFactory
from tests.factories.groups import GroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client
    return make


@pytest.fixture
def free_charger(db):
    return ChargePointFactory(charge_point_id="CP-FREE", name="", claim_code="ABCD2345")


def ids(response):
    return [row["charge_point_id"] for row in response.json()["results"]]


@pytest.mark.parametrize(("persona", "tab", "expected"), [
    ("owner", "residential", ["CP-HOME", "CP-GROUP"]),
    ("member", "commercial", ["CP-GROUP"]),
    ("member", "residential", []),
    ("guest", "shared", ["CP-HOME"]),
    ("outsider", "shared", []),
])
def test_list_by_tab(api, world, persona, tab, expected):
    response = api(world[persona]).get(f"/api/v1/chargers/?tab={tab}")
    assert response.status_code == 200
    assert sorted(ids(response)) == sorted(expected)


def test_list_rows_carry_online_connectors_favourite_and_update(api, world, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    Favourite.objects.create(user=world["owner"], charge_point=charger)
    rows = {r["charge_point_id"]: r for r in api(world["owner"]).get("/api/v1/chargers/").json()["results"]}
    home = rows["CP-HOME"]
    assert home["online"] is True and home["favourite"] is True and home["update_available"] is False
    assert [c["connector_id"] for c in home["connectors"]] == [1, 2]
    assert rows["CP-GROUP"]["favourite"] is False


def test_list_refuses_an_unknown_tab_and_guests_other_tabs(api, world):
    response = api(world["owner"]).get("/api/v1/chargers/?tab=everything")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_tab"
    world["guest"].is_guest = True
    world["guest"].save()
    assert api(world["guest"]).get("/api/v1/chargers/?tab=residential").status_code == 400
    assert ids(api(world["guest"]).get("/api/v1/chargers/")) == ["CP-HOME"]


@pytest.mark.parametrize(("persona", "cp_id", "status", "manage"), [
    ("owner", "CP-HOME", 200, True),
    ("member", "CP-GROUP", 200, False),
    ("member", "CP-HOME", 404, None),
    ("guest", "CP-HOME", 200, False),
    ("outsider", "CP-HOME", 404, None),
    ("staff", "CP-GROUP", 200, True),
])
def test_detail_access(api, world, persona, cp_id, status, manage):
    ChargerOperation.objects.create(charge_point=ChargePoint.objects.get(charge_point_id=cp_id), action="Reset",
                                    payload={"type": "Soft"})
    response = api(world[persona]).get(f"/api/v1/chargers/{cp_id}/")
    assert response.status_code == status
    if status == 404:
        assert response.json()["error"]["code"] == "not_found"
        return
    body = response.json()
    assert body["can_manage"] is manage
    assert len(body["operations"]) == (1 if manage else 0)
    assert set(body["boot_configuration"]) >= {"firmware_version", "iccid", "imsi", "meter_type", "part_number"}


def test_claim_by_id_and_code_with_name_and_group(api, outsider, free_charger):
    group = GroupFactory(owner=outsider)
    response = api(outsider).post("/api/v1/chargers/claim/", {
        "charge_point_id": "CP-FREE", "claim_code": "ABCD2345", "name": "Carport", "group": group.pk,
    }, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "Carport" and response.json()["can_manage"] is True
    free_charger.refresh_from_db()
    assert free_charger.owner == outsider
    assert GroupCharger.objects.get(charge_point=free_charger).group == group


def test_claim_by_qr_content(api, outsider, free_charger):
    qr = "http://localhost:8000/app/chargers/claim/?cp=CP-FREE&code=ABCD2345"
    response = api(outsider).post("/api/v1/chargers/claim/", {"qr": qr}, format="json")
    assert response.status_code == 201
    assert ChargePoint.objects.get(pk=free_charger.pk).owner == outsider


@pytest.mark.parametrize(("body", "code", "status"), [
    ({"charge_point_id": "CP-FREE", "claim_code": "WRONG234"}, "invalid_claim", 400),
    ({"charge_point_id": "CP-NONE", "claim_code": "ABCD2345"}, "invalid_claim", 400),
    ({"qr": "https://example.com/not-a-claim"}, "invalid_qr", 400),
    ({"charge_point_id": "CP-FREE"}, "invalid", 400),
    ({"charge_point_id": "CP-FREE", "claim_code": "ABCD2345", "name": "x" * 101}, "invalid", 400),
])
def test_claim_bad_input_changes_nothing(api, outsider, free_charger, body, code, status):
    response = api(outsider).post("/api/v1/chargers/claim/", body, format="json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert ChargePoint.objects.get(pk=free_charger.pk).owner is None


def test_claim_into_someone_elses_group_is_refused(api, owner, outsider, free_charger):
    group = GroupFactory(owner=owner)
    response = api(outsider).post("/api/v1/chargers/claim/", {
        "charge_point_id": "CP-FREE", "claim_code": "ABCD2345", "group": group.pk}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_group"
    assert ChargePoint.objects.get(pk=free_charger.pk).owner is None
    assert not GroupCharger.objects.filter(charge_point=free_charger).exists()


def test_someone_elses_charger_looks_like_a_wrong_code(api, world, charger):
    response = api(world["outsider"]).post("/api/v1/chargers/claim/", {
        "charge_point_id": "CP-HOME", "claim_code": charger.claim_code}, format="json")
    assert response.json()["error"]["code"] == "invalid_claim"
    response = api(world["owner"]).post("/api/v1/chargers/claim/", {
        "charge_point_id": "CP-HOME", "claim_code": charger.claim_code}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "already_yours"


def test_claim_api_is_throttled(api, outsider, free_charger):
    client = api(outsider)
    for _ in range(10):
        client.post("/api/v1/chargers/claim/", {"charge_point_id": "CP-FREE", "claim_code": "NOPE"}, format="json")
    response = client.post("/api/v1/chargers/claim/", {"charge_point_id": "CP-FREE", "claim_code": "ABCD2345"},
                           format="json")
    assert response.status_code == 429 and response.json()["error"]["code"] == "throttled"
    assert ChargePoint.objects.get(pk=free_charger.pk).owner is None


def test_favourite_put_and_delete(api, world, charger):
    client = api(world["member"])
    assert client.put("/api/v1/chargers/CP-GROUP/favourite/").json() == {"favourite": True}
    assert ids(client.get("/api/v1/chargers/?tab=favourites")) == ["CP-GROUP"]
    assert client.delete("/api/v1/chargers/CP-GROUP/favourite/").json() == {"favourite": False}
    assert ids(client.get("/api/v1/chargers/?tab=favourites")) == []
    assert client.put("/api/v1/chargers/CP-HOME/favourite/").status_code == 404
    assert not Favourite.objects.exists()


def test_settings_patch_sends_change_configuration(api, world, charger):
    response = api(world["owner"]).patch("/api/v1/chargers/CP-HOME/settings/", {
        "name": "Garage", "free_charging": True, "led_brightness": 30}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["name"], body["free_charging"], body["led_brightness"]) == ("Garage", True, 30)
    assert {(op["payload"]["key"], op["payload"]["value"], op["status"]) for op in body["operations"]} == {
        ("FreeCharging", "true", "offline"), ("LedBrightness", "30", "offline")}


@pytest.mark.parametrize("body", [{"led_brightness": 150}, {"led_brightness": -1}, {"name": "x" * 101},
                                  {"free_charging": "maybe"}])
def test_settings_bad_input_changes_nothing(api, world, charger, body):
    response = api(world["owner"]).patch("/api/v1/chargers/CP-HOME/settings/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert set(response.json()["error"]["fields"]) == set(body)
    charger.refresh_from_db()
    assert charger.name == "Home" and charger.led_brightness is None and charger.free_charging is False
    assert not ChargerOperation.objects.exists()


@pytest.mark.parametrize(("persona", "cp_id"), [("member", "CP-GROUP"), ("guest", "CP-HOME"), ("outsider", "CP-HOME")])
def test_owner_only_endpoints_are_404_for_others(api, world, persona, cp_id):
    client = api(world[persona])
    assert client.patch(f"/api/v1/chargers/{cp_id}/settings/", {"name": "X"}, format="json").status_code == 404
    assert client.post(f"/api/v1/chargers/{cp_id}/restart/", {"confirm": True}, format="json").status_code == 404
    assert client.delete(f"/api/v1/chargers/{cp_id}/").status_code == 404
    assert client.get(f"/api/v1/chargers/{cp_id}/qr/").status_code == 404
    assert not ChargerOperation.objects.exists()
    assert ChargePoint.objects.get(charge_point_id=cp_id).owner == world["owner"]


def test_start_uses_favourite_tag_for_owner_and_member_and_share_tag_for_guest(api, world, charger, group_charger):
    # Start from a charger's actions (SES-2): the same start as Scan & Charge, followed by its id.
    ChargePoint.objects.update(is_online=True)
    for cp in (charger, group_charger):
        cp.connectors.update(status="Available")
    owner_start = api(world["owner"]).post("/api/v1/chargers/CP-HOME/start/", {}, format="json")
    assert owner_start.status_code == 202, owner_start.json()
    assert (owner_start.json()["connector_id"], owner_start.json()["id_tag"]) == (1, "OWNER1")
    assert owner_start.json()["state"] == "pending"
    member_start = api(world["member"]).post("/api/v1/chargers/CP-GROUP/start/", {"connector_id": 2}, format="json")
    assert (member_start.json()["connector_id"], member_start.json()["id_tag"]) == (2, "MEMBER1")
    guest_start = api(world["guest"]).post("/api/v1/chargers/CP-HOME/start/", {"connector_id": 2}, format="json")
    assert guest_start.json()["id_tag"] == "GUEST1"
    assert api(world["outsider"]).post("/api/v1/chargers/CP-HOME/start/", {}, format="json").status_code == 404
    payloads = sorted((op.payload["connectorId"], op.payload["idTag"])
                      for op in ChargerOperation.objects.filter(action="RemoteStartTransaction"))
    assert payloads == [(1, "OWNER1"), (2, "GUEST1"), (2, "MEMBER1")]


def test_start_errors(api, world, charger, tags):
    client = api(world["owner"])
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    charger.connectors.update(status="Charging")
    response = client.post("/api/v1/chargers/CP-HOME/start/", {}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "no_free_connector"
    response = client.post("/api/v1/chargers/CP-HOME/start/", {"connector_id": 9}, format="json")
    assert response.json()["error"]["code"] == "invalid_connector"
    charger.connectors.update(status="Available")
    tags["owner"].is_favourite = False
    tags["owner"].save()
    response = client.post("/api/v1/chargers/CP-HOME/start/", {}, format="json")
    assert response.json()["error"]["code"] == "no_favourite_tag"
    assert not ChargerOperation.objects.exists()


def test_guest_whose_share_has_no_tag_gets_a_clear_error(api, world, share, charger):
    share.id_tag = None
    share.save()
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    charger.connectors.update(status="Available")
    response = api(world["guest"]).post("/api/v1/chargers/CP-HOME/start/", {}, format="json")
    assert response.json()["error"]["code"] == "no_share_tag"


def test_restart_requires_confirm(api, world):
    client = api(world["owner"])
    response = client.post("/api/v1/chargers/CP-HOME/restart/", {}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "confirmation_required"
    assert not ChargerOperation.objects.exists()
    response = client.post("/api/v1/chargers/CP-HOME/restart/", {"confirm": True}, format="json")
    assert response.status_code == 202 and response.json()["payload"] == {"type": "Soft"}


def test_unclaim_ends_access_at_once_and_the_old_code_stops_working(api, world, charger, share):
    Favourite.objects.create(user=world["guest"], charge_point=charger)
    old_code = charger.claim_code
    owner = api(world["owner"])
    assert owner.delete("/api/v1/chargers/CP-HOME/").status_code == 204
    assert owner.get("/api/v1/chargers/CP-HOME/").status_code == 404
    assert api(world["guest"]).get("/api/v1/chargers/CP-HOME/").status_code == 404
    charger.refresh_from_db()
    assert charger.owner is None and charger.name == "" and charger.claim_code != old_code
    assert ChargerShare.objects.get(pk=share.pk).revoked_at is not None
    assert not Favourite.objects.exists()
    response = api(world["outsider"]).post("/api/v1/chargers/claim/", {
        "charge_point_id": "CP-HOME", "claim_code": old_code}, format="json")
    assert response.json()["error"]["code"] == "invalid_claim"
    response = api(world["outsider"]).post("/api/v1/chargers/claim/", {
        "charge_point_id": "CP-HOME", "claim_code": charger.claim_code}, format="json")
    assert response.status_code == 201


def test_unclaim_takes_it_out_of_its_group(api, world, group_charger):
    assert api(world["owner"]).delete("/api/v1/chargers/CP-GROUP/").status_code == 204
    assert not GroupCharger.objects.filter(charge_point=group_charger).exists()
    assert api(world["member"]).get("/api/v1/chargers/CP-GROUP/").status_code == 404


def test_qr_endpoint(api, world, charger):
    body = api(world["owner"]).get("/api/v1/chargers/CP-HOME/qr/").json()
    assert body["claim_code"] == charger.claim_code
    assert body["content"].endswith(f"/app/chargers/claim/?cp=CP-HOME&code={charger.claim_code}")
    assert body["svg"].startswith("<?xml")
    assert api(world["staff"]).get("/api/v1/chargers/CP-HOME/qr/").status_code == 200


def test_endpoints_are_in_the_schema_and_the_operations_api_still_works(client, world, staff, api):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in ["/api/v1/chargers/", "/api/v1/chargers/claim/", "/api/v1/chargers/{charge_point_id}/",
                 "/api/v1/chargers/{charge_point_id}/favourite/", "/api/v1/chargers/{charge_point_id}/settings/",
                 "/api/v1/chargers/{charge_point_id}/start/", "/api/v1/chargers/{charge_point_id}/restart/",
                 "/api/v1/chargers/{charge_point_id}/qr/", "/api/v1/chargers/{charge_point_id}/operations/"]:
        assert path in text, path
    response = api(world["owner"]).post("/api/v1/chargers/CP-HOME/operations/",
                                        {"action": "ClearCache", "payload": {}}, format="json")
    assert response.status_code == 202


def test_anonymous_gets_401(world):
    assert APIClient().get("/api/v1/chargers/").status_code in (401, 403)
