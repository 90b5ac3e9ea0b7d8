"""CP-3 Users: who has access now, revoking a share, and a recipient leaving a share."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chargers import sharing
from chargers.models import ChargerShare
from chargers.selectors import charger_list_for_user, charger_tabs_for_user
from sessions_app.authorization import authorize

from .helpers import app_client

pytestmark = pytest.mark.django_db


def users_url(cp_id="CP-HOME"):
    return reverse("app:charger_users", args=[cp_id])


def revoke_url(share, cp_id="CP-HOME"):
    return reverse("app:charger_share_revoke", args=[cp_id, share.pk])


@pytest.fixture
def old_shares(charger, owner):
    """An expired and a revoked share: neither gives access any more."""
    now = timezone.now()
    expired = sharing.share_create(charge_point=charger, email="past@example.com",
                                   expires_at=now + timedelta(days=1), acting_user=owner).share
    ChargerShare.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(minutes=1))
    revoked = sharing.share_create(charge_point=charger, email="gone@example.com",
                                   expires_at=now + timedelta(days=1), acting_user=owner).share
    sharing.share_revoke(share=revoked)
    return expired, revoked


def test_users_page_lists_who_has_access_now(client, world, owner, share, old_shares, later):
    sharing.share_create(charge_point=share.charge_point, email="friend@example.com", id_tag="CARD-5",
                         expires_at=later, acting_user=owner)
    client.force_login(owner)
    response = client.get(users_url())
    assert response.status_code == 200
    rows = [s.email for s in response.context["users"].shares]
    assert sorted(rows) == ["friend@example.com", "guest@example.com"]
    html = response.content.decode()
    assert "GUEST1" in html and "CARD-5" in html
    assert "Registered user" in html and "Not signed in yet" in html
    assert "past@example.com" not in html and "gone@example.com" not in html
    assert html.count('data-bs-target="#revoke-') == 2  # each removal asks for confirmation
    assert "member-list" not in html  # CP-HOME is in no group


def test_users_of_a_group_charger_include_the_members_read_only(client, world, owner, member):
    client.force_login(owner)
    html = client.get(users_url("CP-GROUP")).content.decode()
    assert "Members of the group Residence" in html
    assert member.email in html and owner.email in html and "Group owner" in html
    assert "This charger is not shared with anyone right now." in html

    data = app_client(owner).get("/api/v1/chargers/CP-GROUP/users/").json()
    assert data["group"] == "Residence"
    assert {m["email"] for m in data["members"]} == {member.email, owner.email}
    assert data["shares"] == []


def test_users_api_lists_active_shares(world, owner, share, old_shares):
    data = app_client(owner).get("/api/v1/chargers/CP-HOME/users/").json()
    assert [(s["email"], s["registered"], s["id_tag"]) for s in data["shares"]] == [
        ("guest@example.com", True, "GUEST1")]
    assert data["group"] == "" and data["members"] == []


def test_revoking_ends_access_at_once_on_the_web_and_at_the_charger(client, world, owner, guest, share):
    assert authorize(charge_point=share.charge_point, id_tag="GUEST1").status == "Accepted"
    guest_client = app_client(guest)
    client.force_login(guest)
    assert len(client.get(reverse("app:chargers") + "?tab=shared").context["chargers"]) == 1

    owner_client = app_client(owner)
    owner_client.force_login(owner)
    response = owner_client.post(revoke_url(share))
    assert response.status_code == 302 and response.url == users_url()
    share.refresh_from_db()
    assert share.revoked_at is not None

    assert not charger_list_for_user(guest).filter(charge_point_id="CP-HOME").exists()
    assert not charger_tabs_for_user(guest)["shared"].exists()
    assert len(client.get(reverse("app:chargers") + "?tab=shared").context["chargers"]) == 0
    assert guest_client.post("/api/v1/chargers/CP-HOME/leave/").status_code == 404
    assert authorize(charge_point=share.charge_point, id_tag="GUEST1").status == "Invalid"


def test_revoking_through_the_api(world, owner, share):
    api = app_client(owner)
    r = api.delete(f"/api/v1/chargers/CP-HOME/shares/{share.pk}/")
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert api.get("/api/v1/chargers/CP-HOME/shares/").json() == []
    # Revoking again changes nothing.
    first = ChargerShare.objects.get(pk=share.pk).revoked_at
    assert api.delete(f"/api/v1/chargers/CP-HOME/shares/{share.pk}/").status_code == 200
    assert ChargerShare.objects.get(pk=share.pk).revoked_at == first


@pytest.mark.parametrize("persona", ["member", "guest", "outsider"])
def test_others_cannot_see_users_or_revoke(client, world, share, persona):
    user = world[persona]
    client.force_login(user)
    api = app_client(user)
    for cp_id in ("CP-HOME", "CP-GROUP"):
        assert client.get(users_url(cp_id)).status_code == 404
        assert api.get(f"/api/v1/chargers/{cp_id}/users/").status_code == 404
    assert client.post(revoke_url(share)).status_code == 404
    assert api.delete(f"/api/v1/chargers/CP-HOME/shares/{share.pk}/").status_code == 404
    assert ChargerShare.objects.get(pk=share.pk).revoked_at is None


def test_a_share_of_another_charger_is_not_found_under_mine(client, world, owner, share):
    client.force_login(owner)
    # CP-GROUP is the owner's too, but the share belongs to CP-HOME.
    assert client.post(revoke_url(share, "CP-GROUP")).status_code == 404
    assert client.get(revoke_url(share)).status_code == 405  # revoking needs a POST
    assert ChargerShare.objects.get(pk=share.pk).revoked_at is None


def test_recipient_leaves_a_shared_charger(client, world, guest, share):
    client.force_login(guest)
    url = reverse("app:charger_share_leave", args=["CP-HOME"])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response.url == "/app/chargers/?tab=shared"
    assert ChargerShare.objects.get(pk=share.pk).revoked_at is not None
    assert not charger_list_for_user(guest).exists()
    assert client.post(url).status_code == 404  # nothing left to leave


def test_recipient_leaves_through_the_api(world, guest, share):
    api = app_client(guest)
    r = api.post("/api/v1/chargers/CP-HOME/leave/")
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    assert authorize(charge_point=share.charge_point, id_tag="GUEST1").status == "Invalid"


@pytest.mark.parametrize("persona", ["owner", "member", "outsider"])
def test_only_recipients_can_leave(client, world, share, persona):
    client.force_login(world[persona])
    for cp_id in ("CP-HOME", "CP-GROUP"):
        assert client.post(reverse("app:charger_share_leave", args=[cp_id])).status_code == 404
        assert app_client(world[persona]).post(f"/api/v1/chargers/{cp_id}/leave/").status_code == 404
    assert ChargerShare.objects.get(pk=share.pk).revoked_at is None
