"""CP-3 / ACC-3 in a real browser: the owner shares a charger from the page, the guest signs in
with the code read from the e-mail, sees the charger, and loses it when the owner revokes."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from accounts.models import User
from chargers.models import ChargerShare
from tests.e2e import sent_mails
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_owner_shares_and_the_guest_signs_in_with_the_emailed_code(
    server_factory, browser, page, owner, charger, password, tmp_path
):
    server = server_factory(extra_env={"TEST_EMAIL_FILE_PATH": str(tmp_path)})
    errors = []
    page.emulate_media(reduced_motion="reduce")  # the confirm dialog appears at once
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    # The owner shares CP-HOME from the Share page, with the default expiry (tomorrow 18:00).
    login(page, server.url, owner.email, password)
    page.goto(server.url + reverse("app:charger_share", args=["CP-HOME"]))
    assert page.locator("header h1").inner_text() == "Share"
    page.fill("input[name=email]", "friend@example.com")
    screenshot(page, "sharing-share-form")
    page.locator("[data-testid=share-form] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == reverse("app:charger_users", args=["CP-HOME"])
    assert "is shared with friend@example.com" in page.locator(".wcc-messages").inner_text()
    row = page.locator("[data-testid=share-row]")
    assert row.count() == 1 and "friend@example.com" in row.inner_text()
    assert "Not signed in yet" in row.inner_text()
    screenshot(page, "sharing-users")

    share = ChargerShare.objects.get()
    assert share.id_tag.user is None and share.id_tag.alias == "Share: Home"
    # The browser's time zone and the charger's are both Europe/Berlin here.
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") in ("Europe/Berlin", "UTC")

    [(to, subject, body, html)] = sent_mails(tmp_path)
    assert to == "friend@example.com" and "Home" in subject
    code = re.search(r"Access code: (\d{6})", body).group(1)
    tag = re.search(r"RFID tag: (\S+)", body).group(1)
    assert tag == share.id_tag.id_tag and "CP-HOME" in body
    assert f"{server.url}/accounts/guest/" in body or "/accounts/guest/" in body

    # The guest, in a browser of their own, finds guest access from the sign-in page.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    guest_page = context.new_page()
    guest_page.set_default_timeout(15000)
    try:
        guest_page.set_content(html)  # the e-mail as a mail client shows it
        assert code in guest_page.inner_text("body") and "CP-HOME" in guest_page.inner_text("body")
        screenshot(guest_page, "sharing-email")

        guest_page.goto(server.url + "/accounts/login/")
        screenshot(guest_page, "sharing-sign-in-with-guest-link")
        guest_page.locator("[data-testid=guest-login-link] a").click()
        guest_page.wait_for_load_state("networkidle")
        assert urlsplit(guest_page.url).path == "/accounts/guest/"

        # A wrong code first: a clear error, nobody signed in.
        guest_page.fill("input[name=email]", "friend@example.com")
        guest_page.fill("input[name=access_code]", "000000" if code != "000000" else "111111")
        guest_page.locator("[data-testid=guest-login-form] button[type=submit]").click()
        guest_page.wait_for_load_state("networkidle")
        assert "do not match a valid share" in guest_page.locator("main").inner_text()
        screenshot(guest_page, "sharing-guest-login-error")

        guest_page.fill("input[name=email]", "Friend@Example.com")
        guest_page.fill("input[name=access_code]", code)
        guest_page.fill("input[name=id_tag]", tag.lower())
        guest_page.locator("[data-testid=guest-login-form] button[type=submit]").click()
        guest_page.wait_for_load_state("networkidle")
        assert urlsplit(guest_page.url).path == "/app/chargers/"
        tiles = guest_page.locator("[data-testid=charger-tile]")
        assert tiles.count() == 1 and "Home" in tiles.inner_text()
        screenshot(guest_page, "sharing-guest-shared-tab")
        assert User.objects.get(email="friend@example.com").is_guest

        # The owner sees the guest on the Users page and removes them, after confirming.
        page.reload()
        assert "Guest" in page.locator("[data-testid=share-row]").inner_text()
        page.locator("[data-testid=share-row] button[data-bs-toggle=modal]").click()
        modal = page.locator(".modal.show")
        modal.wait_for()
        assert "Remove access?" in modal.inner_text()
        screenshot(page, "sharing-revoke-confirm")
        modal.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=share-row]").count() == 0
        assert "no longer has access" in page.locator(".wcc-messages").inner_text()

        guest_page.reload()
        assert guest_page.locator("[data-testid=charger-tile]").count() == 0
        screenshot(guest_page, "sharing-guest-after-revoke")
    finally:
        context.close()
    assert errors == []
