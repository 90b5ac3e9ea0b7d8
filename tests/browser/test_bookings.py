"""RES-1 / RES-2 in a real browser: a premium member opens Bookings, adds a booking (the
group with its rules, then date, time and duration), sees the charger assigned, finds it in
the list and deletes it after confirming."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from groups.models import Booking
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def group(group_charger):
    group = group_charger.group_link.group
    group.bookings_enabled = True
    group.save()
    return group


@pytest.fixture
def premium_member(member):
    member.plan = User.Plan.PREMIUM
    member.save()
    return member


def test_a_member_books_a_charger_and_deletes_the_booking(
    server_factory, browser, page, premium_member, group, group_charger, password
):
    server = server_factory()
    errors = []
    page.emulate_media(reduced_motion="reduce")  # dialogs and collapses appear at once
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    login(page, server.url, premium_member.email, password)

    page.goto(server.url + reverse("app:bookings"))
    assert page.locator("header h1").inner_text() == "Bookings"
    assert page.locator("[data-testid=waitlist-link]").get_attribute("href") == "/app/waitlist/"
    page.locator("[data-testid=add-booking]").click()
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == reverse("app:booking_add")

    # The group, with its rules behind the "!".
    page.locator("[data-testid=rules-toggle]").click()
    rules = page.locator("[data-testid=booking-rules]")
    rules.wait_for()
    assert "Longest booking: 4 h" in rules.inner_text() and "Up to 14 days ahead" in rules.inner_text()
    screenshot(page, "bookings-choose-group")
    page.locator("[data-testid=choose-group]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=chosen-group]").inner_text() == "Residence"

    # Date, then time and duration (another date reloads that day's free times).
    day = (timezone.localtime() + timedelta(days=1)).date()
    page.fill("input[name=day]", day.isoformat())
    page.wait_for_url(f"**date={day.isoformat()}**")
    page.wait_for_load_state("networkidle")
    assert page.input_value("input[name=day]") == day.isoformat()
    page.fill("input[name=start]", "10:00")
    page.select_option("select[name=duration]", "90")
    assert "00:00–24:00" in page.locator("[data-testid=availability]").inner_text()
    screenshot(page, "bookings-add-form")
    page.locator("[data-testid=book]").click()
    page.wait_for_load_state("networkidle")

    # The charger assigned.
    booking = Booking.objects.get()
    assert urlsplit(page.url).path == reverse("app:booking_detail", args=[booking.pk])
    assert page.locator("[data-testid=assigned-charger]").inner_text() == "Residence"
    assert page.locator("[data-testid=assigned-charger-id]").inner_text() == "CP-GROUP"
    assert "10:00–11:30" in page.locator("[data-testid=booking-time]").inner_text()
    assert "Booked. Your charger: Residence." in page.locator(".wcc-messages").inner_text()
    screenshot(page, "bookings-assigned-charger")

    # In the list, then deleted after confirming.
    page.goto(server.url + reverse("app:bookings"))
    row = page.locator("[data-testid=upcoming-bookings] [data-testid=booking-row]")
    assert row.count() == 1 and "Residence" in row.inner_text() and "10:00–11:30" in row.inner_text()
    assert row.locator("[data-testid=booking-status]").inner_text() == "Booked"
    screenshot(page, "bookings-list")
    row.locator("[data-testid=delete-booking]").click()
    modal = page.locator(".modal.show")
    modal.wait_for()
    assert "Delete this booking?" in modal.inner_text()
    screenshot(page, "bookings-delete-confirm")
    modal.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=upcoming-bookings]").count() == 0
    assert "was deleted" in page.locator(".wcc-messages").inner_text()
    past = page.locator("[data-testid=past-bookings] [data-testid=booking-status]")
    assert past.inner_text() == "Cancelled"
    screenshot(page, "bookings-after-delete")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert errors == []


def test_the_owner_enables_bookings_and_sets_the_rules(server_factory, page, owner, group_charger, password):
    server = server_factory()
    group = group_charger.group_link.group
    login(page, server.url, owner.email, password)
    page.goto(server.url + reverse("app:bookings"))
    link = page.locator("[data-testid=rules-links] a")
    assert "Bookings off" in link.inner_text()
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("header h1").inner_text() == "Booking rules"
    page.check("#id_enabled")
    page.fill("input[name=max_minutes]", "120")
    page.fill("input[name=horizon_days]", "7")
    page.fill("input[name=no_show_minutes]", "10")
    screenshot(page, "bookings-rules")
    page.locator("[data-testid=save-rules]").click()
    page.wait_for_load_state("networkidle")
    assert "were saved" in page.locator(".wcc-messages").inner_text()
    assert "Bookings on" in page.locator("[data-testid=rules-links]").inner_text()
    group.refresh_from_db()
    assert (group.bookings_enabled, group.booking_max_minutes, group.booking_horizon_days,
            group.booking_no_show_minutes) == (True, 120, 7, 10)
