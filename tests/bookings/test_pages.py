"""RES-1 / RES-2 pages: my bookings, adding one (group with its rules, then date and time; the
charger assigned is shown), deleting after confirming, the owner's rules page; another
user's booking or group is a 404."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from groups.models import Booking
from tests.factories.groups import GroupFactory

pytestmark = pytest.mark.django_db

LIST = reverse("app:bookings")
ADD = reverse("app:booking_add")


def rules_url(group):
    return reverse("app:booking_rules", args=[group.pk])


def make(user, group, cp, starts_in, length=timedelta(hours=1), **fields):
    now = timezone.now().replace(second=0, microsecond=0)
    return Booking.objects.create(group=group, charge_point=cp, user=user, starts_at=now + starts_in,
                                  ends_at=now + starts_in + length, **fields)


def test_the_list_shows_upcoming_and_past_bookings(client, premium_member, group, group_charger):
    upcoming = make(premium_member, group, group_charger, timedelta(days=1))
    make(premium_member, group, group_charger, -timedelta(days=2), status=Booking.Status.COMPLETED)
    make(premium_member, group, group_charger, -timedelta(days=3), status=Booking.Status.NO_SHOW)
    client.force_login(premium_member)
    response = client.get(LIST)
    assert response.status_code == 200
    assert list(response.context["upcoming"]) == [upcoming]
    assert len(response.context["past"]) == 2
    html = response.content.decode()
    assert "Residence" in html and "CP-GROUP" in html
    assert "No-show" in html and "Completed" in html and "Booked" in html
    assert reverse("app:booking_delete", args=[upcoming.pk]) in html
    assert reverse("app:booking_add") in html and "/app/waitlist/" in html
    assert "premium-notice" not in html
    assert rules_url(group) not in html  # not an owner


def test_free_users_see_the_premium_notice(client, member, group):
    client.force_login(member)
    html = client.get(LIST).content.decode()
    assert 'data-testid="premium-notice"' in html
    assert response_has_disabled_add(html)
    assert 'data-testid="premium-notice"' in client.get(ADD).content.decode()
    assert 'data-testid="premium-notice"' in client.get(ADD + f"?group={group.pk}").content.decode()


def response_has_disabled_add(html):
    return 'disabled data-testid="add-booking"' in html


def test_owners_find_their_groups_rules_and_bookings_of_others(client, owner, premium_member, group, group_charger):
    theirs = make(premium_member, group, group_charger, timedelta(days=1))
    client.force_login(owner)
    response = client.get(LIST)
    assert list(response.context["others"]) == [theirs]
    assert rules_url(group) in response.content.decode()


def test_only_groups_with_bookings_on_are_offered(client, premium_member, owner, group):
    off = GroupFactory(owner=owner, name="Office")
    off.memberships.create(user=premium_member)
    client.force_login(premium_member)
    response = client.get(ADD)
    assert [g.name for g in response.context["groups"]] == ["Residence"]
    html = response.content.decode()
    assert "Longest booking: 4 h" in html and "Up to 14 days ahead" in html
    assert "within 15 min" in html
    # Asked for directly, a group without bookings sends back to the choice.
    response = client.get(ADD + f"?group={off.pk}")
    assert response.status_code == 302 and response.url == ADD


def test_add_a_booking_and_see_the_charger(client, premium_member, group, group_charger):
    client.force_login(premium_member)
    response = client.get(ADD + f"?group={group.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["duration"] == 60
    assert response.context["availability"].chargers == 1
    day = (timezone.localtime() + timedelta(days=1)).date()
    response = client.post(ADD, {"group": group.pk, "day": day.isoformat(), "start": "09:30", "duration": "90"})
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == reverse("app:booking_detail", args=[booking.pk])
    assert timezone.localtime(booking.starts_at).strftime("%H:%M") == "09:30"
    assert booking.ends_at - booking.starts_at == timedelta(minutes=90)
    detail = client.get(response.url)
    html = detail.content.decode()
    assert 'data-testid="assigned-charger">Residence<' in html and "CP-GROUP" in html
    assert "Booked. Your charger: Residence." in html


def test_refusals_show_on_the_form(client, premium_member, other_member, group, group_charger):
    day = (timezone.localtime() + timedelta(days=1)).date()
    midnight = timezone.make_aware(datetime.combine(day, time(0)))
    Booking.objects.create(group=group, charge_point=group_charger, user=other_member, starts_at=midnight,
                           ends_at=midnight + timedelta(hours=12))  # the only charger is taken all morning
    client.force_login(premium_member)
    response = client.post(ADD, {"group": group.pk, "day": day.isoformat(), "start": "09:30", "duration": "60"})
    assert response.status_code == 400
    assert "Every charger of the group is booked at that time" in response.content.decode()
    past = (timezone.localtime() - timedelta(days=1)).date()
    response = client.post(ADD, {"group": group.pk, "day": past.isoformat(), "start": "09:30", "duration": "60"})
    assert response.context["form"].errors["start"] == ["The start is in the past."]
    response = client.post(ADD, {"group": group.pk, "day": day.isoformat(), "start": "09:30", "duration": "999"})
    assert "duration" in response.context["form"].errors
    assert Booking.objects.count() == 1


def test_delete_after_confirming(client, premium_member, group, group_charger):
    booking = make(premium_member, group, group_charger, timedelta(days=1))
    client.force_login(premium_member)
    assert client.get(reverse("app:booking_delete", args=[booking.pk])).status_code == 405
    response = client.post(reverse("app:booking_delete", args=[booking.pk]))
    assert response.status_code == 302 and response.url == LIST
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    again = client.post(reverse("app:booking_delete", args=[booking.pk]), follow=True)
    assert "already over or cancelled" in again.content.decode()


def test_owner_sets_the_rules_on_the_page(client, owner, group):
    client.force_login(owner)
    assert client.get(rules_url(group)).status_code == 200
    response = client.post(rules_url(group), {"enabled": "on", "max_minutes": "120", "horizon_days": "30",
                                              "no_show_minutes": "10"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.bookings_enabled, group.booking_max_minutes, group.booking_horizon_days,
            group.booking_no_show_minutes) == (True, 120, 30, 10)
    response = client.post(rules_url(group), {"max_minutes": "5", "horizon_days": "30", "no_show_minutes": "10"})
    assert response.status_code == 400 and "max_minutes" in response.context["form"].errors
    owner.plan = User.Plan.FREE
    owner.save()
    group.bookings_enabled = False
    group.save()
    response = client.post(rules_url(group), {"enabled": "on", "max_minutes": "120", "horizon_days": "30",
                                              "no_show_minutes": "10"})
    assert response.status_code == 400 and "Premium" in response.content.decode()


def test_tenancy(client, premium_member, other_member, outsider, owner, group, group_charger):
    mine = make(premium_member, group, group_charger, timedelta(days=1))
    client.force_login(other_member)
    assert client.get(reverse("app:booking_detail", args=[mine.pk])).status_code == 404
    assert client.post(reverse("app:booking_delete", args=[mine.pk])).status_code == 404
    assert client.get(rules_url(group)).status_code == 404  # a member, not the owner
    client.force_login(outsider)
    outsider.plan = User.Plan.PREMIUM
    outsider.save()
    assert client.get(ADD + f"?group={group.pk}").status_code == 404
    assert client.post(ADD, {"group": group.pk, "day": "2030-01-01", "start": "10:00", "duration": "60"}
                       ).status_code == 404
    mine.refresh_from_db()
    assert mine.status == Booking.Status.BOOKED
    # The group's owner sees and may delete it.
    client.force_login(owner)
    assert client.get(reverse("app:booking_detail", args=[mine.pk])).status_code == 200


def test_anonymous_users_sign_in_first(client):
    assert client.get(LIST).status_code == 302
