"""ACC-2: the web sign-in form asks for a captcha (django-simple-captcha, drawn locally); the
mobile app's API login does not; repeated failures are throttled on both."""

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache

from accounts.forms_login import LoginForm
from accounts.models import LoginEvent
from tests.factories.accounts import PASSWORD
from tests.signin import KEY, captcha_fields, login_data

from .helpers import app_login, app_token

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # allauth's login_failed counters live in the cache
    yield
    cache.clear()


def test_the_sign_in_page_shows_a_captcha_with_a_refresh_button(client):
    page = client.get(LOGIN)
    html = page.content.decode()
    assert isinstance(page.context["form"], LoginForm)
    key = KEY.search(html).group(1)
    assert CaptchaStore.objects.filter(hashkey=key).exists()
    assert f'src="/captcha/image/{key}/"' in html
    assert 'name="captcha_1"' in html and "data-captcha-refresh" in html
    assert "Security code" in html
    # Field order: e-mail, password, captcha.
    assert html.index('name="login"') < html.index('name="password"') < html.index('name="captcha_1"')


def test_the_image_is_drawn_locally(client):
    key = KEY.search(client.get(LOGIN).content.decode()).group(1)
    image = client.get(f"/captcha/image/{key}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content if image.streaming else [image.content])[:8] == b"\x89PNG\r\n\x1a\n"


def test_refresh_gives_a_new_key_and_image(client, owner):
    old = KEY.search(client.get(LOGIN).content.decode()).group(1)
    response = client.get("/captcha/refresh/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    data = response.json()
    assert data["key"] != old and data["image_url"] == f"/captcha/image/{data['key']}/"
    assert CaptchaStore.objects.filter(hashkey=data["key"]).exists()
    # The refreshed captcha is accepted.
    answer = CaptchaStore.objects.get(hashkey=data["key"]).response
    response = client.post(LOGIN, {"login": owner.email, "password": PASSWORD,
                                   "captcha_0": data["key"], "captcha_1": answer.upper()})
    assert response.status_code == 302


def test_the_right_captcha_signs_in(client, owner):
    response = client.post(LOGIN, login_data(client, owner.email, PASSWORD))
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert LoginEvent.objects.get().succeeded


@pytest.mark.parametrize("answer", ["wrong", "", None])
def test_a_wrong_or_missing_captcha_is_a_form_error_and_nobody_is_signed_in(client, owner, answer):
    fields = captcha_fields(client)
    data = {"login": owner.email, "password": PASSWORD, "captcha_0": fields["captcha_0"]}
    if answer is not None:
        data["captcha_1"] = answer
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "captcha" in form.errors
    assert "_auth_user_id" not in client.session
    # The password was not even checked: nothing recorded, nothing counted.
    assert not LoginEvent.objects.exists()
    html = response.content.decode()
    if answer:
        assert "The security code is not correct" in html
    # A fresh image comes with the error; a wrongly answered one cannot be tried again.
    assert KEY.search(html).group(1) != fields["captcha_0"]
    if answer:
        assert not CaptchaStore.objects.filter(hashkey=fields["captcha_0"]).exists()


def test_a_captcha_is_used_once(client, owner):
    fields = captcha_fields(client)
    data = {"login": owner.email, "password": PASSWORD, **fields}
    assert client.post(LOGIN, data).status_code == 302
    client.logout()
    response = client.post(LOGIN, data)
    assert response.status_code == 200 and "captcha" in response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_an_unknown_key_is_refused(client, owner):
    response = client.post(LOGIN, {"login": owner.email, "password": PASSWORD,
                                   "captcha_0": "0" * 40, "captcha_1": "abcde"})
    assert response.status_code == 200 and "captcha" in response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_the_right_captcha_with_a_wrong_password_is_the_usual_error(client, owner):
    response = client.post(LOGIN, login_data(client, owner.email, "not-it-at-all"))
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "captcha" not in response.context["form"].errors
    assert not LoginEvent.objects.get().succeeded


def test_the_api_login_has_no_captcha(client, owner):
    token = app_token(client, owner.email, PASSWORD)
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 200
    assert not CaptchaStore.objects.exists()


def test_web_sign_in_is_throttled_after_five_failures_even_with_right_captchas(client, owner):
    for _ in range(5):
        response = client.post(LOGIN, login_data(client, owner.email, "wrong-password"))
        assert "not correct" in response.content.decode()
    response = client.post(LOGIN, login_data(client, owner.email, PASSWORD))
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_api_login_keeps_its_throttle(client, owner):
    for _ in range(5):
        assert app_login(client, owner.email, "wrong-password").status_code == 400
    assert app_login(client, owner.email, PASSWORD).status_code == 429
