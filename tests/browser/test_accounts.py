"""ACC-1/2/5/6/8 in a real browser against a real server: sign up on the page, read the
initial password from the e-mail, sign in, get forced to choose a password, land in the app;
the profile and the delete confirmation."""

import re

import pytest

from accounts.models import Consent, User
from tests.e2e import sent_mails
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_signup_initial_password_forced_change_and_profile(server_factory, page, tmp_path):
    mails = tmp_path / "mails"
    mails.mkdir()
    server = server_factory("accounts", extra_env={"TEST_EMAIL_FILE_PATH": str(mails)})
    base = server.url

    page.goto(f"{base}/accounts/login/")
    page.click("a[href='/accounts/signup/']")
    page.wait_for_url(f"{base}/accounts/signup/")
    screenshot(page, "accounts-signup")
    # Submitting without ticking the consent box is refused next to the box.
    page.fill("input[name=first_name]", "Ada")
    page.fill("input[name=last_name]", "Lovelace")
    page.fill("input[name=email]", "ada@example.com")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".invalid-feedback").first.is_visible()
    assert not User.objects.filter(email="ada@example.com").exists()
    screenshot(page, "accounts-signup-error")
    page.check("input[name=accept_terms]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/accounts/login/")
    assert "We sent your initial password to ada@example.com" in page.content()
    screenshot(page, "accounts-signup-done")

    user = User.objects.get(email="ada@example.com")
    assert user.must_change_password and Consent.objects.filter(user=user).count() == 2
    [(to, _subject, body, _html)] = sent_mails(mails)
    assert to == "ada@example.com"
    initial = re.search(r"Initial password: (\S+)", body).group(1)

    login(page, base, "ada@example.com", initial)
    assert page.url == f"{base}/app/account/password/"
    assert page.locator("text=Choose your own password").is_visible()
    # Another page of the app leads straight back here, and to that page once it is done.
    page.goto(f"{base}/app/chargers/")
    assert page.url == f"{base}/app/account/password/?next=%2Fapp%2Fchargers%2F"
    screenshot(page, "accounts-forced-change")
    page.fill("input[name=oldpassword]", initial)
    page.fill("input[name=password1]", "Ada-own-Secret-1815")
    page.fill("input[name=password2]", "Ada-own-Secret-1815")
    page.locator("form:has(input[name=oldpassword]) button[type=submit]").click()
    page.wait_for_url(f"{base}/app/chargers/")
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Ada-own-Secret-1815")
    page.goto(f"{base}/app/chargers/")
    assert page.url.startswith(f"{base}/app/chargers/")

    page.goto(f"{base}/app/account/profile/")
    page.fill("input[name=mobile]", "+44 20 7946 0000")
    page.locator("form:has(input[name=mobile]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert-success").is_visible()
    screenshot(page, "accounts-profile")
    user.refresh_from_db()
    assert user.mobile == "+44 20 7946 0000"

    # The app menu: sign out asks first.
    page.locator("button[aria-label=Menu]").click()
    page.locator("button[data-bs-target='#logout-modal']").click()
    page.locator("#logout-modal.show").wait_for(state="visible")
    page.wait_for_timeout(400)  # the fade-in
    screenshot(page, "accounts-logout-confirm")
    page.locator("#logout-modal button[data-bs-dismiss=modal].btn-outline-secondary").click()
    page.locator("#logout-modal").wait_for(state="hidden")

    page.goto(f"{base}/app/account/delete/")
    page.fill("input[name=password]", "Ada-own-Secret-1815")
    page.locator("button[data-bs-target='#delete-account-modal']").click()
    page.locator("#delete-account-modal.show").wait_for(state="visible")
    page.wait_for_timeout(400)  # the fade-in
    screenshot(page, "accounts-delete-confirm")
    page.locator("#delete-account-modal button[type=submit]").click()
    page.wait_for_url(f"{base}/accounts/login/")
    assert "Your account was deleted" in page.content()
    user.refresh_from_db()
    assert not user.is_active and user.deactivated_at is not None
