"""ACC-4 forgotten password: the e-mail (NOT-2, our templates, the user's language), the link
valid 24 hours, the new password twice; through the pages and the headless API."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.utils import translation

from accounts.models import User

from .helpers import APP, html_of, last_mail_to

pytestmark = pytest.mark.django_db

NEW = "brand-New-Secret-77"


@pytest.fixture
def user(db):
    return User.objects.create_user("forgetful@example.com", "old-Secret-123", first_name="Fred",
                                     language="fr", must_change_password=True)


def reset_link(email) -> str:
    message = last_mail_to(email)
    match = re.search(r"https?://\S+/accounts/password/reset/key/(\S+)/", message.body)
    assert match, message.body
    return match.group(0), match.group(1)


def request_reset_on_page(client, email):
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302
    return response


def later(hours):
    real_now = datetime.now

    def now(self):
        return real_now() + timedelta(hours=hours)

    return now


def test_reset_e_mail_is_ours_in_the_users_language(client, user):
    client.get("/accounts/password/reset/")
    request_reset_on_page(client, user.email)
    message = last_mail_to(user.email)
    with translation.override("fr"):
        assert message.subject == translation.gettext("Reset your WCC Portal password")
        valid = translation.gettext("The link is valid for 24 hours and works once.")
    assert valid in message.body
    html = html_of(message)
    assert "WCC Portal" in html and "/accounts/password/reset/key/" in html
    assert "Fred" in message.body


def test_page_reset_sets_the_new_password_twice_and_lifts_the_forced_change(client, user):
    request_reset_on_page(client, user.email)
    url, _key = reset_link(user.email)
    response = client.get(url)
    assert response.status_code == 302  # allauth moves the key into the session
    form_url = response["Location"]
    page = client.get(form_url)
    assert b'name="password1"' in page.content and b'name="password2"' in page.content
    response = client.post(form_url, {"password1": NEW, "password2": NEW + "x"})
    assert b"You must type the same password each time" in response.content
    user.refresh_from_db()
    assert user.check_password("old-Secret-123")
    response = client.post(form_url, {"password1": NEW, "password2": NEW})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.must_change_password
    # The link works once.
    assert b"Bad Token" in client.get(url, follow=True).content


def test_page_refuses_a_link_older_than_24_hours(client, user, monkeypatch):
    request_reset_on_page(client, user.email)
    url, _key = reset_link(user.email)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", later(25))
    page = client.get(url, follow=True)
    assert b"Bad Token" in page.content
    assert b'name="password1"' not in page.content
    user.refresh_from_db()
    assert user.check_password("old-Secret-123")


def test_page_accepts_a_link_23_hours_old(client, user, monkeypatch):
    request_reset_on_page(client, user.email)
    url, _key = reset_link(user.email)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", later(23))
    page = client.get(url, follow=True)
    assert b'name="password1"' in page.content


def test_unknown_or_invalid_addresses_send_nothing(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302  # no hint whether the address exists
    assert mail.outbox == []
    response = client.post("/accounts/password/reset/", {"email": "not an address"})
    assert response.status_code == 200 and b"is-invalid" in response.content


def test_api_reset_flow(client, user):
    response = client.post(f"{APP}/auth/password/request", {"email": user.email},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    _url, key = reset_link(user.email)
    check = client.get(f"{APP}/auth/password/reset", HTTP_X_PASSWORD_RESET_KEY=key)
    assert check.status_code == 200 and check.json()["data"]["user"]["email"] == user.email
    response = client.post(f"{APP}/auth/password/reset", {"key": key, "password": "short"},
                           content_type="application/json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password("old-Secret-123")
    response = client.post(f"{APP}/auth/password/reset", {"key": key, "password": NEW},
                           content_type="application/json")
    assert response.status_code == 401, response.content  # reset done; now sign in
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.must_change_password


def test_api_refuses_a_key_older_than_24_hours(client, user, monkeypatch):
    client.post(f"{APP}/auth/password/request", {"email": user.email}, content_type="application/json")
    _url, key = reset_link(user.email)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", later(25))
    response = client.post(f"{APP}/auth/password/reset", {"key": key, "password": NEW},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_password_reset"
    user.refresh_from_db()
    assert user.check_password("old-Secret-123")


def test_api_reset_request_with_a_bad_address(client, db):
    response = client.post(f"{APP}/auth/password/request", {"email": "nope"},
                           content_type="application/json")
    assert response.status_code == 400 and mail.outbox == []
