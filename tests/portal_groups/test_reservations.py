"""Portal Reservation settings (RES-1): the owner switches bookings on per group and sets the
rules (the service's ranges refuse bad values, field by field); the upcoming and running
bookings of my groups' chargers, which the owner may cancel; the group context narrows both."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from groups.models import Booking, Group, GroupCharger, Membership
from tests.factories.chargers import ChargePointFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("portal:reservations")


def rules_url(group):
    return reverse("portal:reservation_rules", args=[group.pk])


def cancel_url(booking):
    return reverse("portal:reservation_cancel", args=[booking.pk])


def rules(**overrides):
    data = {"enabled": "on", "max_minutes": "120", "horizon_days": "7", "no_show_minutes": "20"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def group(group_charger):
    return group_charger.group_link.group


def book(group, charger, user, *, start_in=timedelta(hours=2), hours=1, **fields):
    start = timezone.now() + start_in
    return Booking.objects.create(group=group, charge_point=charger, user=user, starts_at=start,
                                  ends_at=start + timedelta(hours=hours), **fields)


def rules_of(group):
    group.refresh_from_db()
    return (group.bookings_enabled, group.booking_max_minutes, group.booking_horizon_days,
            group.booking_no_show_minutes)


# --- Rules -------------------------------------------------------------------------------------


def test_owner_gets_a_rules_form_per_owned_group_and_a_member_reads_them(client, world, owner, member, group):
    client.force_login(owner)
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["nav"] == "reservations"
    [card] = response.context["groups"]
    assert card == group and card.is_mine and card.charger_count == 1
    assert 'data-testid="rules-form"' in html and f'id="id_rules{group.pk}_max_minutes"' in html
    assert "Bookings off" in html

    client.force_login(member)
    html = client.get(PAGE).content.decode()
    assert 'data-testid="rules-form"' not in html and 'data-testid="rules-readonly"' in html
    assert "Set by the group" in html and "Olivia" in html


def test_owner_switches_bookings_on_with_rules(client, world, owner, group):
    client.force_login(owner)
    response = client.post(rules_url(group), rules())
    assert response.status_code == 302 and response.url == PAGE
    assert rules_of(group) == (True, 120, 7, 20)
    html = client.get(PAGE).content.decode()
    assert "bookings are on" in html and "Bookings on" in html
    client.post(rules_url(group), rules(enabled=None))
    assert rules_of(group) == (False, 120, 7, 20)


@pytest.mark.parametrize("field, value, message", [
    ("max_minutes", "5", "The longest booking must be between 15 and 1440."),
    ("max_minutes", "2000", "The longest booking must be between 15 and 1440."),
    ("horizon_days", "0", "Days ahead must be between 1 and 90."),
    ("horizon_days", "365", "Days ahead must be between 1 and 90."),
    ("no_show_minutes", "1", "The no-show release must be between 5 and 120."),
    ("no_show_minutes", "abc", "Enter a whole number."),
    ("horizon_days", "", "This field is required."),
])
def test_bad_values_are_refused_on_their_field_and_nothing_is_saved(client, world, owner, group, field, value,
                                                                    message):
    before = rules_of(group)
    client.force_login(owner)
    response = client.post(rules_url(group), rules(**{field: value}))
    assert response.status_code == 400
    [card] = response.context["groups"]
    assert card.rules_form.errors[field] == [message]
    html = response.content.decode()
    assert message in html and "were not saved" in html
    assert rules_of(group) == before


def test_only_a_premium_owner_switches_bookings_on(client, world, owner, group):
    owner.plan = User.Plan.FREE
    owner.save()
    client.force_login(owner)
    assert 'data-testid="premium-note"' in client.get(PAGE).content.decode()
    response = client.post(rules_url(group), rules())
    assert response.status_code == 400
    assert response.context["groups"][0].rules_form.errors["enabled"] == ["Bookings are part of the Premium plan."]
    assert rules_of(group)[0] is False
    assert client.post(rules_url(group), rules(enabled=None, max_minutes="60")).status_code == 302
    assert rules_of(group) == (False, 60, 7, 20)


# --- Bookings ----------------------------------------------------------------------------------


def test_owner_sees_live_bookings_of_the_groups_chargers_member_only_their_own(client, world, owner, member, group,
                                                                             group_charger):
    neighbour = User.objects.create(email="neighbour@example.com", first_name="Nora")
    Membership.objects.create(group=group, user=neighbour)
    upcoming = book(group, group_charger, member)
    running = book(group, group_charger, neighbour, start_in=timedelta(minutes=-10), hours=1)
    book(group, group_charger, member, start_in=timedelta(hours=-3), status=Booking.Status.COMPLETED)
    book(group, group_charger, member, start_in=timedelta(hours=5), status=Booking.Status.CANCELLED)

    client.force_login(owner)
    response = client.get(PAGE)
    rows = list(response.context["page_obj"])
    assert rows == [running, upcoming]
    assert rows[0].running and not rows[1].running and all(row.can_cancel for row in rows)
    html = response.content.decode()
    assert "Running" in html and "Upcoming" in html and "Nora" in html and "CP-GROUP" in html
    assert html.count('data-testid="cancel-booking"') == 2

    client.force_login(member)
    response = client.get(PAGE)
    assert list(response.context["page_obj"]) == [upcoming]
    assert 'data-testid="cancel-booking"' not in response.content.decode()


def test_owner_cancels_a_booking_and_the_holder_is_told(client, world, owner, member, group, group_charger):
    booking = book(group, group_charger, member)
    client.force_login(owner)
    response = client.post(cancel_url(booking), follow=True)
    assert "was cancelled" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert Notification.objects.filter(user=member, title__contains="Booking cancelled").exists()
    response = client.post(cancel_url(booking), follow=True)
    assert "already over or cancelled" in response.content.decode()


def test_a_holder_cancels_in_the_app_not_here(client, world, member, group, group_charger):
    booking = book(group, group_charger, member)
    client.force_login(member)
    assert client.post(cancel_url(booking)).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


def test_group_context_narrows_rules_and_bookings(client, world, owner, member, group, group_charger):
    office = Group.objects.create(owner=owner, name="Office", city="M", zip_code="1", address="A")
    desk = ChargePointFactory(charge_point_id="CP-DESK", name="Desk", owner=owner)
    GroupCharger.objects.create(group=office, charge_point=desk)
    Membership.objects.create(group=office, user=member)
    in_residence = book(group, group_charger, member)
    in_office = book(office, desk, member, start_in=timedelta(hours=4))
    client.force_login(owner)
    response = client.get(PAGE)
    assert {g.name for g in response.context["groups"]} == {"Residence", "Office"}
    assert list(response.context["page_obj"]) == [in_residence, in_office]

    client.post(reverse("portal:group_context"), {"group": office.pk})
    response = client.get(PAGE)
    assert [g.name for g in response.context["groups"]] == ["Office"]
    assert list(response.context["page_obj"]) == [in_office]
    assert 'data-testid="context-note"' in response.content.decode()


def test_page_size_and_paging(client, world, owner, member, group, group_charger):
    for hour in range(12):
        book(group, group_charger, member, start_in=timedelta(hours=2 + hour * 2))
    client.force_login(owner)
    response = client.get(PAGE, {"per_page": 10})
    assert len(response.context["page_obj"].object_list) == 10
    assert len(client.get(PAGE, {"per_page": 10, "page": 2}).context["page_obj"].object_list) == 2
