"""Group Management and Reservation settings in a real browser (GRP-1 … GRP-5, RES-1): the
owner creates a group in the portal, puts a charger in it with its switch, invites a member
(the e-mail is written), removes another after confirming, then switches bookings on with
rules (a bad value first) and cancels a member's booking after confirming."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from groups.models import Booking, Group, GroupCharger, Invitation, Membership
from tests.e2e import sent_mails
from tests.factories.chargers import ChargePointFactory
from tests.factories.groups import TariffFactory
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def messages_text(page) -> str:
    return page.locator(".wcc-messages").inner_text()


def shot(page, name):
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays on top of a full-page shot
    return screenshot(page, name)


def confirm(page, opener):
    opener.click()
    modal = page.locator(".modal.show")
    modal.wait_for()
    text = modal.inner_text()
    with page.expect_navigation():
        modal.locator("button[type=submit]").click()
    return text


def test_owner_sets_up_a_group_and_its_bookings(server_factory, page, owner, outsider, charger, password, tmp_path):
    ChargePointFactory(charge_point_id="CP-GARAGE", name="Garage", owner=owner)
    tariff = TariffFactory(owner=owner, name="Residents", currency="EUR")
    neighbour = User.objects.create(email="nora@example.com", first_name="Nora", last_name="Neighbour")
    # A group of someone else that the owner belongs to: listed, marked as such.
    joined = Group.objects.create(owner=outsider, name="Office car park", city="Bonn", zip_code="53111",
                                  address="Rheinweg 5")
    Membership.objects.create(group=joined, user=owner)
    mails = tmp_path / "mails"
    mails.mkdir()
    server = server_factory(extra_env={"TEST_EMAIL_FILE_PATH": str(mails)})
    errors = []
    page.emulate_media(reduced_motion="reduce")  # confirm dialogs appear at once
    # A refused form answers 400 on purpose; the browser logs that as a failed resource.
    page.on("console", lambda msg: msg.type == "error" and "status of 400" not in msg.text and errors.append(msg.text))
    login(page, server.url, owner.email, password)

    # GRP-1: create a group with a tariff.
    page.goto(server.url + reverse("portal:groups"))
    assert page.locator("header h1").inner_text() == "Group Management"
    page.get_by_test_id("group-create").click()
    form = page.get_by_test_id("group-form")
    form.locator("input[name=name]").fill("Residence Lindenhof")
    form.locator("input[name=address]").fill("Lindenstrasse 4")
    form.locator("input[name=zip_code]").fill("80331")
    form.locator("input[name=city]").fill("Munich")
    form.locator("select[name=tariff]").select_option(str(tariff.pk))
    with page.expect_navigation():
        page.get_by_test_id("save-group").click()
    group = Group.objects.get(owner=owner)
    assert urlsplit(page.url).path == reverse("portal:group_detail", args=[group.pk])
    assert "was created" in messages_text(page) and group.tariff == tariff
    assert "Residents" in page.get_by_test_id("tariff-summary").inner_text()

    # GRP-5: the Home charger's switch puts it in the group.
    with page.expect_navigation():
        page.locator("[data-testid=charger-toggle][data-charge-point=CP-HOME] input[role=switch]").check()
    assert "Home is now in the group" in messages_text(page)
    assert GroupCharger.objects.get(charge_point=charger).group == group
    assert page.locator("[data-testid=charger-toggle][data-charge-point=CP-HOME] input[role=switch]").is_checked()

    # GRP-3: invite by e-mail; a bad address is refused on the form first.
    invite = page.get_by_test_id("invite-form")
    invite.locator("input[name=email]").fill("not-an-address")
    with page.expect_navigation():
        page.get_by_test_id("send-invitation").click()
    assert "Enter a valid email address." in page.get_by_test_id("invite-form").inner_text()
    page.get_by_test_id("invite-form").locator("input[name=email]").fill("member@example.com")
    with page.expect_navigation():
        page.get_by_test_id("send-invitation").click()
    assert "An invitation is on its way to member@example.com" in messages_text(page)
    assert "member@example.com" in page.get_by_test_id("pending-invitations").inner_text()
    [(to, subject, body, _html)] = sent_mails(mails)
    assert to == "member@example.com" and "Residence Lindenhof" in subject
    assert re.search(r"http\S+/invitations/[A-Za-z0-9_-]+/", body)
    assert Invitation.objects.get(group=group).status == Invitation.Status.PENDING

    # GRP-4: a member joined meanwhile; the owner removes them after confirming.
    Membership.objects.create(group=group, user=neighbour)
    page.reload()
    assert page.get_by_test_id("member-row").count() == 1
    shot(page, "portal-group-detail")
    text = confirm(page, page.get_by_test_id("remove-member"))
    assert "Remove this member?" in text and "Nora" in text
    assert "was removed from the group" in messages_text(page)
    assert not Membership.objects.filter(group=group).exists()

    # My groups: mine and the one I am a member of, marked.
    page.goto(server.url + reverse("portal:groups"))
    rows = page.get_by_test_id("group-row")
    assert rows.count() == 2
    mine = page.locator(f"[data-testid=group-row][data-group-pk='{group.pk}']")
    assert "Owner" in mine.inner_text() and "Residents" in mine.inner_text()
    assert mine.get_by_test_id("charger-count").inner_text() == "1"
    assert "Member" in page.locator(f"[data-testid=group-row][data-group-pk='{joined.pk}']").inner_text()
    shot(page, "portal-groups")

    # RES-1: bookings on with rules; an out-of-range value is refused first.
    member = User.objects.create(email="member@example.com", first_name="Max", last_name="Member")
    Membership.objects.create(group=group, user=member)
    start = timezone.now() + timedelta(hours=3)
    booking = Booking.objects.create(group=group, charge_point=charger, user=member, starts_at=start,
                                     ends_at=start + timedelta(hours=2))
    page.get_by_role("link", name="Reservations").click()
    page.wait_for_load_state("networkidle")
    card = page.locator(f"[data-testid=rules-card][data-group-pk='{group.pk}']")
    card.locator("input[name=enabled]").check()
    card.locator("input[name=max_minutes]").fill("5")
    card.locator("input[name=horizon_days]").fill("14")
    card.locator("input[name=no_show_minutes]").fill("10")
    with page.expect_navigation():
        card.get_by_test_id("save-rules").click()
    card = page.locator(f"[data-testid=rules-card][data-group-pk='{group.pk}']")
    assert "The longest booking must be between 15 and 1440." in card.inner_text()
    group.refresh_from_db()
    assert not group.bookings_enabled
    card.locator("input[name=max_minutes]").fill("120")
    with page.expect_navigation():
        card.get_by_test_id("save-rules").click()
    assert "bookings are on" in messages_text(page)
    group.refresh_from_db()
    assert (group.bookings_enabled, group.booking_max_minutes, group.booking_horizon_days,
            group.booking_no_show_minutes) == (True, 120, 14, 10)
    row = page.locator(f"[data-testid=booking-row][data-booking-pk='{booking.pk}']")
    assert "CP-HOME" in row.inner_text() and "Upcoming" in row.inner_text()
    shot(page, "portal-reservations")

    text = confirm(page, row.get_by_test_id("cancel-booking"))
    assert "Cancel this booking?" in text
    assert "was cancelled" in messages_text(page)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert page.get_by_test_id("booking-row").count() == 0

    # GRP-1: deleting the group after confirming.
    page.goto(server.url + reverse("portal:group_detail", args=[group.pk]))
    text = confirm(page, page.get_by_test_id("delete-group"))
    assert "Delete the group?" in text
    assert urlsplit(page.url).path == reverse("portal:groups")
    assert not Group.objects.filter(pk=group.pk).exists()
    assert errors == []
