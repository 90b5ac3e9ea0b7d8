"""ACC-2 in a real browser: the sign-in page's captcha image loads, the refresh button shows a
new one, a wrong answer is a form error and the right one signs in."""

from urllib.parse import urlsplit

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from tests.servers import screenshot
from tests.signin import fill_captcha

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def image_loaded(page) -> bool:
    return page.locator("[data-captcha-image]").evaluate("img => img.complete && img.naturalWidth > 0")


def test_sign_in_with_the_captcha(server, page, owner, password):
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{server.url}/accounts/login/")
    assert page.locator("#div_id_captcha legend").inner_text().startswith("Security code")
    assert image_loaded(page)
    screenshot(page, "signin-captcha")

    # The refresh button brings a new key and image.
    old = page.locator("input[name=captcha_0]").input_value()
    old_src = page.locator("[data-captcha-image]").get_attribute("src")
    page.locator("[data-captcha-refresh]").click()
    page.wait_for_function(
        "old => document.querySelector('input[name=captcha_0]').value !== old", arg=old)
    new = page.locator("input[name=captcha_0]").input_value()
    assert CaptchaStore.objects.filter(hashkey=new).exists()
    assert page.locator("[data-captcha-image]").get_attribute("src") != old_src
    page.wait_for_load_state("networkidle")
    assert image_loaded(page)

    # A wrong answer: a form error next to the field, nobody signed in, a fresh image.
    page.fill("input[name=login]", owner.email)
    page.fill("input[name=password]", password)
    page.fill("input[name=captcha_1]", "zzzzz")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == "/accounts/login/"
    assert "The security code is not correct" in page.locator("main").inner_text()
    assert page.locator("input[name=captcha_0]").input_value() != new
    assert image_loaded(page)
    screenshot(page, "signin-captcha-wrong")

    # The right answer signs in (the e-mail is kept, the password typed again).
    page.fill("input[name=password]", password)
    fill_captcha(page)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == reverse("portal:dashboard")
    assert errors == []


def test_sign_in_page_on_a_phone(server, phone):
    phone.goto(f"{server.url}/accounts/login/")
    assert image_loaded(phone)
    box = phone.locator("[data-captcha]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    screenshot(phone, "signin-captcha-phone")
    assert phone.console_errors == []
