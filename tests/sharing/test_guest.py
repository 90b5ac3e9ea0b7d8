"""ACC-3 guest login: e-mail + access code (+ tag) from a share e-mail, page and API."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginEvent, User
from chargers import sharing
from chargers.models import ChargerShare
from chargers.selectors import charger_list_for_user

from .helpers import app_client

pytestmark = pytest.mark.django_db

GUEST_API = "/api/v1/auth/guest/"
GUEST_PAGE = "/accounts/guest/"
CODE = "246810"


@pytest.fixture
def friend_share(charger, owner, later):
    """CP-HOME shared with someone without an account, with a known code and tag CARD-7."""
    with mock.patch.object(sharing, "generate_access_code", return_value=CODE):
        return sharing.share_create(charge_point=charger, email="Friend@Example.com", id_tag="CARD-7",
                                    expires_at=later, acting_user=owner).share


def post_api(data):
    return app_client().post(GUEST_API, data, content_type="application/json")


def test_guest_signs_in_on_the_page_and_sees_only_the_shared_charger(
    client, world, friend_share, group_charger
):
    page = client.get(GUEST_PAGE)
    assert page.status_code == 200 and b"Guest access" in page.content
    response = client.post(GUEST_PAGE, {"email": "FRIEND@example.com", "access_code": CODE})
    assert response.status_code == 302 and response.url == "/app/chargers/?tab=shared"

    user = User.objects.get(email="friend@example.com")
    assert user.is_guest and not user.has_usable_password()
    friend_share.refresh_from_db()
    assert friend_share.recipient == user
    event = LoginEvent.objects.get(user=user)
    assert event.succeeded and event.channel == LoginEvent.Channel.GUEST

    assert list(charger_list_for_user(user).values_list("charge_point_id", flat=True)) == ["CP-HOME"]
    shared = client.get("/app/chargers/?tab=shared")
    assert shared.status_code == 200 and "CP-HOME" in shared.content.decode()
    assert "CP-GROUP" not in shared.content.decode()
    assert client.get(reverse("app:charger_share", args=["CP-HOME"])).status_code == 404
    assert client.get(reverse("app:charger_users", args=["CP-GROUP"])).status_code == 404


def test_guest_with_the_tag_and_the_api_token_works_on_the_api(world, friend_share):
    r = post_api({"email": "friend@example.com", "access_code": CODE, "id_tag": "card-7"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["user"]["email"] == "friend@example.com" and body["user"]["is_guest"] is True
    assert "sessionid" not in r.cookies  # the token is the only way in

    api = app_client(token=body["session_token"])
    assert api.get("/api/v1/me/").json()["email"] == "friend@example.com"
    listed = api.get("/api/v1/chargers/?tab=shared")
    assert listed.status_code == 200, listed.content
    assert [c["charge_point_id"] for c in listed.json()["results"]] == ["CP-HOME"]
    assert api.get("/api/v1/chargers/CP-HOME/").status_code == 200
    for cp_id in ("CP-GROUP", "CP-ORG"):
        assert api.get(f"/api/v1/chargers/{cp_id}/").status_code == 404
    # Seeing is not owning.
    assert api.get("/api/v1/chargers/CP-HOME/users/").status_code == 404
    assert api.get("/api/v1/chargers/CP-HOME/operations/").status_code == 404
    event = LoginEvent.objects.get(email="friend@example.com", succeeded=True)
    assert event.channel == LoginEvent.Channel.GUEST

    # The same token keeps working, and a second login reuses the guest account.
    assert post_api({"email": "friend@example.com", "access_code": CODE}).status_code == 200
    assert User.objects.filter(email__iexact="friend@example.com").count() == 1


@pytest.mark.parametrize("case", ["wrong code", "wrong tag", "other e-mail", "expired", "revoked"])
def test_every_mismatch_gets_the_same_refusal(client, friend_share, case):
    data = {"email": "friend@example.com", "access_code": CODE}
    if case == "wrong code":
        data["access_code"] = "000000"
    elif case == "wrong tag":
        data["id_tag"] = "CARD-8"
    elif case == "other e-mail":
        data["email"] = "other@example.com"
    elif case == "expired":
        ChargerShare.objects.filter(pk=friend_share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "revoked":
        sharing.share_revoke(share=friend_share)
    r = post_api(data)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_guest_login"
    assert r.json()["error"]["message"] == (
        "This e-mail address, access code and tag do not match a valid share.")
    page = client.post(GUEST_PAGE, data)
    assert page.status_code == 400
    assert "do not match a valid share" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(is_guest=True).exists()
    failed = LoginEvent.objects.filter(succeeded=False, channel=LoginEvent.Channel.GUEST)
    assert failed.count() == 2


def test_registered_user_is_told_to_use_the_password(client, world, guest, charger, owner, later):
    with mock.patch.object(sharing, "generate_access_code", return_value=CODE):
        sharing.share_create(charge_point=charger, email="guest@example.com", expires_at=later,
                             acting_user=owner)
    r = post_api({"email": "Guest@example.com", "access_code": CODE})
    assert r.status_code == 400 and r.json()["error"]["code"] == "has_account"
    assert "Shared tab" in r.json()["error"]["message"]
    page = client.post(GUEST_PAGE, {"email": "guest@example.com", "access_code": CODE})
    assert page.status_code == 400 and "sign in with your password" in page.content.decode()
    assert "_auth_user_id" not in client.session
    guest.refresh_from_db()
    assert not guest.is_guest
    # Without the right code, nothing reveals that the address has an account.
    r = post_api({"email": "guest@example.com", "access_code": "999999"})
    assert r.json()["error"]["code"] == "invalid_guest_login"


def test_guest_login_is_throttled_on_the_api(friend_share):
    for _ in range(10):
        assert post_api({"email": "friend@example.com", "access_code": "000000"}).status_code == 400
    r = post_api({"email": "friend@example.com", "access_code": CODE})
    assert r.status_code == 429 and r.json()["error"]["code"] == "throttled"
    assert not User.objects.filter(email="friend@example.com").exists()


def test_guest_login_is_throttled_on_the_page(client, friend_share):
    for _ in range(10):
        assert client.post(GUEST_PAGE, {"email": "friend@example.com", "access_code": "1"}).status_code == 400
    page = client.post(GUEST_PAGE, {"email": "friend@example.com", "access_code": CODE})
    assert page.status_code == 429 and "Too many attempts" in page.content.decode()
    assert not User.objects.filter(email="friend@example.com").exists()


def test_page_throttle_counts_per_address_across_addresses_of_clients(friend_share):
    from django.test import Client

    for n in range(10):
        Client(REMOTE_ADDR=f"10.0.0.{n}").post(GUEST_PAGE, {"email": "friend@example.com", "access_code": "1"})
    page = Client(REMOTE_ADDR="10.0.1.1").post(GUEST_PAGE, {"email": "friend@example.com", "access_code": CODE})
    assert page.status_code == 429


def test_after_the_last_share_expires_the_guest_sees_nothing(client, friend_share, group_charger, owner):
    with mock.patch.object(sharing, "generate_access_code", return_value=CODE):
        second = sharing.share_create(charge_point=group_charger, email="friend@example.com",
                                      expires_at=timezone.now() + timedelta(days=1), acting_user=owner).share
    client.post(GUEST_PAGE, {"email": "friend@example.com", "access_code": CODE})
    user = User.objects.get(email="friend@example.com")
    assert set(charger_list_for_user(user).values_list("charge_point_id", flat=True)) == {"CP-HOME", "CP-GROUP"}

    ChargerShare.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert list(charger_list_for_user(user).values_list("charge_point_id", flat=True)) == ["CP-HOME"]
    ChargerShare.objects.filter(pk=friend_share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not charger_list_for_user(user).exists()
    page = client.get("/app/chargers/?tab=shared")
    assert "CP-HOME" not in page.content.decode() and "CP-GROUP" not in page.content.decode()
    assert client.get("/app/chargers/CP-HOME/").status_code == 404
    # And the code no longer opens anything.
    client.logout()
    assert client.post(GUEST_PAGE, {"email": "friend@example.com", "access_code": CODE}).status_code == 400


def test_sign_in_page_links_to_the_guest_login(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/guest/"' in html
    assert 'href="/accounts/guest/"' not in client.get("/accounts/password/reset/").content.decode()
