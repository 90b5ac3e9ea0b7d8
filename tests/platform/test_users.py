"""The user model: e-mail login unique ignoring case, no username; login history."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import LoginEvent, User
from tests.signin import login_data

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_there_is_no_username():
    assert User.USERNAME_FIELD == "email"
    assert "username" not in {f.name for f in User._meta.get_fields()}
    user = User.objects.create_user("Mixed.Case@Example.COM", "pw-123456789")
    assert user.email == "mixed.case@example.com"
    assert User.objects.get_by_natural_key("MIXED.case@example.com") == user


def test_emails_are_unique_ignoring_case_in_the_database():
    User.objects.create(email="a@x.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypasses the manager's normalisation: the database constraint itself refuses.
        User.objects.create(email="A@x.com")
    assert User.objects.count() == 1


def test_create_superuser():
    admin = User.objects.create_superuser("root@example.com", "pw-123456789", first_name="Sam")
    assert admin.is_staff and admin.is_superuser and admin.is_active
    assert admin.check_password("pw-123456789")
    assert admin.get_full_name() == "Sam"
    with pytest.raises(ValueError):
        User.objects.create_user("", "pw")


def test_user_without_password_cannot_sign_in():
    user = User.objects.create_user("nopass@example.com")
    assert not user.has_usable_password()


def test_web_sign_in_is_recorded(client, owner, password):
    response = client.post("/accounts/login/", login_data(client, "Owner@Example.com", password),
                           HTTP_USER_AGENT="pytest-browser/1.0")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    event = LoginEvent.objects.get()
    assert (event.user, event.email, event.succeeded, event.channel) == (owner, owner.email, True, "web")
    assert (event.ip_address, event.user_agent) == ("127.0.0.1", "pytest-browser/1.0")


def test_failed_web_sign_in_is_recorded_and_shown(client, owner):
    response = client.post("/accounts/login/", login_data(client, owner.email, "nope-nope"))
    assert response.status_code == 200
    assert b"not correct" in response.content
    event = LoginEvent.objects.get()
    assert (event.user, event.email, event.succeeded) == (owner, owner.email, False)


def test_failed_sign_in_of_an_unknown_address_is_recorded_without_a_user(client, db):
    client.post("/accounts/login/", login_data(client, "ghost@example.com", "nope-nope"))
    event = LoginEvent.objects.get()
    assert (event.user, event.email, event.succeeded) == (None, "ghost@example.com", False)


def test_settings_page_lists_the_login_history(client, owner, password):
    client.post("/accounts/login/", login_data(client, owner.email, "wrong-one"))
    client.post("/accounts/login/", login_data(client, owner.email, password))
    page = client.get("/portal/settings/").content.decode()
    history = page[page.index("Login history"):]
    # Newest first: the successful sign-in, then the failed attempt.
    assert history.index('text-success">Signed in') < history.index('text-danger">Failed')
    assert history.count("<td>127.0.0.1</td>") == 2
