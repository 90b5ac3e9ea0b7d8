"""Portal general settings (ACC-10) in a real browser: the owner allows optional trackers,
chooses a group as the portal's context and leaves it again, then switches the language to
German on this page and gets the portal in German, remembered on the account."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from accounts.models import Consent
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def messages_text(page) -> str:
    return page.locator(".wcc-messages").inner_text()


def test_privacy_group_context_and_language(server, page, world, owner, group_charger, password):
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    login(page, server.url, owner.email, password)
    settings_path = reverse("portal:settings")
    page.goto(server.url + settings_path)
    assert page.locator("header h1").inner_text() == "Settings"
    assert "Signed in" in page.get_by_test_id("login-history").inner_text()

    # Privacy: allow optional trackers.
    page.get_by_test_id("privacy-form").get_by_label("Allow optional trackers").check()
    with page.expect_navigation():
        page.get_by_test_id("save-privacy").click()
    assert "Your privacy settings were saved." in messages_text(page)
    assert page.get_by_test_id("privacy-form").get_by_label("Allow optional trackers").is_checked()
    assert Consent.objects.get(user=owner, document=Consent.Document.TRACKING).accepted

    # Group context: choose Residence here, and the top bar says so; then leave it.
    page.get_by_test_id("group-context-form").locator("select[name=group]").select_option(label="Residence")
    with page.expect_navigation():
        page.get_by_test_id("choose-group").click()
    assert urlsplit(page.url).path == settings_path
    assert page.get_by_test_id("current-group").inner_text() == "Residence"
    assert page.get_by_test_id("group-context-name").inner_text() == "Residence"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "portal-settings")
    with page.expect_navigation():
        page.get_by_test_id("leave-group-context").click()
    assert page.get_by_test_id("current-group").inner_text() == "All groups"

    # Language: German, back on this page, stored on the account.
    page.get_by_test_id("language-form").get_by_label("Deutsch").check()
    with page.expect_navigation():
        page.get_by_test_id("save-language").click()
    assert urlsplit(page.url).path == settings_path
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("header h1").inner_text() == "Einstellungen"
    assert "Ladepunkte" in page.locator(".wcc-sidebar nav").inner_text()
    assert page.get_by_test_id("language-form").get_by_label("Deutsch").is_checked()
    owner.refresh_from_db()
    assert owner.language == "de"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "portal-settings-de")
    assert errors == []
