"""GRP-1 … GRP-5 in a real browser: the owner creates a group from My groups, adds a charger
with its toggle and invites by e-mail; the invitee opens the e-mailed link, signs in, accepts
and finds the group's chargers in the Commercial tab; the owner adds another charger, then
removes the member after confirming, and the member's Commercial tab is empty again."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from groups.models import Group, GroupCharger, Membership
from tests.e2e import sent_mails
from tests.factories.chargers import ChargePointFactory
from tests.factories.groups import TariffFactory
from tests.servers import login
from tests.signin import fill_captcha

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, tmp_path, name):
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def messages_text(page) -> str:
    return page.locator(".wcc-messages").inner_text()


def test_group_from_creation_to_member_removal(server_factory, browser, page, owner, member, charger, password,
                                               tmp_path):
    ChargePointFactory(charge_point_id="CP-GARAGE", name="Garage", owner=owner)
    tariff = TariffFactory(owner=owner, name="Residents", currency="EUR")
    mails = tmp_path / "mails"
    mails.mkdir()
    server = server_factory(extra_env={"TEST_EMAIL_FILE_PATH": str(mails)})
    errors = []
    page.emulate_media(reduced_motion="reduce")  # confirm dialogs appear at once
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    # GRP-1: the owner of a charger without a group finds the create form on My groups.
    login(page, server.url, owner.email, password)
    page.goto(server.url + reverse("app:groups"))
    assert page.locator("header h1").inner_text() == "My groups"
    form = page.locator("[data-testid=create-group-card] form")
    form.locator("input[name=name]").fill("Residence Lindenhof")
    form.locator("input[name=address]").fill("Lindenstrasse 4")
    form.locator("input[name=zip_code]").fill("80331")
    form.locator("input[name=city]").fill("Munich")
    form.locator("select[name=tariff]").select_option(str(tariff.pk))
    shot(page, tmp_path, "01-owner-create-form")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    group = Group.objects.get(owner=owner)
    assert group.tariff == tariff
    assert "0.30 EUR per kWh" in page.locator("[data-testid=tariff-summary]").inner_text()
    assert urlsplit(page.url).path == reverse("app:group_detail", args=[group.pk])
    assert "was created" in messages_text(page)

    # GRP-5: switching the Home charger on puts it in the group.
    with page.expect_navigation():  # the switch submits its form
        page.locator("[data-testid=charger-toggle][data-charge-point=CP-HOME] input[role=switch]").check()
    assert "Home is now in the group" in messages_text(page)
    assert page.locator("[data-testid=charger-toggle][data-charge-point=CP-HOME] input[role=switch]").is_checked()
    assert GroupCharger.objects.get(charge_point=charger).group == group

    # GRP-3: invite by e-mail.
    page.locator("[data-testid=invite-form] input[name=email]").fill("member@example.com")
    page.locator("[data-testid=invite-form] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "An invitation is on its way to member@example.com" in messages_text(page)
    assert "member@example.com" in page.locator("[data-testid=pending-invitations]").inner_text()
    shot(page, tmp_path, "02-owner-group-settings")

    [(to, subject, body, html)] = sent_mails(mails)
    assert to == "member@example.com" and "Residence Lindenhof" in subject
    link = re.search(r"(http\S+/invitations/[A-Za-z0-9_-]+/)", body).group(1)
    token_path = urlsplit(link).path

    # The invitee, in a browser of their own, reads the e-mail and opens its Accept link.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    invitee = context.new_page()
    invitee.set_default_timeout(15000)
    invitee.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    try:
        invitee.set_content(html)
        assert "Residence Lindenhof" in invitee.inner_text("body")
        shot(invitee, tmp_path, "03-invitation-email")
        invitee.goto(server.url + token_path)
        assert "Residence Lindenhof" in invitee.locator("[data-testid=invitation-group]").inner_text()
        assert "Olivia" in invitee.locator("main").inner_text()
        shot(invitee, tmp_path, "04-invitation-link-signed-out")
        invitee.locator("[data-testid=sign-in]").click()
        invitee.wait_for_load_state("networkidle")
        assert urlsplit(invitee.url).path == "/accounts/login/"
        invitee.fill("input[name=login]", member.email)
        invitee.fill("input[name=password]", password)
        fill_captcha(invitee)
        invitee.locator("form:has(input[name=password]) button[type=submit]").click()
        invitee.wait_for_load_state("networkidle")
        assert urlsplit(invitee.url).path == token_path  # back on the invitation
        shot(invitee, tmp_path, "05-invitation-link-signed-in")
        invitee.locator("[data-testid=accept]").click()
        invitee.wait_for_load_state("networkidle")
        assert urlsplit(invitee.url).path == reverse("app:group_detail", args=[group.pk])
        assert "Welcome to the group Residence Lindenhof" in messages_text(invitee)
        assert Membership.objects.filter(group=group, user=member).exists()
        shot(invitee, tmp_path, "06-member-group-page")

        # The Commercial tab lists the group's charger.
        invitee.goto(server.url + reverse("app:chargers") + "?tab=commercial")
        tiles = invitee.locator("[data-testid=charger-tile]")
        assert tiles.count() == 1 and "Home" in tiles.inner_text()
        shot(invitee, tmp_path, "07-member-commercial-tab")

        # The owner adds the Garage too: the member sees it at once.
        page.reload()
        with page.expect_navigation():  # the switch submits its form
            page.locator("[data-testid=charger-toggle][data-charge-point=CP-GARAGE] input[role=switch]").check()
        assert "Garage is now in the group" in messages_text(page)
        invitee.reload()
        assert invitee.locator("[data-testid=charger-tile]").count() == 2

        # GRP-4: the owner removes the member, after confirming.
        rows = page.locator("[data-testid=member-row]")
        assert rows.count() == 1 and "member@example.com" in rows.inner_text()
        rows.locator("button[data-bs-toggle=modal]").click()
        modal = page.locator(".modal.show")
        modal.wait_for()
        assert "Remove this member?" in modal.inner_text()
        shot(page, tmp_path, "08-owner-remove-confirm")
        modal.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert "was removed from the group" in messages_text(page)
        assert page.locator("[data-testid=member-row]").count() == 0
        assert not Membership.objects.filter(group=group).exists()
        shot(page, tmp_path, "09-owner-after-removal")

        invitee.reload()
        assert invitee.locator("[data-testid=charger-tile]").count() == 0
        shot(invitee, tmp_path, "10-member-commercial-after-removal")
        invitee.goto(server.url + reverse("app:groups"))
        assert invitee.locator("[data-testid=group-card]").count() == 0

        page.goto(server.url + reverse("app:groups"))
        card = page.locator("[data-testid=group-card]")
        assert card.count() == 1 and "2 chargers" in card.inner_text() and "0 members" in card.inner_text()
        assert "Residents (EUR)" in card.inner_text() and "1.00 EUR per session" in card.inner_text()
        shot(page, tmp_path, "11-owner-my-groups")
    finally:
        context.close()
    assert errors == []
