"""ACC-6 delete account: deactivated at once (sessions, tokens, tags), reactivated by signing
in again within 14 days, erased by the daily job after that."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import LoginEvent, User
from accounts.tasks import erase_deactivated_accounts
from chargers.models import ChargePoint, ChargerShare, IdTag, LocalListEntry
from sessions_app.authorization import Status, authorize
from tests.factories.accounts import PASSWORD
from tests.factories.chargers import ChargePointFactory
from tests.signin import login_data
from wccportal.schedules import SCHEDULES

from .helpers import APP, app_login, app_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(monkeypatch):
    """The chargers whose local lists the platform asked to bring in step (the job runs
    synchronously in tests; its body belongs to the tags feature)."""
    calls: list[list[int]] = []
    monkeypatch.setattr("chargers.local_list.sync_local_lists", lambda pks: calls.append(list(pks)))
    return calls


@pytest.fixture
def elsewhere(owner, tags):
    """A stranger's charger whose local list holds the owner's tag (spelt differently)."""
    cp = ChargePointFactory(charge_point_id="CP-AWAY", owner=None)
    LocalListEntry.objects.create(charge_point=cp, id_tag="owner1")
    return cp


def deactivated_days_ago(user, days):
    User.objects.filter(pk=user.pk).update(
        is_active=False, deactivated_at=timezone.now() - timedelta(days=days))
    user.refresh_from_db()


def test_delete_page_asks_for_the_password_in_a_confirm_dialog(client, owner):
    client.force_login(owner)
    page = client.get("/app/account/delete/").content.decode()
    assert 'id="delete-account-modal"' in page and 'data-bs-target="#delete-account-modal"' in page
    assert 'form="delete-account-form"' in page and 'name="password"' in page
    assert "14 days" in page


@pytest.mark.parametrize("data, error", [({}, "This field is required"),
                                         ({"password": "wrong"}, "The password is not correct")])
def test_delete_page_refuses_a_wrong_password(client, owner, data, error):
    client.force_login(owner)
    response = client.post("/app/account/delete/", data)
    assert response.status_code == 200 and error in response.content.decode()
    owner.refresh_from_db()
    assert owner.is_active and owner.deactivated_at is None


def test_deleting_on_the_page_deactivates_at_once_everywhere(
    client, owner, charger, tags, elsewhere, synced, django_capture_on_commit_callbacks
):
    other_browser = Client()
    other_browser.force_login(owner)
    app = Client()
    token = app_token(app, owner.email, PASSWORD)
    assert authorize(charge_point=charger, id_tag="OWNER1").status == Status.ACCEPTED

    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/app/account/delete/", {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert b"Your account was deleted" in response.content
    owner.refresh_from_db()
    assert not owner.is_active and owner.deactivated_at is not None
    assert "_auth_user_id" not in client.session
    # Every other session and app token stops at once.
    assert other_browser.get("/app/").status_code == 302
    assert app.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code in (401, 403)
    # The tags stop working at chargers; the chargers concerned get their lists synced.
    assert authorize(charge_point=charger, id_tag="OWNER1").status != Status.ACCEPTED
    assert synced == [sorted([charger.pk, elsewhere.pk])]


def test_api_delete_needs_the_current_password(client, owner):
    token = app_token(client, owner.email, PASSWORD)
    for body, code in [({}, "invalid"), ({"password": "wrong"}, "wrong_password")]:
        response = client.post("/api/v1/me/delete/", body, content_type="application/json",
                               HTTP_X_SESSION_TOKEN=token)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == code
    owner.refresh_from_db()
    assert owner.is_active
    assert client.post("/api/v1/me/delete/", {"password": PASSWORD}).status_code in (401, 403)


def test_api_delete(client, owner, charger, synced, django_capture_on_commit_callbacks):
    token = app_token(client, owner.email, PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/me/delete/", {"password": PASSWORD},
                               content_type="application/json", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 204
    owner.refresh_from_db()
    assert not owner.is_active
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code in (401, 403)
    assert synced == [[charger.pk]]


def test_signing_in_on_day_13_restores_the_account(client, owner, charger, tags, synced,
                                                   django_capture_on_commit_callbacks):
    deactivated_days_ago(owner, 13)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/", login_data(client, owner.email, PASSWORD),
                               follow=True)
    assert b"Welcome back! Your account has been restored." in response.content
    owner.refresh_from_db()
    assert owner.is_active and owner.deactivated_at is None
    assert client.get("/app/").status_code == 200
    assert authorize(charge_point=charger, id_tag="OWNER1").status == Status.ACCEPTED
    assert synced == [[charger.pk]]
    assert LoginEvent.objects.filter(user=owner, succeeded=True).exists()


def test_signing_in_through_the_api_on_day_13_restores_the_account(client, owner):
    deactivated_days_ago(owner, 13)
    token = app_token(client, owner.email, PASSWORD)
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 200
    owner.refresh_from_db()
    assert owner.is_active and owner.deactivated_at is None


def test_a_wrong_password_restores_nothing(client, owner):
    deactivated_days_ago(owner, 3)
    response = client.post("/accounts/login/", login_data(client, owner.email, "wrong-one"))
    assert response.status_code == 200 and b"not correct" in response.content
    assert app_login(client, owner.email, "wrong-one").status_code == 400
    owner.refresh_from_db()
    assert not owner.is_active


def test_after_14_days_signing_in_no_longer_restores(client, owner):
    deactivated_days_ago(owner, 15)
    response = client.post("/accounts/login/", login_data(client, owner.email, PASSWORD))
    assert response.status_code == 302 and response["Location"] == "/accounts/inactive/"
    assert "_auth_user_id" not in client.session
    assert app_login(client, owner.email, PASSWORD).status_code == 401
    owner.refresh_from_db()
    assert not owner.is_active


def test_the_daily_job_erases_accounts_deleted_over_14_days_ago(
    owner, member, charger, tags, share, elsewhere, synced, django_capture_on_commit_callbacks
):
    assert any(s.func == "accounts.tasks.erase_deactivated_accounts" and s.minutes == 60 * 24
               for s in SCHEDULES)
    old_code = charger.claim_code
    deactivated_days_ago(owner, 15)
    deactivated_days_ago(member, 13)
    with django_capture_on_commit_callbacks(execute=True):
        assert erase_deactivated_accounts() == 1
    assert not User.objects.filter(pk=owner.pk).exists()
    assert User.objects.filter(pk=member.pk, is_active=False).exists()  # day 13: kept
    charger = ChargePoint.objects.get(pk=charger.pk)
    assert charger.owner is None and charger.claim_code and charger.claim_code != old_code
    assert not IdTag.objects.filter(id_tag="OWNER1").exists()
    assert not ChargerShare.objects.filter(revoked_at__isnull=True, charge_point=charger).exists()
    assert sorted({pk for call in synced for pk in call}) == sorted([charger.pk, elsewhere.pk])
    # Nothing left to do the next day.
    assert erase_deactivated_accounts() == 0


def test_the_job_leaves_active_users_alone(owner, member):
    assert erase_deactivated_accounts() == 0
    assert User.objects.count() == 2


def test_headless_login_of_an_unknown_address(client, db):
    assert client.post(f"{APP}/auth/login", {"email": "ghost@example.com", "password": "x"},
                       content_type="application/json").status_code == 400
