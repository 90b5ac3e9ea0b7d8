"""RES-3, RES-4: a charger held by a running booking, or for the waitlist's next driver,
accepts only that driver (groups.holds + the TAG-5 authorization service)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.holds import holder_for
from groups.models import Booking, Membership, WaitlistEntry
from sessions_app.authorization import Status, authorize
from tests.factories.accounts import UserFactory
from tests.factories.chargers import IdTagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_member(group_charger):
    user = UserFactory(email="second@example.com")
    Membership.objects.create(group=group_charger.group_link.group, user=user)
    IdTagFactory(id_tag="SECOND1", user=user)
    return user


def book(cp, user, start, end, status=Booking.Status.BOOKED):
    return Booking.objects.create(group=cp.group_link.group, charge_point=cp, user=user, starts_at=start,
                                  ends_at=end, status=status)


def test_a_running_booking_holds_the_charger_for_its_holder_only(group_charger, member, second_member, tags):
    now = timezone.now()
    book(group_charger, member, now - timedelta(minutes=5), now + timedelta(minutes=55))
    assert holder_for(group_charger.pk, now) == member.pk
    assert authorize(charge_point=group_charger, id_tag="MEMBER1", at=now).status == Status.ACCEPTED
    refused = authorize(charge_point=group_charger, id_tag="SECOND1", at=now)
    assert (refused.status, refused.reason) == (Status.INVALID, "reserved")
    # The owner too: while the booking runs it is the holder's.
    assert authorize(charge_point=group_charger, id_tag="OWNER1", at=now).reason == "reserved"
    # Before the slot and after it, anyone with a right may start.
    assert holder_for(group_charger.pk, now - timedelta(minutes=10)) is None
    assert authorize(charge_point=group_charger, id_tag="SECOND1", at=now + timedelta(hours=1)).accepted


def test_cancelled_and_finished_bookings_hold_nothing(group_charger, member, second_member, tags):
    now = timezone.now()
    for status in (Booking.Status.CANCELLED, Booking.Status.NO_SHOW, Booking.Status.COMPLETED):
        book(group_charger, member, now - timedelta(minutes=5), now + timedelta(minutes=55), status)
    assert holder_for(group_charger.pk, now) is None
    assert authorize(charge_point=group_charger, id_tag="SECOND1", at=now).accepted


def test_a_waitlist_offer_holds_the_charger_until_the_hold_ends(group_charger, member, second_member, tags):
    now = timezone.now()
    WaitlistEntry.objects.create(
        group=group_charger.group_link.group, user=second_member, status=WaitlistEntry.Status.OFFERED,
        offered_charge_point=group_charger, offered_at=now, hold_until=now + timedelta(minutes=5),
    )
    assert holder_for(group_charger.pk, now) == second_member.pk
    assert authorize(charge_point=group_charger, id_tag="MEMBER1", at=now).reason == "reserved"
    assert authorize(charge_point=group_charger, id_tag="SECOND1", at=now).accepted
    assert holder_for(group_charger.pk, now + timedelta(minutes=6)) is None


def test_a_hold_does_not_make_an_invalid_tag_valid(group_charger, member, tags, outsider):
    now = timezone.now()
    book(group_charger, outsider, now - timedelta(minutes=5), now + timedelta(minutes=55))
    # The outsider holds a booking (say the owner removed them since) but has no right here.
    assert authorize(charge_point=group_charger, id_tag="OUTSIDER1", at=now).status == Status.INVALID
