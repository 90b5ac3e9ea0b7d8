"""ACC-2 sign-in (page session, API token), ACC-1's forced password change, throttling,
ACC-5 password change and ACC-7 sign-out."""

from urllib.parse import urlencode

import pytest

from accounts.models import LoginEvent, User
from tests.factories.accounts import PASSWORD
from tests.signin import login_data

from .helpers import APP, app_login, app_token

pytestmark = pytest.mark.django_db

INITIAL = "Abcd-Efgh-Jkmn-Pqrs"
NEW = "my-own-Secret-2026"


@pytest.fixture
def newcomer(db):
    """A user who signed up and still has the e-mailed initial password."""
    user = User.objects.create_user("new@example.com", INITIAL, first_name="Nina", last_name="New",
                                     must_change_password=True)
    return user


def login_page(client, email, password):
    return client.post("/accounts/login/", login_data(client, email, password))


# --- Pages -------------------------------------------------------------------------------------

def test_page_login_of_a_newcomer_lands_on_the_password_change(client, newcomer):
    response = login_page(client, newcomer.email, INITIAL)
    assert response.status_code == 302 and response["Location"] == "/app/account/password/"
    page = client.get("/app/account/password/")
    assert page.status_code == 200
    assert b"Choose your own password" in page.content and b"wcc-bottom-nav" in page.content


@pytest.mark.parametrize("path", ["/app/", "/app/chargers/", "/portal/", "/app/account/profile/",
                                  "/app/account/delete/", "/admin/"])
def test_every_other_page_redirects_to_the_change_until_it_is_done(client, newcomer, path):
    client.force_login(newcomer)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/app/account/password/?" + urlencode({"next": path})


def test_after_the_change_the_newcomer_is_back_on_the_page_they_asked_for(client, newcomer):
    client.force_login(newcomer)
    target = client.get("/app/groups/?tab=x")["Location"]
    page = client.get(target)
    assert b'name="next" value="/app/groups/?tab=x"' in page.content
    response = client.post(target, {"oldpassword": INITIAL, "password1": "A-new-secret-42", "password2":
                                    "A-new-secret-42", "next": "/app/groups/?tab=x"})
    assert response.status_code == 302 and response["Location"] == "/app/groups/?tab=x"


