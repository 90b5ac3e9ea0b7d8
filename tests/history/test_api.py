"""SES-4 API: the list (month, charger, tag, scope; paginated), the month summary, a session's
detail (costs written out, logbook, log) and its power curve; errors as {code, message, fields}."""

from decimal import Decimal as D

import pytest

from sessions_app.models import ChargingSession
from tests.history.conftest import at, charge

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, owner):
    client.force_login(owner)
    return client


def test_list_of_a_month_with_the_ses4_fields(api, history_world):
    response = api.get("/api/v1/sessions/", {"month": "2026-03", "charger": "CP-GROUP"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None
    member = next(r for r in body["results"] if r["id"] == history_world["member_mar"].pk)
    assert member == {
        "id": history_world["member_mar"].pk, "status": "completed", "charge_point_id": "CP-GROUP",
        "charger_name": "Residence", "connector_id": 1,
        "tag": {"id": history_world["member_mar"].tag_id, "id_tag": "MEMBER1", "alias": member["tag"]["alias"]},
        "mine": False, "driver": history_world["member_mar"].user.get_full_name(), "source": "rfid",
        "plug_in_at": "2026-03-03T11:00:00+01:00", "plug_out_at": "2026-03-03T12:00:00+01:00",
        "stopped_at": "2026-03-03T12:00:00+01:00", "duration_seconds": 3600, "energy_kwh": "10.000",
        "meter_start_kwh": "1.000", "meter_stop_kwh": "11.000", "max_power_kw": "11.00",
        "average_power_kw": "10.00", "currency": "EUR", "total_cost": "4.00", "cost_per_kwh": "0.40",
    }


def test_list_without_month_has_every_month_newest_first_and_paginates(api, history_world):
    body = api.get("/api/v1/sessions/", {"page_size": 3}).json()
    assert body["count"] == 7 and len(body["results"]) == 3 and body["next"]
    assert [r["plug_in_at"][:10] for r in body["results"]] == ["2026-03-20", "2026-03-05", "2026-03-04"]
    last = api.get("/api/v1/sessions/", {"page_size": 3, "page": 3}).json()
    assert [r["plug_in_at"][:10] for r in last["results"]] == ["2026-01-15"]


def test_list_by_tag_and_scope(api, history_world, tags):
    ids = {r["id"] for r in api.get("/api/v1/sessions/", {"tag": tags["member"].pk}).json()["results"]}
    assert ids == {history_world["member_mar"].pk, history_world["member_feb"].pk}
    mine = api.get("/api/v1/sessions/", {"scope": "mine", "month": "2026-03"}).json()["results"]
    assert all(r["mine"] for r in mine) and len(mine) == 3


@pytest.mark.parametrize("params, field", [
    ({"month": "March"}, "month"), ({"month": "2026-13"}, "month"), ({"charger": "CP-NOPE"}, "charger"),
    ({"tag": "x"}, "tag"), ({"tag": "999999"}, "tag"), ({"scope": "others"}, "scope"),
])
def test_bad_filters_are_refused_with_a_code_and_the_field(api, history_world, params, field):
    for url in ("/api/v1/sessions/", "/api/v1/sessions/summary/"):
        response = api.get(url, params)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid_filter" and error["message"] == "The filter is not valid."
        assert list(error["fields"]) == [field]


def test_summary_of_a_month(api, history_world):
    body = api.get("/api/v1/sessions/summary/", {"month": "2026-02"}).json()
    assert body["month"] == "2026-02" and body["previous_month"] == "2026-01" and body["next_month"] == "2026-03"
    assert body["months"][1:] == ["2026-03", "2026-02", "2026-01"]
    assert (body["sessions"], body["active"], body["energy_kwh"]) == (1, 0, "20.000")
    assert body["costs"] == [{"currency": "EUR", "amount": "7.00"}]
    assert [s["key"] for s in body["scopes"]] == ["all", "mine", "chargers"]
    # Without a month: the latest with sessions (the current month has none).
    assert api.get("/api/v1/sessions/summary/").json()["month"] == "2026-03"


def test_detail_has_the_costs_written_out_the_logbook_and_the_log(client, member, group_charger, tags):
    session = charge(group_charger, "MEMBER1", at("2026-03-01"), minutes=120, energy_wh=35130)
    ChargingSession.objects.filter(pk=session.pk).update(vehicle_mileage_km=59613, vehicle_id="TestVehicle")
    client.force_login(member)
    body = client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert body["mine"] is True and body["total_cost"] == "11.54" and body["cost_per_kwh"] == "0.33"
    assert body["logbook"] == {"mileage_km": 59613, "vehicle_id": "TestVehicle"}
    assert body["stop_reason"] == "EVDisconnected" and body["stop_reason_label"] == "Vehicle disconnected"
    cost = body["cost"]
    assert (cost["tariff_name"], cost["currency"], cost["total"], cost["running"]) == ("Standard", "EUR", "11.54",
                                                                                       False)
    assert [line["text"] for line in cost["lines"]] == ["35.13 kWh × 0.30 EUR/kWh = 10.54 EUR",
                                                        "1 × 1.00 EUR = 1.00 EUR"]
    assert [D(line["amount"]) for line in cost["lines"]] == [D("10.54"), D("1.00")]
    assert [e["kind"] for e in body["log"]][:2] == ["authorized", "charging_started"]
    assert body["log"][-1]["kind"] == "stopped" and body["log"][-1]["detail"] == "Vehicle disconnected"


def test_detail_of_a_running_session_has_the_running_cost(client, member, group_charger, tags):
    from datetime import timedelta

    from django.utils import timezone

    session = charge(group_charger, "MEMBER1", timezone.now() - timedelta(minutes=30), energy_wh=8000, stop=False)
    client.force_login(member)
    body = client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert body["status"] == "active" and body["total_cost"] is None and body["plug_out_at"] is None
    # 4 kWh so far (the half-way sample) × 0.30 + 1.00.
    assert body["cost"]["running"] is True and body["cost"]["total"] == "2.20"


def test_detail_without_tariff(api, history_world):
    body = api.get(f"/api/v1/sessions/{history_world['owner_mar'].pk}/").json()
    assert body["cost"] is None and body["currency"] == "" and body["total_cost"] is None


def test_power_curve(api, history_world):
    body = api.get(f"/api/v1/sessions/{history_world['member_mar'].pk}/power/").json()
    assert body == {"source": "power", "max_kw": 11.0, "points": [{"t": "2026-03-03T11:30:00+01:00", "kw": 11.0}]}


def test_schema_documents_the_history_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in ("/api/v1/sessions/", "/api/v1/sessions/summary/", "/api/v1/sessions/{id}/",
                 "/api/v1/sessions/{id}/power/"):
        assert "get" in paths[path], path
    listing = paths["/api/v1/sessions/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"month", "charger", "tag", "scope", "page", "page_size"}
    assert "400" in listing["responses"]
    assert "404" in paths["/api/v1/sessions/{id}/"]["get"]["responses"]
