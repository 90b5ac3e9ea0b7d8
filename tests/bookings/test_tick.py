"""The bookings minute job (RES-2, RES-3): reminders a quarter of an hour ahead, once;
finished bookings completed; no-shows released after the group's rule; idempotent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notification
from chargers.models import ChargerOperation, IdTag
from groups import bookings
from groups.models import Booking
from sessions_app.models import ChargingSession

pytestmark = pytest.mark.django_db


def make(user, group, cp, starts_in, length=timedelta(hours=1), **fields):
    now = timezone.now()
    return Booking.objects.create(group=group, charge_point=cp, user=user, starts_at=now + starts_in,
                                  ends_at=now + starts_in + length, **fields)


def session(cp, user, id_tag, started_at, **fields):
    return ChargingSession.objects.create(charge_point=cp, connector_id=1, meter_start=0, id_tag=id_tag, user=user,
                                          started_at=started_at, **fields)


def test_reminder_once_a_quarter_of_an_hour_ahead(premium_member, group, group_charger, tags):
    soon = make(premium_member, group, group_charger, timedelta(minutes=14), length=timedelta(minutes=20))
    later = make(premium_member, group, group_charger, timedelta(minutes=40))
    assert bookings.bookings_tick().reminded == 1
    assert bookings.bookings_tick().reminded == 0
    note = Notification.objects.get(user=premium_member, kind=Notification.Kind.BOOKING_REMINDER)
    assert note.title == "Your booking starts soon: Residence" and "Residence" in note.body
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminded_at is not None and later.reminded_at is None
    assert bookings.bookings_tick(timezone.now() + timedelta(minutes=26)).reminded == 1


def test_finished_bookings_are_completed(premium_member, group, group_charger):
    done = make(premium_member, group, group_charger, -timedelta(hours=2))
    running = make(premium_member, group, group_charger, -timedelta(minutes=1), reserved_at=timezone.now())
    result = bookings.bookings_tick()
    assert result.completed == 1
    done.refresh_from_db()
    running.refresh_from_db()
    assert done.status == Booking.Status.COMPLETED and done.ended_at is not None
    assert running.status == Booking.Status.BOOKED
    assert not ChargerOperation.objects.filter(action="CancelReservation").exists()  # it ran out by itself


def test_no_show_follows_the_groups_rule(premium_member, group, group_charger):
    group.booking_no_show_minutes = 30
    group.save()
    booking = make(premium_member, group, group_charger, -timedelta(minutes=20))
    assert bookings.bookings_tick().no_shows == 0
    assert bookings.bookings_tick(timezone.now() + timedelta(minutes=11)).no_shows == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    # Not reserved at the charger: nothing to cancel there.
    assert not ChargerOperation.objects.filter(action="CancelReservation").exists()


def test_a_session_started_just_before_the_slot_counts(premium_member, group, group_charger, tags):
    booking = make(premium_member, group, group_charger, -timedelta(minutes=20))
    session(group_charger, premium_member, "MEMBER1", booking.starts_at - timedelta(minutes=3))
    assert bookings.bookings_tick().no_shows == 0


def test_someone_elses_session_or_an_earlier_one_does_not(premium_member, owner, group, group_charger, tags):
    booking = make(premium_member, group, group_charger, -timedelta(minutes=20))
    session(group_charger, owner, "OWNER1", booking.starts_at + timedelta(minutes=1))
    session(group_charger, premium_member, "MEMBER1", booking.starts_at - timedelta(hours=2),
            stopped_at=booking.starts_at - timedelta(hours=1), status=ChargingSession.Status.COMPLETED)
    assert bookings.bookings_tick().no_shows == 1


def test_without_a_tag_nothing_is_reserved_and_it_is_tried_again(premium_member, group, group_charger):
    booking = make(premium_member, group, group_charger, timedelta(seconds=20))
    assert bookings.bookings_tick().reserved == 0
    booking.refresh_from_db()
    assert booking.reserved_at is None
    IdTag.objects.create(id_tag="LATE1", user=premium_member)
    assert bookings.bookings_tick().reserved == 1
    assert ChargerOperation.objects.get(action="ReserveNow").payload["idTag"] == "LATE1"


def test_the_favourite_tag_is_the_one_reserved_for(premium_member, group, group_charger):
    IdTag.objects.create(id_tag="FIRST1", user=premium_member)
    IdTag.objects.create(id_tag="FAV1", user=premium_member, is_favourite=True, parent_id_tag="FLEET")
    IdTag.objects.create(id_tag="OLD1", user=premium_member, is_favourite=False,
                         expires_at=timezone.now() - timedelta(days=1))
    make(premium_member, group, group_charger, timedelta(seconds=20))
    bookings.bookings_tick()
    payload = ChargerOperation.objects.get(action="ReserveNow").payload
    assert (payload["idTag"], payload["parentIdTag"]) == ("FAV1", "FLEET")


def test_a_booking_for_now_is_reserved_at_once(premium_member, group, group_charger, tags,
                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = bookings.booking_create(user=premium_member, group=group, starts_at=timezone.now(),
                                          ends_at=timezone.now() + timedelta(hours=1))
    booking.refresh_from_db()
    assert booking.reserved_at is not None
    assert ChargerOperation.objects.get(action="ReserveNow").payload["reservationId"] == booking.pk
    assert bookings.bookings_tick().reserved == 0


def test_the_tick_reads_few_rows(premium_member, group, group_charger, tags, django_assert_max_num_queries):
    for days in range(1, 30):
        make(premium_member, group, group_charger, timedelta(days=days))
    with django_assert_max_num_queries(4):
        bookings.bookings_tick()