def test_htmx_requests_are_redirected_with_a_header(client, newcomer):
    client.force_login(newcomer)
    response = client.get("/app/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/app/account/password/"


def test_the_newcomer_may_still_sign_out_and_read_legal_pages(client, newcomer):
    client.force_login(newcomer)
    assert client.get("/privacy/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_changing_the_password_on_the_page_lifts_the_demand(client, newcomer):
    client.force_login(newcomer)
    response = client.post("/app/account/password/",
                           {"oldpassword": INITIAL, "password1": NEW, "password2": NEW})
    assert response.status_code == 302 and response["Location"] == "/app/account/profile/"
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password and newcomer.check_password(NEW)
    # Still signed in, and every page is open again.
    assert client.get("/app/").status_code == 200


@pytest.mark.parametrize("data, error", [
    ({"oldpassword": "wrong", "password1": NEW, "password2": NEW}, b"Please type your current password"),
    ({"oldpassword": INITIAL, "password1": NEW, "password2": NEW + "x"}, b"You must type the same password each time"),
    ({"oldpassword": INITIAL, "password1": "short", "password2": "short"}, b"too short"),
    ({"oldpassword": INITIAL, "password1": "12345678901", "password2": "12345678901"}, b"entirely numeric"),
    ({"oldpassword": INITIAL, "password1": INITIAL, "password2": INITIAL}, b"different from the current one"),
])
def test_page_password_change_refuses_bad_input(client, newcomer, data, error):
    client.force_login(newcomer)
    response = client.post("/app/account/password/", data)
    assert response.status_code == 200
    assert error in response.content
    newcomer.refresh_from_db()
    assert newcomer.must_change_password and newcomer.check_password(INITIAL)


def test_allauths_change_address_leads_to_the_app_page(client, owner):
    client.force_login(owner)
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302 and response["Location"] == "/app/account/password/"


def test_ordinary_login_goes_to_the_portal_and_password_change_is_optional(client, owner):
    response = login_page(client, owner.email, PASSWORD)
    assert response["Location"] == "/portal/"
    page = client.get("/app/account/password/")
    assert page.status_code == 200 and b"Choose your own password" not in page.content
    response = client.post("/app/account/password/",
                           {"oldpassword": PASSWORD, "password1": NEW, "password2": NEW}, follow=True)
    assert b"Password successfully changed" in response.content
    owner.refresh_from_db()
    assert owner.check_password(NEW)


def test_password_change_needs_sign_in(client, db):
    response = client.get("/app/account/password/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- API ---------------------------------------------------------------------------------------

def test_api_login_gives_a_token_and_records_the_login(client, owner):
    response = app_login(client, owner.email, PASSWORD)
    assert response.status_code == 200
    token = response.json()["meta"]["session_token"]
    me = client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200 and me.json()["email"] == owner.email
    assert me.json()["must_change_password"] is False
    event = LoginEvent.objects.get(succeeded=True)
    assert (event.user, event.channel) == (owner, "app")


def test_api_login_with_a_wrong_password(client, owner):
    response = app_login(client, owner.email, "wrong-password")
    assert response.status_code == 400
    assert LoginEvent.objects.get().succeeded is False


def test_api_refuses_everything_but_me_until_the_password_is_changed(client, newcomer):
    token = app_token(client, newcomer.email, INITIAL)
    me = client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200 and me.json()["must_change_password"] is True
    for method, path in [("get", "/api/v1/notifications/"), ("patch", "/api/v1/me/"),
                         ("post", "/api/v1/notifications/read/"), ("post", "/api/v1/me/delete/")]:
        response = getattr(client, method)(path, {}, content_type="application/json",
                                           HTTP_X_SESSION_TOKEN=token)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "password_change_required"
    # The browser session is held to the same rule.
    client.force_login(newcomer)
    response = client.get("/api/v1/notifications/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"


def test_api_password_change_lifts_the_demand(client, newcomer):
    token = app_token(client, newcomer.email, INITIAL)
    response = client.post(f"{APP}/account/password/change",
                           {"current_password": INITIAL, "new_password": NEW},
                           content_type="application/json", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 200, response.content
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password and newcomer.check_password(NEW)
    # The session is renewed on a password change: the app carries on with the new token.
    new_token = response.json()["meta"]["session_token"]
    assert new_token != token
    assert client.get("/api/v1/notifications/", HTTP_X_SESSION_TOKEN=new_token).status_code == 200
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 403


@pytest.mark.parametrize("body", [
    {"current_password": "wrong", "new_password": NEW},
    {"current_password": INITIAL, "new_password": "short"},
    {"current_password": INITIAL},
])
def test_api_password_change_refuses_bad_input(client, newcomer, body):
    token = app_token(client, newcomer.email, INITIAL)
    response = client.post(f"{APP}/account/password/change", body,
                           content_type="application/json", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 400
    assert response.json()["errors"]
    newcomer.refresh_from_db()
    assert newcomer.must_change_password and newcomer.check_password(INITIAL)


def test_api_logout_ends_the_token(client, owner):
    token = app_token(client, owner.email, PASSWORD)
    response = client.delete(f"{APP}/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 401  # allauth: "no longer authenticated"
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code in (401, 403)


def test_newcomer_may_log_out_through_the_api(client, newcomer):
    token = app_token(client, newcomer.email, INITIAL)
    assert client.delete(f"{APP}/auth/session", HTTP_X_SESSION_TOKEN=token).status_code == 401


# --- Throttling --------------------------------------------------------------------------------

def test_page_login_is_throttled_after_five_failures(client, owner):
    for _ in range(5):
        response = login_page(client, owner.email, "wrong-password")
        assert b"not correct" in response.content
    response = login_page(client, owner.email, PASSWORD)
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_api_login_is_throttled_after_five_failures(client, owner):
    for _ in range(5):
        assert app_login(client, owner.email, "wrong-password").status_code == 400
    response = app_login(client, owner.email, PASSWORD)
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "too_many_login_attempts"
    assert "meta" not in response.json()
    # A wrong password is still a plain 400 for another address.
    assert app_login(client, "other@example.com", "wrong-password").status_code == 400


def test_the_throttle_is_per_address(client, owner, member):
    for _ in range(5):
        login_page(client, owner.email, "wrong-password")
    assert login_page(client, member.email, PASSWORD).status_code == 302


def test_logout_page_signs_out_by_post_only(client, owner):
    client.force_login(owner)
    assert client.get("/accounts/logout/").status_code == 200  # allauth's confirm page
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/app/").status_code == 302


def test_app_menu_has_the_account_entries_and_a_logout_dialog(client, owner):
    client.force_login(owner)
    page = client.get("/app/").content.decode()
    for href in ("/app/account/profile/", "/app/account/password/", "/app/account/delete/"):
        assert f'href="{href}"' in page
    assert 'data-bs-target="#logout-modal"' in page
    modal = page[page.index('id="logout-modal"'):]
    assert 'action="/accounts/logout/"' in modal and 'method="post"' in modal
