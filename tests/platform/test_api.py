"""API conventions: entry points, schema and docs, the single error format, app login, throttling."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.models import LoginEvent

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_api_root_links_schema_docs_and_app_auth(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "version": "1",
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
        "auth": "http://testserver/api/auth/app/v1/",
    }


def test_health_answers_without_authentication(client):
    response = client.get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_schema_is_an_openapi_document_of_the_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "WCC Portal API"
    assert "/api/v1/me/" in schema["paths"]
    assert set(schema["paths"]["/api/v1/me/"]) >= {"get", "patch"}
    assert "/api/v1/health/" in schema["paths"]
    # Serializers nested in views are named after their view, so none collide.
    components = schema["components"]["schemas"]
    assert {"MeOutput", "NotificationListOutput"} <= set(components)
    assert "Output" not in components


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    external = [u for u in re.findall(r"""https?://[^\s"'<>)]+""", html)
                if not u.startswith("http://testserver/")]
    assert external == []
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a shipped static file"


def test_unknown_api_path_is_a_json_404(client):
    error = assert_error(client.get("/api/v1/nope/"), 404, "not_found")
    assert error["fields"] == {}


def test_unknown_page_is_an_html_404(client):
    response = client.get("/nope/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_me_requires_authentication(client):
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert_error(response, response.status_code, "not_authenticated")


def test_me_shows_and_updates_the_signed_in_user(client, owner):
    client.force_login(owner)
    assert client.get("/api/v1/me/").json()["email"] == "owner@example.com"
    response = client.patch("/api/v1/me/", {"language": "fr", "first_name": "Liv"},
                            content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["language"], response.json()["first_name"]) == ("fr", "Liv")
    owner.refresh_from_db()
    assert (owner.language, owner.first_name) == ("fr", "Liv")


def test_invalid_input_names_the_field(client, owner):
    client.force_login(owner)
    response = client.patch("/api/v1/me/", {"language": "klingon"}, content_type="application/json")
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["language"]
    assert "klingon" in error["fields"]["language"][0]
    owner.refresh_from_db()
    assert owner.language == "en"


def test_app_login_with_a_session_token(client, owner, password):
    response = client.post("/api/auth/app/v1/auth/login",
                           {"email": "OWNER@example.com", "password": password},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    assert token

    # A fresh client (no cookie) authenticates with the token alone.
    app = Client()
    me = app.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200
    assert me.json()["email"] == owner.email
    event = LoginEvent.objects.get(succeeded=True)
    assert (event.user, event.channel) == (owner, LoginEvent.Channel.APP)

    assert app.get("/api/v1/me/", HTTP_X_SESSION_TOKEN="forged-token").status_code in (401, 403)


def test_app_login_with_a_wrong_password_is_refused_and_recorded(client, owner):
    response = client.post("/api/auth/app/v1/auth/login",
                           {"email": owner.email, "password": "wrong-password"},
                           content_type="application/json")
    assert response.status_code == 400
    assert "session_token" not in response.json().get("meta", {})
    event = LoginEvent.objects.get()
    assert (event.user, event.succeeded, event.channel) == (owner, False, LoginEvent.Channel.APP)


def test_anonymous_requests_are_throttled_in_the_error_format(client):
    # The configured anonymous rate is 60 per minute.
    statuses = [client.get("/api/v1/").status_code for _ in range(60)]
    assert statuses == [200] * 60
    response = client.get("/api/v1/")
    error = assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert "throttled" in error["message"].lower()
