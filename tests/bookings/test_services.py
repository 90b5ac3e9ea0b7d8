"""RES-1 / RES-2: the owner's rules and booking a slot, with every refusal's code; the charger
is assigned automatically, a free one, and none is given twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notification, User
from chargers.models import Connector
from groups import bookings
from groups.models import Booking, GroupCharger, WaitlistEntry
from tests.factories.chargers import ChargePointFactory
from tests.factories.groups import GroupFactory
from wccportal.errors import DomainError

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)


def book(user, group, start, length=H):
    return bookings.booking_create(user=user, group=group, starts_at=start, ends_at=start + length)


def refused(code, fn, *args, **kwargs):
    with pytest.raises(DomainError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


# --- Rules (RES-1) -----------------------------------------------------------------------------


def test_owner_sets_the_rules(group, owner):
    bookings.booking_rules_update(group=group, acting_user=owner, enabled=True, max_minutes=120,
                                  horizon_days=7, no_show_minutes=10)
    group.refresh_from_db()
    assert (group.bookings_enabled, group.booking_max_minutes, group.booking_horizon_days,
            group.booking_no_show_minutes) == (True, 120, 7, 10)


def test_only_the_owner_sets_the_rules(group, member):
    error = refused("not_group_owner", bookings.booking_rules_update, group=group, acting_user=member,
                    enabled=False, max_minutes=60, horizon_days=7, no_show_minutes=10)
    assert error.status == 403


def test_a_free_owner_cannot_enable_bookings_but_can_disable_them(owner, group):
    owner.plan = User.Plan.FREE
    owner.save()
    rules = {"max_minutes": 60, "horizon_days": 7, "no_show_minutes": 10}
    refused("premium_required", bookings.booking_rules_update, group=group, acting_user=owner, enabled=True,
            **rules)
    bookings.booking_rules_update(group=group, acting_user=owner, enabled=False, **rules)
    group.refresh_from_db()
    assert not group.bookings_enabled


@pytest.mark.parametrize(("field", "value"), [
    ("max_minutes", 14), ("max_minutes", 24 * 60 + 1), ("horizon_days", 0), ("horizon_days", 91),
    ("no_show_minutes", 4), ("no_show_minutes", 121), ("max_minutes", "many"),
])
def test_rules_are_checked(group, owner, field, value):
    rules = {"max_minutes": 60, "horizon_days": 7, "no_show_minutes": 10, field: value}
    error = refused("invalid_rules", bookings.booking_rules_update, group=group, acting_user=owner,
                    enabled=True, **rules)
    assert field in error.fields
    group.refresh_from_db()
    assert group.booking_max_minutes == 240  # unchanged


# --- Booking (RES-2) ---------------------------------------------------------------------------


def test_a_premium_member_books_and_gets_a_charger(premium_member, group, group_charger, tomorrow):
    booking = book(premium_member, group, tomorrow)
    assert booking.charge_point == group_charger and booking.status == Booking.Status.BOOKED
    assert (booking.starts_at, booking.ends_at) == (tomorrow, tomorrow + H)
    assert booking.connector_id == 0  # two connectors: the whole charger
    assert booking.reserved_at is None and booking.reminded_at is None
    note = Notification.objects.get(user=premium_member)
    assert note.title == "Booking confirmed: Residence" and note.link == f"/app/bookings/{booking.pk}/"


def test_a_single_connector_charger_is_booked_on_connector_1(premium_member, group, group_charger, tomorrow):
    Connector.objects.filter(charge_point=group_charger, connector_id=2).delete()
    assert book(premium_member, group, tomorrow).connector_id == 1


def test_the_owner_books_in_their_own_group(owner, group, tomorrow):
    assert book(owner, group, tomorrow).user == owner


def test_free_users_cannot_book(member, group, tomorrow):
    refused("premium_required", book, member, group, tomorrow)
    assert not Booking.objects.exists()


def test_outsiders_cannot_book(outsider, group, tomorrow):
    outsider.plan = User.Plan.PREMIUM
    outsider.save()
    assert refused("not_member", book, outsider, group, tomorrow).status == 403


def test_not_in_a_group_without_bookings(premium_member, group, tomorrow):
    group.bookings_enabled = False
    group.save()
    refused("bookings_disabled", book, premium_member, group, tomorrow)


def test_longest_booking(premium_member, group, tomorrow):
    group.booking_max_minutes = 90
    group.save()
    refused("booking_too_long", book, premium_member, group, tomorrow, timedelta(minutes=91))
    assert book(premium_member, group, tomorrow, timedelta(minutes=90))


def test_shortest_booking_and_order(premium_member, group, tomorrow):
    refused("booking_too_short", book, premium_member, group, tomorrow, timedelta(minutes=10))
    refused("invalid_time", book, premium_member, group, tomorrow, -H)


def test_how_far_ahead(premium_member, group):
    group.booking_horizon_days = 3
    group.save()
    refused("booking_too_far_ahead", book, premium_member, group, timezone.now() + timedelta(days=3, minutes=5))
    assert book(premium_member, group, timezone.now() + timedelta(days=2, hours=23))


def test_not_in_the_past(premium_member, group):
    refused("booking_in_past", book, premium_member, group, timezone.now() - timedelta(minutes=10))


def test_naive_times_are_refused(premium_member, group, tomorrow):
    refused("invalid_time", book, premium_member, group, tomorrow.replace(tzinfo=None))


def test_a_slot_picked_a_little_before_now_starts_now(premium_member, group, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        booking = book(premium_member, group, now - timedelta(minutes=3))
    assert booking.starts_at == now.replace(second=0, microsecond=0)
    assert booking.ends_at == (now - timedelta(minutes=3) + H).replace(second=0, microsecond=0)
    assert booking.reminded_at is not None  # it starts now: no reminder


def test_one_live_booking_at_a_time_per_driver(premium_member, group, second_charger, tomorrow):
    book(premium_member, group, tomorrow)
    refused("booking_overlaps_yours", book, premium_member, group, tomorrow + timedelta(minutes=30))
    assert book(premium_member, group, tomorrow + H)  # back to back is fine


def test_free_chargers_are_assigned_in_order_then_refused(
    premium_member, other_member, owner, group, group_charger, second_charger, tomorrow
):
    first = book(premium_member, group, tomorrow)
    second = book(other_member, group, tomorrow + timedelta(minutes=30))
    assert [first.charge_point, second.charge_point] == [group_charger, second_charger]
    error = refused("no_charger_free", book, owner, group, tomorrow + timedelta(minutes=45))
    assert error.status == 409
    assert Booking.objects.count() == 2
    # Once one is cancelled its charger is free again.
    bookings.booking_cancel(booking=first, acting_user=premium_member)
    assert book(owner, group, tomorrow + timedelta(minutes=45)).charge_point == group_charger


def test_a_group_without_chargers(premium_member, owner, tomorrow):
    from groups.models import Membership

    empty = GroupFactory(owner=owner, bookings_enabled=True)
    Membership.objects.create(group=empty, user=premium_member)
    refused("group_has_no_chargers", book, premium_member, empty, tomorrow)


def test_a_slot_starting_now_prefers_a_charger_online_and_available(
    premium_member, group, group_charger, second_charger, django_capture_on_commit_callbacks
):
    second_charger.is_online = True
    second_charger.save()
    Connector.objects.filter(charge_point=second_charger, connector_id=1).update(status=Connector.Status.AVAILABLE)
    with django_capture_on_commit_callbacks(execute=False):
        booking = book(premium_member, group, timezone.now())
    assert booking.charge_point == second_charger


def test_a_charger_held_for_the_waitlist_is_not_assigned(
    premium_member, other_member, group, group_charger, second_charger, django_capture_on_commit_callbacks
):
    now = timezone.now()
    WaitlistEntry.objects.create(group=group, user=other_member, status=WaitlistEntry.Status.OFFERED,
                                 offered_charge_point=group_charger, offered_at=now,
                                 hold_until=now + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=False):
        assert book(premium_member, group, now).charge_point == second_charger


def test_chargers_of_other_groups_are_never_assigned(
    premium_member, other_member, group, group_charger, owner, tomorrow
):
    other = GroupFactory(owner=owner, bookings_enabled=True)
    GroupCharger.objects.create(group=other, charge_point=ChargePointFactory(owner=owner))
    book(premium_member, group, tomorrow)
    refused("no_charger_free", book, other_member, group, tomorrow)
    assert set(Booking.objects.values_list("charge_point", flat=True)) == {group_charger.pk}


# --- Cancelling --------------------------------------------------------------------------------


def test_the_holder_or_the_owner_cancels(premium_member, other_member, owner, group, second_charger, tomorrow):
    mine = book(premium_member, group, tomorrow)
    refused("not_allowed", bookings.booking_cancel, booking=mine, acting_user=other_member)
    bookings.booking_cancel(booking=mine, acting_user=premium_member)
    mine.refresh_from_db()
    assert mine.status == Booking.Status.CANCELLED and mine.ended_at is not None
    refused("booking_not_live", bookings.booking_cancel, booking=mine, acting_user=premium_member)

    theirs = book(other_member, group, tomorrow)
    bookings.booking_cancel(booking=theirs, acting_user=owner)
    assert Notification.objects.filter(user=other_member, title="Booking cancelled: Residence").exists()


def test_removed_members_and_chargers_lose_their_bookings(
    premium_member, other_member, group, group_charger, second_charger, tomorrow
):
    a = book(premium_member, group, tomorrow)
    b = book(other_member, group, tomorrow)
    past = Booking.objects.create(group=group, charge_point=group_charger, user=premium_member,
                                  starts_at=tomorrow - timedelta(days=3), ends_at=tomorrow - timedelta(days=3) + H,
                                  status=Booking.Status.COMPLETED)
    assert bookings.bookings_cancel_for_member(group=group, user=premium_member) == 1
    assert bookings.bookings_cancel_for_charger(charge_point=b.charge_point) == 1
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "cancelled", b.pk: "cancelled", past.pk: "completed"}
    assert Notification.objects.filter(user=premium_member, body__contains="no longer a member").exists()
    assert Notification.objects.filter(user=other_member, body__contains="no longer part of").exists()


# --- Availability --------------------------------------------------------------------------------


def test_availability_lists_free_times_and_bookings(premium_member, group, group_charger, second_charger, tomorrow):
    book(premium_member, group, tomorrow)
    day = tomorrow.date()
    availability = bookings.booking_availability(group=group, day=day)
    assert availability.chargers == 2 and len(availability.busy) == 1
    assert [(i.starts_at, i.ends_at) for i in availability.free] == [
        (tomorrow.replace(hour=0), tomorrow.replace(hour=0) + timedelta(days=1))]  # one charger always free
    second_charger.is_active = False
    second_charger.save()
    availability = bookings.booking_availability(group=group, day=day)
    assert [(i.starts_at, i.ends_at) for i in availability.free] == [
        (tomorrow.replace(hour=0), tomorrow), (tomorrow + H, tomorrow.replace(hour=0) + timedelta(days=1))]
