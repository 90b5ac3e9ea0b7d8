"""ACC-1 sign-up through the page and the API; the initial password e-mail (NOT-2)."""

import re

import pytest
from django.core import mail
from django.utils import translation

from accounts.models import Consent, User

from .helpers import APP, html_of, initial_password, last_mail_to

pytestmark = pytest.mark.django_db

FORM = {"first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.com", "accept_terms": "on"}
BODY = {"first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.com", "accept_terms": True}


def test_page_signup_creates_the_account_records_consent_and_mails_the_password(
    client, settings, django_capture_on_commit_callbacks
):
    settings.TERMS_VERSION, settings.PRIVACY_VERSION = "2026-02", "2026-03"
    assert client.get("/accounts/signup/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", FORM, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert b"We sent your initial password to ada@example.com" in response.content
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name) == ("ada@example.com", "Ada", "Lovelace")
    assert user.must_change_password and user.is_active and not user.is_guest
    assert user.language == "en"
    consents = {c.document: c for c in user.consents.all()}
    assert set(consents) == {"terms", "privacy"}
    assert consents["terms"].version == "2026-02" and consents["privacy"].version == "2026-03"
    assert all(c.accepted and c.created_at for c in consents.values())
    message = last_mail_to("ada@example.com")
    password = initial_password(message)
    assert user.check_password(password)
    assert len(password) == 19 and password.count("-") == 3
    assert password in html_of(message) and "Hello Ada," in message.body
    assert "/accounts/login/" in message.body


def test_the_password_e_mail_speaks_the_language_of_the_page(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", FORM, HTTP_ACCEPT_LANGUAGE="de")
    user = User.objects.get()
    assert user.language == "de"
    message = last_mail_to(user.email)
    with translation.override("de"):
        expected = translation.gettext("Your WCC Portal account and initial password")
    assert message.subject == expected


@pytest.mark.parametrize("field, value, error", [
    ("accept_terms", None, b"Accept the terms of use and the privacy policy"),
    ("email", "not-an-address", b"Enter a valid email address"),
    ("first_name", "", b"This field is required"),
    ("last_name", "", b"This field is required"),
])
def test_page_refuses_bad_input_and_creates_nothing(client, field, value, error):
    data = {**FORM}
    if value is None:
        data.pop(field)
    else:
        data[field] = value
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert error in response.content
    assert b"is-invalid" in response.content
    assert not User.objects.exists() and not Consent.objects.exists()
    assert mail.outbox == []


def test_page_refuses_an_address_already_registered(client, owner):
    response = client.post("/accounts/signup/", {**FORM, "email": "OWNER@example.com"})
    assert response.status_code == 200
    assert b"already registered" in response.content
    assert User.objects.count() == 1 and not Consent.objects.exists()
    owner.refresh_from_db()
    assert not owner.must_change_password


def test_api_signup(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/auth/signup/", BODY, content_type="application/json",
                               HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 201, response.content
    user = User.objects.get()
    assert response.json() == {"id": user.pk, "email": "ada@example.com", "must_change_password": True}
    assert user.language == "fr" and user.consents.count() == 2
    assert user.check_password(initial_password_fr(last_mail_to(user.email)))


def initial_password_fr(message):
    # The French e-mail: the password is the only token with three dashes.
    return re.search(r"\b(\w{4}-\w{4}-\w{4}-\w{4})\b", message.body).group(1)


@pytest.mark.parametrize("body, code, field", [
    ({**BODY, "accept_terms": False}, "terms_not_accepted", "accept_terms"),
    ({k: v for k, v in BODY.items() if k != "accept_terms"}, "invalid", "accept_terms"),
    ({**BODY, "email": "nope"}, "invalid", "email"),
    ({**BODY, "first_name": ""}, "invalid", "first_name"),
    ({**BODY, "last_name": "x" * 151}, "invalid", "last_name"),
])
def test_api_refuses_bad_input_and_creates_nothing(client, body, code, field):
    response = client.post("/api/v1/auth/signup/", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and field in error["fields"]
    assert not User.objects.exists() and mail.outbox == []


def test_api_answers_409_for_a_registered_address(client, owner):
    response = client.post("/api/v1/auth/signup/", {**BODY, "email": "owner@EXAMPLE.com"},
                           content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"
    assert User.objects.count() == 1 and mail.outbox == []


def test_signing_up_turns_a_guest_into_a_full_account_keeping_its_shares(
    client, share, guest, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=guest.pk).update(is_guest=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/auth/signup/", {**BODY, "email": guest.email},
                               content_type="application/json")
    assert response.status_code == 201
    assert response.json()["id"] == guest.pk
    guest.refresh_from_db()
    assert not guest.is_guest and guest.must_change_password and guest.first_name == "Ada"
    assert guest.shares_received.get() == share
    assert guest.check_password(initial_password(last_mail_to(guest.email)))


def test_signup_is_throttled(client, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"signup": "2/hour"})
    for n in range(2):
        assert client.post("/api/v1/auth/signup/", {**BODY, "email": f"u{n}@example.com"},
                           content_type="application/json").status_code == 201
    response = client.post("/api/v1/auth/signup/", {**BODY, "email": "u9@example.com"},
                           content_type="application/json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert not User.objects.filter(email="u9@example.com").exists()


def test_allauths_own_signup_cannot_be_used(client):
    # The page at allauth's address is ours: a password is no field of it.
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="password1"' not in page and 'name="accept_terms"' in page
    response = client.post("/accounts/signup/", {"email": "x@example.com", "password1": "Secret-12345!",
                                                 "password2": "Secret-12345!"})
    assert response.status_code == 200 and not User.objects.exists()
    for client_kind in ("app", "browser"):
        response = client.post(f"/api/auth/{client_kind}/v1/auth/signup",
                               {"email": "x@example.com", "password": "Secret-12345!"},
                               content_type="application/json")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "signup_disabled"
        assert "/api/v1/auth/signup/" in response.json()["error"]["message"]
    assert not User.objects.exists()
    config = client.get(f"{APP}/config").json()
    assert config["data"]["account"]["is_open_for_signup"] is False


def test_signed_in_user_is_sent_from_the_signup_page_to_the_app(client, owner):
    client.force_login(owner)
    response = client.get("/accounts/signup/")
    assert response.status_code == 302 and response["Location"] == "/app/"


def test_login_page_links_to_the_signup(client, db):
    assert b'href="/accounts/signup/"' in client.get("/accounts/login/").content


def test_an_invitation_link_prefills_the_address_and_leads_back_after_sign_in(client):
    page = client.get("/accounts/signup/?email=new%40example.com&next=/invitations/abc/")
    assert b'value="new@example.com"' in page.content and b'value="/invitations/abc/"' in page.content
    response = client.post("/accounts/signup/", {**FORM, "next": "/invitations/abc/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Finvitations%2Fabc%2F"


def test_a_next_pointing_to_another_site_is_dropped(client):
    response = client.post("/accounts/signup/", {**FORM, "next": "https://evil.example/"})
    assert response["Location"] == "/accounts/login/"
