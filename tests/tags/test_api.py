"""Tags API (TAG-1 … TAG-3): every endpoint, another user's objects (404), bad input."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chargers.models import ChargePoint, IdTag, TagEnrolment
from tests.factories.chargers import IdTagFactory

pytestmark = pytest.mark.django_db


def api(user):
    client = Client()
    client.force_login(user)
    return client


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def test_list_shows_only_my_tags(owner, tags):
    IdTagFactory(id_tag="OWNER2", user=owner, alias="Phone")
    body = api(owner).get("/api/v1/tags/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [t["id_tag"] for t in rows] == ["OWNER1", "OWNER2"]  # the favourite first
    assert rows[0]["is_favourite"] and not rows[1]["is_favourite"]
    assert set(rows[0]) >= {"id", "id_tag", "alias", "kind", "is_favourite", "expires_at"}


def test_anonymous_gets_401_or_403():
    assert Client().get("/api/v1/tags/").status_code in (401, 403)


def test_add_virtual_tag_and_first_tag_becomes_favourite(outsider):
    client = api(outsider)
    r = client.post("/api/v1/tags/", {"id_tag": " Phone-42 ", "alias": "My phone"}, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["id_tag"] == "Phone-42" and body["alias"] == "My phone" and body["kind"] == "virtual"
    assert body["is_favourite"]  # the only tag: used for 1-Click
    r = client.post("/api/v1/tags/", {"id_tag": "Second"}, content_type="application/json")
    assert r.status_code == 201 and not r.json()["is_favourite"]


@pytest.mark.parametrize("id_tag", ["owner1", "OWNER1", "Owner1"])
def test_duplicate_id_ignoring_case_is_refused_and_nothing_created(member, tags, id_tag):
    before = IdTag.objects.count()
    r = api(member).post("/api/v1/tags/", {"id_tag": id_tag}, content_type="application/json")
    assert_error(r, 400, "duplicate_tag")
    assert IdTag.objects.count() == before


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"id_tag": "A" * 21}, "invalid_tag"),  # too long for an OCPP IdToken
        ({"id_tag": "Kärtchen"}, "invalid_tag"),  # not ASCII
        ({"id_tag": "tab\there"}, "invalid_tag"),
        ({"id_tag": ""}, "invalid"),
        ({}, "invalid"),
        ({"id_tag": "OK1", "alias": "x" * 101}, "invalid"),
    ],
)
def test_bad_tag_ids_get_a_clear_error(member, payload, code):
    r = api(member).post("/api/v1/tags/", payload, content_type="application/json")
    assert_error(r, 400, code)
    assert not IdTag.objects.exists()


def test_get_patch_delete_my_tag(owner, tags):
    client = api(owner)
    pk = tags["owner"].pk
    assert client.get(f"/api/v1/tags/{pk}/").json()["id_tag"] == "OWNER1"
    r = client.patch(f"/api/v1/tags/{pk}/", {"alias": "Blue card"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["alias"] == "Blue card"
    assert IdTag.objects.get(pk=pk).alias == "Blue card"
    r = client.patch(f"/api/v1/tags/{pk}/", {"alias": "y" * 101}, content_type="application/json")
    assert_error(r, 400, "invalid")
    assert IdTag.objects.get(pk=pk).alias == "Blue card"
    assert client.delete(f"/api/v1/tags/{pk}/").status_code == 204
    assert not IdTag.objects.filter(pk=pk).exists()


def test_another_users_tag_is_404_everywhere(owner, tags):
    client = api(owner)
    pk = tags["member"].pk
    assert_error(client.get(f"/api/v1/tags/{pk}/"), 404, "not_found")
    assert_error(client.patch(f"/api/v1/tags/{pk}/", {"alias": "x"}, content_type="application/json"), 404,
                 "not_found")
    assert_error(client.put(f"/api/v1/tags/{pk}/favourite/"), 404, "not_found")
    assert_error(client.delete(f"/api/v1/tags/{pk}/"), 404, "not_found")
    tag = IdTag.objects.get(pk=pk)
    assert tag.alias == tags["member"].alias and tag.is_favourite


def test_favourite_switches_atomically(owner, tags):
    second = IdTagFactory(id_tag="OWNER2", user=owner)
    client = api(owner)
    r = client.put(f"/api/v1/tags/{second.pk}/favourite/")
    assert r.status_code == 200 and r.json()["is_favourite"]
    assert list(IdTag.objects.filter(user=owner, is_favourite=True).values_list("id_tag", flat=True)) == ["OWNER2"]
    client.put(f"/api/v1/tags/{tags['owner'].pk}/favourite/")
    assert list(IdTag.objects.filter(user=owner, is_favourite=True).values_list("id_tag", flat=True)) == ["OWNER1"]
    # Other users' favourites are untouched.
    assert IdTag.objects.get(pk=tags["member"].pk).is_favourite


def test_deleting_the_favourite_moves_the_star(owner, tags):
    IdTagFactory(id_tag="OWNER2", user=owner)
    api(owner).delete(f"/api/v1/tags/{tags['owner'].pk}/")
    assert IdTag.objects.get(id_tag="OWNER2").is_favourite


# --- Enrolments (TAG-1) ---------------------------------------------------------------------


@pytest.fixture
def online(charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    charger.refresh_from_db()
    return charger


def test_enrolment_start_follow_and_cancel(owner, online):
    client = api(owner)
    r = client.post("/api/v1/tags/enrolments/", {"charge_point_id": "CP-HOME", "alias": "Blue card"},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "waiting" and 55 <= body["seconds_left"] <= 60
    assert body["charge_point_id"] == "CP-HOME" and body["alias"] == "Blue card" and body["tag"] is None
    enrolment = TagEnrolment.objects.get(pk=body["id"])
    assert (enrolment.expires_at - enrolment.created_at) == timedelta(seconds=60)
    assert client.get(f"/api/v1/tags/enrolments/{body['id']}/").json()["state"] == "waiting"
    r = client.delete(f"/api/v1/tags/enrolments/{body['id']}/")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert TagEnrolment.objects.get(pk=body["id"]).cancelled_at is not None


def test_enrolment_expires(owner, online):
    client = api(owner)
    pk = client.post("/api/v1/tags/enrolments/", {"charge_point_id": "CP-HOME"},
                     content_type="application/json").json()["id"]
    TagEnrolment.objects.filter(pk=pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    body = client.get(f"/api/v1/tags/enrolments/{pk}/").json()
    assert body["state"] == "expired" and body["seconds_left"] == 0


def test_enrolment_needs_my_own_online_charger(owner, member, online, group_charger, share, guest):
    # Member of the group, guest with a share: neither owns the charger → 404.
    for user, cp_id in ((member, "CP-GROUP"), (guest, "CP-HOME"), (owner, "CP-NOPE")):
        r = api(user).post("/api/v1/tags/enrolments/", {"charge_point_id": cp_id}, content_type="application/json")
        assert_error(r, 404, "not_found")
    r = api(owner).post("/api/v1/tags/enrolments/", {"charge_point_id": "CP-GROUP"}, content_type="application/json")
    assert_error(r, 400, "charger_offline")
    r = api(owner).post("/api/v1/tags/enrolments/", {}, content_type="application/json")
    assert_error(r, 400, "invalid")
    assert not TagEnrolment.objects.exists()


def test_one_open_enrolment_per_charger(owner, online, operator):
    first = api(owner).post("/api/v1/tags/enrolments/", {"charge_point_id": "CP-HOME"},
                            content_type="application/json").json()
    # Someone else with write access (staff) is told the charger is busy.
    from tests.factories.accounts import UserFactory

    staff = UserFactory(email="staff2@example.com", is_staff=True)
    r = api(staff).post("/api/v1/tags/enrolments/", {"charge_point_id": "CP-HOME"}, content_type="application/json")
    assert_error(r, 409, "enrolment_busy")
    # The same user restarting gets a fresh window; the old one is closed.
    again = api(owner).post("/api/v1/tags/enrolments/", {"charge_point_id": "CP-HOME"},
                            content_type="application/json").json()
    assert again["id"] != first["id"]
    assert TagEnrolment.objects.get(pk=first["id"]).cancelled_at is not None


def test_another_users_enrolment_is_404(owner, outsider, online):
    pk = api(owner).post("/api/v1/tags/enrolments/", {"charge_point_id": "CP-HOME"},
                         content_type="application/json").json()["id"]
    assert_error(api(outsider).get(f"/api/v1/tags/enrolments/{pk}/"), 404, "not_found")
    assert_error(api(outsider).delete(f"/api/v1/tags/enrolments/{pk}/"), 404, "not_found")
    assert TagEnrolment.objects.get(pk=pk).cancelled_at is None


def test_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path, methods in {
        "/api/v1/tags/": {"get", "post"},
        "/api/v1/tags/{tag_id}/": {"get", "patch", "delete"},
        "/api/v1/tags/{tag_id}/favourite/": {"put"},
        "/api/v1/tags/enrolments/": {"post"},
        "/api/v1/tags/enrolments/{enrolment_id}/": {"get", "delete"},
    }.items():
        assert methods <= set(paths[path]), path
        assert all(paths[path][m]["tags"] == ["tags"] for m in methods)
