"""ACC-8 profile: names, mobile, employee number, language (page and API); own tags shown."""

import pytest

from accounts.models import User
from tests.factories.accounts import PASSWORD

from .helpers import app_token

pytestmark = pytest.mark.django_db

DATA = {"first_name": "Olga", "last_name": "Owner", "mobile": "+49 170 1234567",
        "employee_number": "E-42", "language": "de"}


def test_profile_page_shows_the_form_and_only_the_own_tags(client, owner, tags):
    client.force_login(owner)
    page = client.get("/app/account/profile/").content.decode()
    assert 'name="first_name"' in page and 'name="employee_number"' in page
    assert 'name="language"' in page and 'value="fr"' in page
    assert "OWNER1" in page and "MEMBER1" not in page and "GUEST1" not in page
    assert "bi-star-fill" in page  # the favourite tag is marked
    assert 'href="/app/account/password/"' in page and 'href="/app/account/delete/"' in page


def test_profile_page_without_tags_shows_an_empty_state(client, outsider):
    client.force_login(outsider)
    assert "You have no authorization tag yet." in client.get("/app/account/profile/").content.decode()


def test_profile_url_name_keeps_working():
    from django.urls import reverse

    assert reverse("app:profile") == "/app/account/profile/"


def test_saving_the_profile_switches_the_language(client, owner):
    client.force_login(owner)
    response = client.post("/app/account/profile/", DATA)
    assert response.status_code == 302 and response["Location"] == "/app/account/profile/"
    assert response.cookies["django_language"].value == "de"
    owner.refresh_from_db()
    assert (owner.first_name, owner.last_name, owner.mobile, owner.employee_number, owner.language) == (
        "Olga", "Owner", "+49 170 1234567", "E-42", "de")
    page = client.get("/app/account/profile/")
    assert page.content.decode().count('lang="de"') >= 1 and b"<html lang=\"de\"" in page.content


@pytest.mark.parametrize("field, value, error", [
    ("language", "xx", "Select a valid choice"),
    ("first_name", "", "This field is required"),
    ("last_name", "", "This field is required"),
    ("mobile", "1" * 33, "Ensure this value has at most 32 characters"),
])
def test_profile_page_refuses_bad_input(client, owner, field, value, error):
    client.force_login(owner)
    before = User.objects.values().get(pk=owner.pk)
    response = client.post("/app/account/profile/", {**DATA, field: value})
    assert response.status_code == 200 and error in response.content.decode()
    assert User.objects.values().get(pk=owner.pk) == before


def test_profile_needs_sign_in(client, db):
    assert client.get("/app/account/profile/").status_code == 302


def test_api_profile(client, owner):
    token = app_token(client, owner.email, PASSWORD)
    response = client.patch("/api/v1/me/", {"first_name": "Olga", "language": "fr", "employee_number": ""},
                            content_type="application/json", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 200
    body = response.json()
    assert body["first_name"] == "Olga" and body["language"] == "fr" and body["email"] == owner.email
    owner.refresh_from_db()
    assert owner.language == "fr" and owner.first_name == "Olga"


@pytest.mark.parametrize("body, field", [
    ({"language": "xx"}, "language"),
    ({"first_name": "x" * 151}, "first_name"),
    ({"mobile": "1" * 33}, "mobile"),
])
def test_api_profile_refuses_bad_input(client, owner, body, field):
    token = app_token(client, owner.email, PASSWORD)
    before = User.objects.values().get(pk=owner.pk)
    response = client.patch("/api/v1/me/", body, content_type="application/json", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid" and field in response.json()["error"]["fields"]
    assert User.objects.values().get(pk=owner.pk) == before


def test_api_profile_cannot_change_the_email_or_plan(client, owner):
    token = app_token(client, owner.email, PASSWORD)
    client.patch("/api/v1/me/", {"email": "x@example.com", "plan": "free", "is_staff": True},
                 content_type="application/json", HTTP_X_SESSION_TOKEN=token)
    owner.refresh_from_db()
    assert owner.email == "owner@example.com" and owner.plan == "premium" and not owner.is_staff


def test_account_endpoints_are_in_the_openapi_schema(client, owner):
    client.force_login(owner)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/auth/signup/", "/api/v1/me/", "/api/v1/me/delete/"):
        assert path in schema
