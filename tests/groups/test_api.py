"""Groups API (GRP-1 … GRP-6): the mobile app's view of groups, members, invitations and the
chargers of a group; error JSON with codes; another user's group is a 404 everywhere."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from chargers.selectors import charger_list_for_user
from groups.models import Group, GroupCharger, Invitation, Membership
from tests.factories.groups import TariffFactory
from tests.sharing.helpers import app_client

from .group_helpers import own_charger, token_from_mail

pytestmark = pytest.mark.django_db

JSON = "application/json"
NEW_GROUP = {"name": "Flat share", "city": "Munich", "zip_code": "80331", "address": "Main street 1"}


@pytest.fixture
def group(group_charger):
    return group_charger.group_link.group


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_list_and_detail_show_role_tariff_members_and_chargers(world, owner, member, group):
    for user, role in ((owner, "owner"), (member, "member")):
        api = app_client(user)
        [item] = api.get("/api/v1/groups/").json()
        assert item["id"] == group.pk and item["role"] == role
        assert item["tariff"]["currency"] == "EUR" and item["tariff"]["price_per_kwh"] == "0.3000"
        assert item["member_count"] == 1
        assert item["chargers"] == [{"charge_point_id": "CP-GROUP", "name": "Residence"}]
        assert item["owner"]["name"] == owner.get_full_name()
        assert api.get(f"/api/v1/groups/{group.pk}/").json() == item


def test_create_limits_through_the_api(member, owner, charger):
    api = app_client(member)
    r = api.post("/api/v1/groups/", NEW_GROUP, content_type=JSON)
    assert r.status_code == 403 and error_code(r) == "no_charger"
    own_charger(member, "CP-MAX")
    r = api.post("/api/v1/groups/", NEW_GROUP, content_type=JSON)
    assert r.status_code == 201 and r.json()["role"] == "owner" and r.json()["tariff"] is None
    r = api.post("/api/v1/groups/", {**NEW_GROUP, "name": "Second"}, content_type=JSON)
    assert r.status_code == 403 and error_code(r) == "premium_required"
    r = api.post("/api/v1/groups/", {"name": "x"}, content_type=JSON)
    assert r.status_code == 400 and error_code(r) == "invalid" and "city" in r.json()["error"]["fields"]
    # Premium: several, with a tariff of one's own only.
    theirs = TariffFactory(owner=member)
    api = app_client(owner)
    r = api.post("/api/v1/groups/", {**NEW_GROUP, "tariff": theirs.pk}, content_type=JSON)
    assert r.status_code == 400 and error_code(r) == "invalid_tariff"
    mine = TariffFactory(owner=owner, name="Mine")
    for name in ("A", "B"):
        r = api.post("/api/v1/groups/", {**NEW_GROUP, "name": name, "tariff": mine.pk}, content_type=JSON)
        assert r.status_code == 201 and r.json()["tariff"]["id"] == mine.pk
    assert Group.objects.filter(owner=owner).count() == 2


def test_owner_patches_and_deletes(world, owner, member, group, group_charger):
    api = app_client(owner)
    night = TariffFactory(owner=owner, name="Night", currency="CHF")
    r = api.patch(f"/api/v1/groups/{group.pk}/", {"name": "Residence East", "tariff": night.pk}, content_type=JSON)
    assert r.status_code == 200, r.content
    assert r.json()["name"] == "Residence East" and r.json()["tariff"]["currency"] == "CHF"
    r = api.patch(f"/api/v1/groups/{group.pk}/", {"tariff": None}, content_type=JSON)
    assert r.json()["tariff"] is None and r.json()["city"] == "Munich"
    r = app_client(member).patch(f"/api/v1/groups/{group.pk}/", {"name": "Mine"}, content_type=JSON)
    assert r.status_code == 404 and error_code(r) == "not_found"
    assert app_client(member).delete(f"/api/v1/groups/{group.pk}/").status_code == 404
    assert api.delete(f"/api/v1/groups/{group.pk}/").status_code == 204
    assert not Group.objects.exists() and not charger_list_for_user(member).filter(pk=group_charger.pk).exists()


def test_invitations_from_invite_to_accept(world, owner, outsider, group, django_capture_on_commit_callbacks):
    api = app_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/api/v1/groups/{group.pk}/invitations/", {"email": "Outsider@Example.com"},
                     content_type=JSON)
    assert r.status_code == 201 and r.json()["email"] == "outsider@example.com" and r.json()["state"] == "pending"
    invitation_id = r.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/api/v1/groups/{group.pk}/invitations/", {"email": "outsider@example.com"},
                     content_type=JSON)
    assert r.status_code == 200 and r.json()["id"] == invitation_id  # sent again
    assert len(mail.outbox) == 2
    r = api.post(f"/api/v1/groups/{group.pk}/invitations/", {"email": "member@example.com"}, content_type=JSON)
    assert r.status_code == 409 and error_code(r) == "already_member"
    assert [i["id"] for i in api.get(f"/api/v1/groups/{group.pk}/invitations/").json()] == [invitation_id]

    invitee = app_client(outsider)
    [received] = invitee.get("/api/v1/invitations/").json()
    assert received["group"]["name"] == "Residence" and received["invited_by"]["name"] == owner.get_full_name()
    r = invitee.post(f"/api/v1/invitations/{invitation_id}/accept/")
    assert r.status_code == 200 and r.json()["role"] == "member"
    assert invitee.get("/api/v1/invitations/").json() == []
    assert Membership.objects.filter(group=group, user=outsider).exists()
    members = api.get(f"/api/v1/groups/{group.pk}/members/").json()
    assert [m["email"] for m in members] == ["member@example.com", "outsider@example.com"]


def test_accept_by_token_and_its_refusals(world, owner, member, outsider, group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app_client(owner).post(f"/api/v1/groups/{group.pk}/invitations/", {"email": outsider.email}, content_type=JSON)
    token = token_from_mail()
    r = app_client(member).post("/api/v1/invitations/accept/", {"token": token}, content_type=JSON)
    assert r.status_code == 403 and error_code(r) == "wrong_user"
    r = app_client(outsider).post("/api/v1/invitations/accept/", {"token": "nope"}, content_type=JSON)
    assert r.status_code == 404 and error_code(r) == "invitation_not_found"
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    r = app_client(outsider).post("/api/v1/invitations/accept/", {"token": token}, content_type=JSON)
    assert r.status_code == 400 and error_code(r) == "invitation_expired"
    Invitation.objects.update(expires_at=timezone.now() + timedelta(days=1))
    # The whole link works too.
    r = app_client(outsider).post("/api/v1/invitations/accept/",
                                  {"token": f"http://testserver/invitations/{token}/"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["id"] == group.pk


def test_decline_and_withdraw(world, owner, outsider, group, django_capture_on_commit_callbacks):
    api = app_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"/api/v1/groups/{group.pk}/invitations/", {"email": outsider.email}, content_type=JSON).json()
    assert app_client(outsider).post(f"/api/v1/invitations/{first['id']}/decline/").status_code == 204
    assert Invitation.objects.get().status == "declined"
    with django_capture_on_commit_callbacks(execute=True):
        second = api.post(f"/api/v1/groups/{group.pk}/invitations/", {"email": outsider.email},
                          content_type=JSON).json()
    r = api.delete(f"/api/v1/groups/{group.pk}/invitations/{second['id']}/")
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    r = api.delete(f"/api/v1/groups/{group.pk}/invitations/{second['id']}/")
    assert r.status_code == 409 and error_code(r) == "invitation_closed"
    assert app_client(outsider).post(f"/api/v1/invitations/{second['id']}/accept/").status_code == 404


def test_removing_a_member_ends_their_api_access_at_once(world, owner, member, group, group_charger):
    member_api = app_client(member)
    assert member_api.get("/api/v1/chargers/CP-GROUP/").status_code == 200
    assert member_api.get(f"/api/v1/groups/{group.pk}/").status_code == 200
    r = app_client(owner).delete(f"/api/v1/groups/{group.pk}/members/{member.pk}/")
    assert r.status_code == 204
    assert member_api.get("/api/v1/chargers/CP-GROUP/").status_code == 404
    assert member_api.get(f"/api/v1/groups/{group.pk}/").status_code == 404
    assert member_api.get("/api/v1/groups/").json() == []
    r = app_client(owner).delete(f"/api/v1/groups/{group.pk}/members/{member.pk}/")
    assert r.status_code == 404


def test_member_leaves_owner_cannot(world, owner, member, group):
    r = app_client(owner).post(f"/api/v1/groups/{group.pk}/leave/")
    assert r.status_code == 400 and error_code(r) == "owner_cannot_leave"
    assert app_client(member).post(f"/api/v1/groups/{group.pk}/leave/").status_code == 204
    assert not Membership.objects.filter(user=member).exists()


def test_charger_toggles_through_the_api(world, owner, member, group, charger):
    api = app_client(owner)
    other = Group.objects.create(owner=owner, name="Office", city="M", zip_code="1", address="A")
    listed = {c["charge_point_id"]: c for c in api.get(f"/api/v1/groups/{other.pk}/chargers/").json()}
    assert listed["CP-GROUP"] == {"charge_point_id": "CP-GROUP", "name": "Residence", "included": False,
                                  "other_group": "Residence"}
    assert listed["CP-HOME"]["included"] is False and listed["CP-HOME"]["other_group"] is None
    r = api.put(f"/api/v1/groups/{other.pk}/chargers/CP-GROUP/")
    assert r.status_code == 409 and error_code(r) == "charger_in_other_group"
    r = api.put(f"/api/v1/groups/{group.pk}/chargers/CP-HOME/")
    assert r.status_code == 200 and r.json()["included"] is True
    assert api.put(f"/api/v1/groups/{group.pk}/chargers/CP-HOME/").status_code == 200  # idempotent
    assert charger_list_for_user(member).filter(pk=charger.pk).exists()
    r = api.delete(f"/api/v1/groups/{group.pk}/chargers/CP-HOME/")
    assert r.status_code == 200 and r.json()["included"] is False
    assert not GroupCharger.objects.filter(charge_point=charger).exists()
    foreign = own_charger(member, "CP-MAX")
    assert api.put(f"/api/v1/groups/{group.pk}/chargers/{foreign.charge_point_id}/").status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "member"])
def test_tenancy_every_owner_endpoint_is_404(world, persona, owner, member, group, personas,
                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_id = app_client(owner).post(
            f"/api/v1/groups/{group.pk}/invitations/", {"email": "friend@example.com"}, content_type=JSON).json()["id"]
    api = app_client(personas[persona])
    base = f"/api/v1/groups/{group.pk}"
    calls = [
        ("patch", f"{base}/"), ("delete", f"{base}/"),
        ("get", f"{base}/invitations/"), ("post", f"{base}/invitations/"),
        ("delete", f"{base}/invitations/{invitation_id}/"),
        ("get", f"{base}/members/"), ("delete", f"{base}/members/{member.pk}/"),
        ("get", f"{base}/chargers/"), ("put", f"{base}/chargers/CP-GROUP/"), ("delete", f"{base}/chargers/CP-GROUP/"),
        ("post", f"/api/v1/invitations/{invitation_id}/accept/"),
        ("post", f"/api/v1/invitations/{invitation_id}/decline/"),
    ]
    if persona == "outsider":
        calls += [("get", f"{base}/"), ("post", f"{base}/leave/")]
    for method, url in calls:
        r = getattr(api, method)(url, {"name": "X", "email": "a@example.com"}, content_type=JSON)
        assert r.status_code == 404, (method, url, r.status_code)
        assert error_code(r) in ("not_found", "invitation_not_found"), (method, url)
    assert Group.objects.filter(pk=group.pk, name="Residence").exists()
    assert Membership.objects.filter(group=group, user=member).exists()
    assert Invitation.objects.get().status == "pending"
    assert GroupCharger.objects.filter(group=group).count() == 1


def test_anonymous_gets_nothing(group):
    from django.test import Client

    for url in ("/api/v1/groups/", f"/api/v1/groups/{group.pk}/", "/api/v1/invitations/"):
        assert Client().get(url).status_code in (401, 403)


def test_schema_documents_the_group_endpoints(client):
    schema = client.get("/api/schema/").content
    for path in (b"/api/v1/groups/{id}/members/{user_id}/", b"/api/v1/groups/{id}/chargers/{charge_point_id}/",
                 b"/api/v1/invitations/accept/", b"/api/v1/invitations/{invitation_id}/decline/"):
        assert path in schema
