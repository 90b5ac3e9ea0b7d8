"""Tariffs API (TAR-1, TAR-2): CRUD with nested periods, the preview, errors with codes, tenancy."""

from decimal import Decimal as D

import pytest

from groups import tariffs
from groups.models import Group, Tariff
from tests.factories.groups import GroupFactory
from tests.sharing.helpers import app_client

pytestmark = pytest.mark.django_db

PEAK = {"weekdays": "01234", "start_time": "18:00", "end_time": "22:00", "price_per_kwh": "0.40",
        "time_fee_per_hour": "2.00"}


@pytest.fixture
def api(owner):
    return app_client(owner)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_create_read_list_and_search(api, owner, outsider):
    r = post(api, "/api/v1/tariffs/", {
        "name": "Peak evenings", "currency": "EUR", "price_per_kwh": "0.30", "connection_fee": "1",
        "parking_fee_per_hour": "1.5", "parking_grace_minutes": 15, "max_price": "30", "periods": [PEAK]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "Peak evenings" and body["currency"] == "EUR"
    assert (body["price_per_kwh"], body["connection_fee"], body["max_price"], body["min_price"]) == (
        "0.3000", "1.0000", "30.00", None)
    assert body["periods"] == [{"weekdays": "01234", "start_time": "18:00", "end_time": "22:00",
                                "price_per_kwh": "0.4000", "time_fee_per_hour": "2.0000"}]
    assert body["groups"] == []
    tariff = Tariff.objects.get(pk=body["id"])
    assert tariff.owner == owner
    GroupFactory(owner=owner, name="Residence", tariff=tariff)
    tariffs.tariff_create(owner=owner, name="Weekend", price_per_kwh=D("0.2"))
    tariffs.tariff_create(owner=outsider, name="Peak elsewhere", price_per_kwh=D("0.2"))

    assert api.get(f"/api/v1/tariffs/{tariff.pk}/").json()["groups"][0]["name"] == "Residence"
    assert [t["name"] for t in api.get("/api/v1/tariffs/").json()] == ["Peak evenings", "Weekend"]
    assert [t["name"] for t in api.get("/api/v1/tariffs/?search=PEAK").json()] == ["Peak evenings"]


def test_weekdays_may_be_a_list(api):
    r = post(api, "/api/v1/tariffs/", {"name": "W", "price_per_kwh": "0.3",
                                       "periods": [{**PEAK, "weekdays": [6, 5]}]})
    assert r.status_code == 201 and r.json()["periods"][0]["weekdays"] == "56"


def test_patch_changes_some_fields_and_periods_replace_all(api, peak_tariff):
    url = f"/api/v1/tariffs/{peak_tariff.pk}/"
    r = api.patch(url, {"price_per_kwh": "0.35"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["price_per_kwh"] == "0.3500"
    assert len(r.json()["periods"]) == 1 and r.json()["name"] == "Peak evenings"
    r = api.patch(url, {"periods": [{**PEAK, "weekdays": "56", "start_time": "00:00", "end_time": "00:00"}]},
                  content_type="application/json")
    assert [(p["weekdays"], p["start_time"], p["end_time"]) for p in r.json()["periods"]] == [("56", "00:00", "00:00")]


def test_put_replaces_the_whole_tariff(api, peak_tariff):
    r = api.put(f"/api/v1/tariffs/{peak_tariff.pk}/", {"name": "Flat", "currency": "CHF", "price_per_kwh": "0.5"},
                content_type="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["name"], body["currency"], body["connection_fee"], body["periods"]) == ("Flat", "CHF", "0.0000", [])


def test_delete_detaches_the_groups(api, owner, peak_tariff):
    group = GroupFactory(owner=owner, tariff=peak_tariff)
    assert api.delete(f"/api/v1/tariffs/{peak_tariff.pk}/").status_code == 204
    assert not Tariff.objects.filter(pk=peak_tariff.pk).exists()
    assert Group.objects.get(pk=group.pk).tariff is None
    assert api.get(f"/api/v1/tariffs/{peak_tariff.pk}/").status_code == 404


@pytest.mark.parametrize(("data", "code", "field"), [
    ({"name": "X", "currency": "ABC"}, "unknown_currency", "currency"),
    ({"name": "X", "price_per_kwh": "-1"}, "negative_amount", "price_per_kwh"),
    ({"name": "X", "price_per_kwh": "0.00001"}, "too_precise", "price_per_kwh"),
    ({"name": "X", "min_price": "5", "max_price": "4"}, "min_above_max", "max_price"),
    ({"name": ""}, "required", "name"),
    ({"name": "X", "periods": [{**PEAK, "weekdays": "78"}]}, "invalid_weekdays", "periods.0.weekdays"),
    ({"name": "X", "periods": [{**PEAK, "end_time": "17:00"}]}, "invalid_period_times", "periods.0.end_time"),
    ({"name": "X", "periods": [PEAK, {**PEAK, "weekdays": "4"}]}, "periods_overlap", "periods.1.start_time"),
    ({"name": "X", "price_per_kwh": "cheap"}, "invalid", "price_per_kwh"),
    ({"name": "X", "periods": [{"weekdays": "1"}]}, "invalid", "periods.0.start_time"),
])
def test_errors_have_a_code_and_fields(api, data, code, field):
    r = post(api, "/api/v1/tariffs/", data)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == code and field in error["fields"], error
    assert Tariff.objects.count() == 0


def test_preview_of_the_seeds_example(api, owner):
    tariff = tariffs.tariff_create(owner=owner, name="Home", price_per_kwh=D("0.30"), connection_fee=D("1"))
    r = post(api, f"/api/v1/tariffs/{tariff.pk}/preview/", {
        "energy_kwh": "35.13", "started_at": "2026-03-02T09:00", "duration_minutes": 120})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["currency"] == "EUR" and body["time_zone"] == "Europe/Berlin"
    assert body["started_at"].startswith("2026-03-02T09:00:00+01:00") or body["started_at"] == "2026-03-02T08:00:00Z"
    assert [(line["kind"], line["amount"], line["amount_display"]) for line in body["lines"]] == [
        ("energy", "10.54", "10.54 EUR"), ("connection", "1.00", "1.00 EUR")]
    assert body["lines"][0]["quantity"] == "35.130000" and body["lines"][0]["unit"] == "kWh"
    assert (body["total"], body["total_display"], body["subtotal"]) == ("11.54", "11.54 EUR", "11.54")


def test_preview_across_a_boundary_with_an_offset_and_a_zone(api, peak_tariff):
    """16:00Z = 17:00 in Berlin, a Monday: one hour before the 18:00 peak, one in it."""
    r = post(api, f"/api/v1/tariffs/{peak_tariff.pk}/preview/", {
        "energy_kwh": 16, "started_at": "2026-03-02T16:00:00Z", "duration_minutes": 120,
        "time_zone": "Europe/Berlin"})
    assert [(line["kind"], line["unit_price"], line["amount"]) for line in r.json()["lines"]] == [
        ("energy", "0.3000", "2.40"), ("energy", "0.4000", "3.20"), ("time", "2.0000", "2.00"),
        ("connection", "1.0000", "1.00")]
    assert r.json()["total"] == "8.60"


@pytest.mark.parametrize(("data", "code", "field"), [
    ({"energy_kwh": "-1", "duration_minutes": 60}, "invalid_preview", "energy_kwh"),
    ({"energy_kwh": "1", "duration_minutes": -1}, "invalid_preview", "duration_minutes"),
    ({"energy_kwh": "1", "duration_minutes": 60, "time_zone": "Nowhere/Land"}, "invalid", "time_zone"),
    ({"energy_kwh": "1", "duration_minutes": 60, "started_at": "yesterday"}, "invalid", "started_at"),
    ({"duration_minutes": 60}, "invalid", "energy_kwh"),
])
def test_preview_errors(api, peak_tariff, data, code, field):
    r = post(api, f"/api/v1/tariffs/{peak_tariff.pk}/preview/", data)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == code and field in r.json()["error"]["fields"]


def test_another_users_tariff_is_not_found(outsider, peak_tariff):
    api = app_client(outsider)
    url = f"/api/v1/tariffs/{peak_tariff.pk}/"
    assert api.get(url).status_code == 404
    assert api.get(url).json()["error"]["code"] == "not_found"
    assert api.patch(url, {"name": "Mine"}, content_type="application/json").status_code == 404
    assert api.put(url, {"name": "Mine"}, content_type="application/json").status_code == 404
    assert api.delete(url).status_code == 404
    assert post(api, url + "preview/", {"energy_kwh": 1, "duration_minutes": 1}).status_code == 404
    assert api.get("/api/v1/tariffs/").json() == []
    peak_tariff.refresh_from_db()
    assert peak_tariff.name == "Peak evenings"


def test_anonymous_is_refused(client, peak_tariff):
    assert client.get("/api/v1/tariffs/").status_code in (401, 403)
