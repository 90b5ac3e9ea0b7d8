"""ACC-2: passing the real sign-in captcha in tests. The answer is read from the captcha
store (the key is the hidden captcha_0 of the rendered form), never a test-mode bypass."""

import re

from captcha.models import CaptchaStore

KEY = re.compile(r'name="captcha_0" value="([0-9a-f]+)"')


def captcha_answer(key: str) -> str:
    return CaptchaStore.objects.get(hashkey=key).response


def captcha_fields(client, url: str = "/accounts/login/") -> dict:
    """Open the sign-in page with the test client and return the captcha's form data."""
    key = KEY.search(client.get(url).content.decode()).group(1)
    return {"captcha_0": key, "captcha_1": captcha_answer(key)}


def login_data(client, email: str, password: str, **extra) -> dict:
    return {"login": email, "password": password, **captcha_fields(client), **extra}


def fill_captcha(page):
    """Type the answer of the captcha shown on a Playwright page."""
    key = page.locator("input[name=captcha_0]").input_value()
    page.fill("input[name=captcha_1]", captcha_answer(key))
