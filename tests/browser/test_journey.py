"""Issue 4's main journey in a real browser, against a real server and a simulated charger:
sign up → choose a password → claim the charger → share it → the guest signs in with the
e-mailed code and starts a charge on it → the share expires and the charger refuses the guest.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from accounts.models import User
from chargers.models import ChargePoint, ChargerShare
from sessions_app.models import ChargingSession
from tests.e2e import sent_mails, start_sim, stop_sim, wait_until
from tests.factories.chargers import ChargePointFactory
from tests.servers import screenshot
from tests.signin import fill_captcha

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Nora-chooses-her-own-7"


def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    return context, page


def submit(page, form_selector):
    page.locator(f"{form_selector} button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def test_sign_up_claim_share_guest_charges_then_share_expires(server_factory, browser, tmp_path, sim_loop):
    mails = tmp_path / "mails"
    mails.mkdir()
    server = server_factory("journey", extra_env={"TEST_EMAIL_FILE_PATH": str(mails)})
    ChargePointFactory(charge_point_id="CP-NEW", name="", owner=None, claim_code="NEWC2345", model="SimBox 22")
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-NEW"))
    owner_context, page = phone_page(browser)
    guest_context, guest = phone_page(browser)
    try:
        # 1. Sign up: names, e-mail, consent. The initial password arrives by e-mail.
        page.goto(f"{server.url}/accounts/signup/")
        page.fill("input[name=first_name]", "Nora")
        page.fill("input[name=last_name]", "Neu")
        page.fill("input[name=email]", "nora@example.com")
        page.check("input[name=accept_terms]")
        submit(page, "main form")
        [(to, _subject, body, _html)] = sent_mails(mails)
        assert to == "nora@example.com"
        initial = re.search(r"Initial password: (\S+)", body).group(1)

        # 2. First sign-in: the initial password must be replaced before anything else.
        page.goto(f"{server.url}/accounts/login/")
        page.fill("input[name=login]", "nora@example.com")
        page.fill("input[name=password]", initial)
        fill_captcha(page)
        submit(page, "form:has(input[name=password])")
        page.goto(f"{server.url}/app/chargers/")
        assert urlsplit(page.url).path == "/app/account/password/"
        page.fill("input[name=oldpassword]", initial)
        page.fill("input[name=password1]", NEW_PASSWORD)
        page.fill("input[name=password2]", NEW_PASSWORD)
        submit(page, "form:has(input[name=oldpassword])")
        nora = User.objects.get(email="nora@example.com")
        assert not nora.must_change_password

        # 3. Claim the simulated charger with its id and claim code, giving it a name.
        page.goto(f"{server.url}/app/chargers/claim/")
        page.fill("input[name=charge_point_id]", "CP-NEW")
        page.fill("input[name=claim_code]", "newc2345")
        page.fill("input[name=name]", "Driveway")
        page.click("[data-testid=claim-submit]")
        page.wait_for_load_state("networkidle")
        assert ChargePoint.objects.get(charge_point_id="CP-NEW").owner_id == nora.pk
        page.goto(f"{server.url}/app/chargers/?tab=residential")
        tile = page.locator("[data-testid=charger-tile][data-live-charger=CP-NEW]")
        assert "Driveway" in tile.inner_text() and tile.locator("[data-online=\"1\"]").count() == 1
        screenshot(page, "journey-claimed")

        # 4. Share it with a visitor; the e-mail carries the access code and the tag.
        page.goto(f"{server.url}/app/chargers/CP-NEW/share/")
        page.fill("input[name=email]", "visitor@example.com")
        submit(page, "[data-testid=share-form]")
        share_mail = [m for m in sent_mails(mails) if m[0] == "visitor@example.com"]
        assert len(share_mail) == 1
        code = re.search(r"Access code: (\d{6})", share_mail[0][2]).group(1)
        tag = re.search(r"RFID tag: (\S+)", share_mail[0][2]).group(1)
        assert "CP-NEW" in share_mail[0][2] and "Driveway" in share_mail[0][2]

        # 5. The visitor signs in as a guest and starts a charge from the Shared tab.
        guest.goto(f"{server.url}/accounts/guest/")
        guest.fill("input[name=email]", "visitor@example.com")
        guest.fill("input[name=access_code]", code)
        submit(guest, "[data-testid=guest-login-form]")
        tiles = guest.locator("[data-testid=charger-tile]")
        assert tiles.count() == 1 and "Driveway" in tiles.inner_text()
        guest.locator("[data-live-charger=CP-NEW] [data-testid=charger-menu]").click()
        guest.locator("[data-live-charger=CP-NEW] [data-testid=action-start]").click()
        guest.wait_for_load_state("networkidle")
        session = wait_until(lambda: ChargingSession.objects.filter(
            charge_point__charge_point_id="CP-NEW", id_tag__iexact=tag).first())
        assert session.status == ChargingSession.Status.ACTIVE
        assert session.user == User.objects.get(email="visitor@example.com", is_guest=True)  # their session
        screenshot(guest, "journey-guest-started")
        [transaction_id] = list(sim.transactions)
        sim_loop.run_until_complete(sim.stop_transaction(transaction_id, "EVDisconnected"))
        wait_until(lambda: ChargingSession.objects.get(pk=session.pk).status == ChargingSession.Status.COMPLETED)

        # The visitor looks at their sessions (the start page, still open, would follow the
        # charger and find it gone once the share ends: a 404 the browser logs).
        guest.goto(f"{server.url}/app/sessions/")
        assert guest.locator("[data-testid=session-row]").count() == 1

        # Before expiry the charger accepts the guest's tag.
        assert sim_loop.run_until_complete(sim.authorize(tag)) == "Accepted"

        # 6. The share expires: the charger refuses the tag, the guest no longer sees the charger.
        ChargerShare.objects.filter(charge_point__charge_point_id="CP-NEW").update(
            expires_at=timezone.now() - timedelta(seconds=1))
        assert sim_loop.run_until_complete(sim.authorize(tag)) == "Expired"
        assert sim_loop.run_until_complete(sim.start_transaction(1, tag)) is None
        assert not ChargingSession.objects.filter(
            charge_point__charge_point_id="CP-NEW", status=ChargingSession.Status.ACTIVE).exists()
        guest.goto(f"{server.url}/app/chargers/?tab=shared")
        assert guest.locator("[data-testid=charger-tile]").count() == 0
        screenshot(guest, "journey-guest-after-expiry")
        assert page.console_errors == [] and guest.console_errors == []
        assert guest.goto(f"{server.url}/app/chargers/CP-NEW/").status == 404
    finally:
        owner_context.close()
        guest_context.close()
        sim_loop.run_until_complete(stop_sim(ws, listener))
