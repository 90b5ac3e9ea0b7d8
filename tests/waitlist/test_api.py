"""RES-4 API: my entries with positions, join (and its error codes), leave, a group's queue
status; another tenant's objects are 404."""

import pytest
from django.test import Client

from groups import waitlist
from groups.models import WaitlistEntry
from tests.factories.groups import GroupFactory
from tests.sharing.helpers import app_client
from tests.waitlist.conftest import make_busy, make_free

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def join(client, group_pk):
    return client.post("/api/v1/waitlist/", {"group": group_pk}, content_type="application/json")


def test_join_list_and_status(group, group_charger, drivers):
    make_busy(group_charger)
    first, second = app_client(drivers[0]), app_client(drivers[1])  # the mobile app's token
    r = join(first, group.pk)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "waiting" and body["position"] == 1
    assert body["group"] == {"id": group.pk, "name": "Residence"} and body["offered_charger"] is None
    assert join(second, group.pk).json()["position"] == 2

    r = second.get("/api/v1/waitlist/")
    assert r.status_code == 200
    assert [(e["group"]["id"], e["status"], e["position"]) for e in r.json()] == [(group.pk, "waiting", 2)]

    r = second.get(f"/api/v1/groups/{group.pk}/waitlist/status/")
    assert r.json() == {
        "group": group.pk, "busy": True, "chargers": 1, "free_chargers": 0, "queue_length": 2,
        "my_entry": r.json()["my_entry"], "my_status": "waiting", "my_position": 2, "hold_until": None,
    }

    # The charger frees up: the first is offered it, with the charger and the hold's end.
    make_free(group_charger)
    waitlist.waitlist_offer_free(group_id=group.pk)
    [entry] = first.get("/api/v1/waitlist/").json()
    assert entry["status"] == "offered" and entry["position"] is None
    assert entry["offered_charger"] == {"charge_point_id": "CP-GROUP", "name": "Residence"}
    assert entry["hold_until"] is not None
    assert second.get("/api/v1/waitlist/").json()[0]["position"] == 1
    status = second.get(f"/api/v1/groups/{group.pk}/waitlist/status/").json()
    assert status["busy"] is True and status["queue_length"] == 1 and status["my_position"] == 1


def test_join_error_codes(group, group_charger, drivers, outsider, owner):
    member = client_for(drivers[0])
    make_free(group_charger)
    r = join(member, group.pk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "charger_free"
    make_busy(group_charger)
    assert join(member, group.pk).status_code == 201
    r = join(member, group.pk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_waiting"
    r = member.post("/api/v1/waitlist/", {}, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid" and "group" in r.json()["error"]["fields"]
    # A group of which the user is not part does not exist for them.
    r = join(client_for(outsider), group.pk)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    empty = GroupFactory(owner=owner, name="Empty")
    r = join(client_for(owner), empty.pk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_chargers"
    assert Client().get("/api/v1/waitlist/").status_code in (401, 403)


def test_leave_and_its_errors(group, group_charger, drivers):
    make_busy(group_charger)
    entry = waitlist.waitlist_join(user=drivers[0], group=group).entry
    other = waitlist.waitlist_join(user=drivers[1], group=group).entry
    member = client_for(drivers[0])
    # Another driver's entry: 404, unchanged.
    r = member.delete(f"/api/v1/waitlist/{other.pk}/")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    other.refresh_from_db()
    assert other.status == WaitlistEntry.Status.WAITING

    r = member.delete(f"/api/v1/waitlist/{entry.pk}/")
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["closed_at"]
    r = member.delete(f"/api/v1/waitlist/{entry.pk}/")
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_waiting"
    assert member.get("/api/v1/waitlist/").json() == []
    assert [e["status"] for e in member.get("/api/v1/waitlist/?state=closed").json()] == ["cancelled"]
    assert len(member.get("/api/v1/waitlist/?state=all").json()) == 1
    assert client_for(drivers[1]).get("/api/v1/waitlist/").json()[0]["position"] == 1


def test_tenancy_of_the_group_status(group, group_charger, drivers, outsider):
    r = client_for(outsider).get(f"/api/v1/groups/{group.pk}/waitlist/status/")
    assert r.status_code == 404
    r = client_for(drivers[0]).get("/api/v1/groups/999999/waitlist/status/")
    assert r.status_code == 404


def test_schema_documents_the_endpoints(client):
    r = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    paths = r.json()["paths"] if r["Content-Type"].startswith("application/json") else None
    if paths is None:
        import yaml

        paths = yaml.safe_load(r.content)["paths"]
    assert {"/api/v1/waitlist/", "/api/v1/waitlist/{id}/", "/api/v1/groups/{id}/waitlist/status/"} <= set(paths)
    assert "409" in paths["/api/v1/waitlist/"]["post"]["responses"]
