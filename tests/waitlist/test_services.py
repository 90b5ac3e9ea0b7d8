"""RES-4 at service level: who may join and when, the order of offers, holds that expire or
are served, leaving, and what counts as a busy group."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Notification
from chargers.models import ChargePoint, Connector
from groups import waitlist
from groups.holds import holder_for
from groups.models import Booking, GroupCharger, Membership, WaitlistEntry
from sessions_app.authorization import authorize
from sessions_app.models import ChargingSession
from tests.factories.chargers import ChargePointFactory
from tests.waitlist.conftest import make_busy, make_free, set_connector
from wccportal.errors import DomainError

pytestmark = pytest.mark.django_db

Status = WaitlistEntry.Status


def join_all(group, users):
    return [waitlist.waitlist_join(user=user, group=group).entry for user in users]


def refresh(entries):
    for entry in entries:
        entry.refresh_from_db()
    return [entry.status for entry in entries]


# --- Busy or free ----------------------------------------------------------------------------


def test_offline_charger_is_busy_and_a_free_one_is_not(group, group_charger):
    assert waitlist.group_busy(group)  # never connected
    make_free(group_charger)
    assert not waitlist.group_busy(group)
    make_busy(group_charger)
    assert waitlist.group_busy(group)


def test_what_makes_an_available_connector_busy(group, group_charger, owner, member, drivers):
    make_free(group_charger)
    assert not waitlist.group_busy(group)
    # A session still open on the connector (its stop not received yet).
    session = ChargingSession.objects.create(
        charge_point=group_charger, connector_id=1, id_tag="MEMBER1", user=member,
        started_at=timezone.now(), meter_start=0)
    assert waitlist.group_busy(group)
    session.status = ChargingSession.Status.COMPLETED
    session.save()
    assert not waitlist.group_busy(group)
    # The whole charger unavailable (connector 0).
    set_connector(group_charger, Connector.Status.UNAVAILABLE, 0)
    assert waitlist.group_busy(group)
    set_connector(group_charger, Connector.Status.AVAILABLE, 0)
    # Held by a running booking of someone else.
    now = timezone.now()
    booking = Booking.objects.create(group=group, charge_point=group_charger, user=owner,
                                     starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1))
    assert waitlist.group_busy(group)
    booking.status = Booking.Status.CANCELLED
    booking.save()
    assert not waitlist.group_busy(group)
    # Deactivated.
    ChargePoint.objects.filter(pk=group_charger.pk).update(is_active=False)
    assert waitlist.group_busy(group)


def test_group_states_in_two_queries(group, group_charger, owner, django_assert_num_queries):
    second = ChargePointFactory(charge_point_id="CP-GROUP-2", name="Residence 2", owner=owner)
    GroupCharger.objects.create(group=group, charge_point=second)
    make_free(group_charger)
    make_free(second)
    with django_assert_num_queries(2):
        state = waitlist.group_states([group.pk])[group.pk]
    assert state.chargers == 2 and state.free == [group_charger.pk, second.pk]


# --- Join ---------------------------------------------------------------------------------------


def test_join_is_refused_while_a_charger_is_free(group, group_charger, member, drivers):
    make_free(group_charger)
    with pytest.raises(DomainError) as exc:
        waitlist.waitlist_join(user=member, group=group)
    assert exc.value.code == "charger_free" and "go and charge" in exc.value.message
    assert not WaitlistEntry.objects.exists()


def test_join_when_all_are_busy_gives_places_in_line(group, group_charger, drivers):
    make_busy(group_charger)
    results = [waitlist.waitlist_join(user=user, group=group) for user in drivers]
    assert [r.position for r in results] == [1, 2, 3]
    assert all(r.entry.status == Status.WAITING for r in results)
    assert waitlist.position_text(1) == "You are next in line"
    assert waitlist.position_text(2) == "You are number 2 in line"
    assert waitlist.queue_length(group.pk) == 3


def test_duplicate_join_is_refused_and_the_database_enforces_it(group, group_charger, member, drivers):
    make_busy(group_charger)
    waitlist.waitlist_join(user=member, group=group)
    with pytest.raises(DomainError) as exc:
        waitlist.waitlist_join(user=member, group=group)
    assert exc.value.code == "already_waiting" and exc.value.status == 409
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(group=group, user=member)  # what two racing joins would hit
    assert WaitlistEntry.objects.filter(user=member).count() == 1


def test_only_members_and_the_owner_may_join(group, group_charger, owner, outsider, drivers):
    make_busy(group_charger)
    with pytest.raises(DomainError) as exc:
        waitlist.waitlist_join(user=outsider, group=group)
    assert exc.value.code == "not_member" and exc.value.status == 403
    assert waitlist.waitlist_join(user=owner, group=group).position == 1


def test_a_group_without_chargers_has_no_queue(group, group_charger, member, drivers):
    GroupCharger.objects.all().delete()
    with pytest.raises(DomainError) as exc:
        waitlist.waitlist_join(user=member, group=group)
    assert exc.value.code == "no_chargers"


# --- Offers, holds and the tick -----------------------------------------------------------------


def test_first_in_line_is_offered_the_freed_charger_and_held_for_them(
    group, group_charger, drivers, django_capture_on_commit_callbacks
):
    make_busy(group_charger)
    first, second, third = join_all(group, drivers)
    make_free(group_charger)
    with django_capture_on_commit_callbacks(execute=True):
        offered = waitlist.waitlist_offer_free(group_id=group.pk)
    assert [e.pk for e in offered] == [first.pk]
    assert refresh([first, second, third]) == [Status.OFFERED, Status.WAITING, Status.WAITING]
    assert first.offered_charge_point == group_charger
    hold = first.hold_until - first.offered_at
    assert hold == timedelta(minutes=5)  # settings.WAITLIST_HOLD_MINUTES, default 5
    assert [waitlist.waitlist_position(e) for e in (first, second, third)] == [None, 1, 2]
    # The charger is held: busy for everybody else, only the first driver is accepted.
    assert holder_for(group_charger.pk, timezone.now()) == drivers[0].pk
    assert waitlist.group_busy(group)
    assert authorize(charge_point=group_charger, id_tag="MEMBER1").status == "Accepted"
    decision = authorize(charge_point=group_charger, id_tag="ANNA1")
    assert decision.status == "Invalid" and decision.reason == "reserved"
    # Told in the app and by e-mail.
    note = Notification.objects.get(user=drivers[0])
    assert note.kind == Notification.Kind.WAITLIST_TURN and "Residence" in note.title
    assert note.link == "/app/waitlist/"
    [message] = mail.outbox
    assert message.to == ["member@example.com"] and "Residence" in message.subject
    assert "CP-GROUP" in message.body and "/app/chargers/CP-GROUP/" in message.body
    # Idempotent: nothing more to offer.
    assert waitlist.waitlist_offer_free(group_id=group.pk) == []


def test_hold_timeout_passes_the_charger_to_the_next_in_line(
    group, group_charger, drivers, django_capture_on_commit_callbacks
):
    make_busy(group_charger)
    first, second, third = join_all(group, drivers)
    make_free(group_charger)
    waitlist.waitlist_offer_free(group_id=group.pk)
    first.refresh_from_db()
    # Within the hold the tick changes nothing.
    assert waitlist.waitlist_tick(at=first.hold_until - timedelta(seconds=1)) == {
        "served": 0, "expired": 0, "offered": 0}
    later = first.hold_until + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = waitlist.waitlist_tick(at=later)
    assert result == {"served": 0, "expired": 1, "offered": 1}
    assert refresh([first, second, third]) == [Status.EXPIRED, Status.OFFERED, Status.WAITING]
    assert first.closed_at == later
    assert second.offered_charge_point == group_charger and second.hold_until == later + timedelta(minutes=5)
    assert holder_for(group_charger.pk, later) == drivers[1].pk
    assert Notification.objects.filter(user=drivers[0], title__contains="has ended").exists()
    assert Notification.objects.filter(user=drivers[1], kind=Notification.Kind.WAITLIST_TURN).exists()
    # Idempotent.
    assert waitlist.waitlist_tick(at=later) == {"served": 0, "expired": 0, "offered": 0}


def test_starting_a_session_serves_the_offer(group, group_charger, drivers):
    make_busy(group_charger)
    first, second, _third = join_all(group, drivers)
    make_free(group_charger)
    waitlist.waitlist_offer_free(group_id=group.pk)
    first.refresh_from_db()
    ChargingSession.objects.create(
        charge_point=group_charger, connector_id=1, id_tag="MEMBER1", user=drivers[0],
        started_at=timezone.now(), meter_start=0)
    set_connector(group_charger, Connector.Status.CHARGING, 1)
    result = waitlist.waitlist_tick()
    assert result["served"] == 1 and result["offered"] == 0
    assert refresh([first, second]) == [Status.SERVED, Status.WAITING]
    # After the hold's time the charger is still busy (charging): nobody else is offered.
    assert waitlist.waitlist_tick(at=first.hold_until + timedelta(minutes=1))["offered"] == 0


def test_the_tick_catches_a_charger_freed_while_its_event_was_missed(group, group_charger, drivers):
    make_busy(group_charger)
    first, _second, _third = join_all(group, drivers)
    make_free(group_charger)  # no StatusNotification went through charger_available
    assert waitlist.waitlist_tick()["offered"] == 1
    assert refresh([first]) == [Status.OFFERED]


def test_two_free_chargers_go_to_the_first_two(group, group_charger, owner, drivers):
    second_cp = ChargePointFactory(charge_point_id="CP-GROUP-2", name="Residence 2", owner=owner)
    GroupCharger.objects.create(group=group, charge_point=second_cp)
    make_busy(group_charger)
    entries = join_all(group, drivers)
    make_free(group_charger)
    make_free(second_cp)
    waitlist.waitlist_tick()
    assert refresh(entries) == [Status.OFFERED, Status.OFFERED, Status.WAITING]
    assert {entries[0].offered_charge_point_id, entries[1].offered_charge_point_id} == {group_charger.pk, second_cp.pk}


def test_a_booking_starting_during_the_hold_is_not_run_into(group, group_charger, owner, drivers):
    make_busy(group_charger)
    join_all(group, drivers)
    make_free(group_charger)
    now = timezone.now()
    Booking.objects.create(group=group, charge_point=group_charger, user=owner,
                           starts_at=now + timedelta(minutes=2), ends_at=now + timedelta(hours=1))
    assert waitlist.waitlist_offer_free(group_id=group.pk, at=now) == []


def test_a_removed_member_loses_their_turn(group, group_charger, drivers):
    make_busy(group_charger)
    first, second, _third = join_all(group, drivers)
    Membership.objects.filter(user=drivers[0]).delete()  # without the groups helper's hook
    make_free(group_charger)
    waitlist.waitlist_offer_free(group_id=group.pk)
    assert refresh([first, second]) == [Status.CANCELLED, Status.OFFERED]


# --- Leave --------------------------------------------------------------------------------------


def test_leave_moves_the_others_up(group, group_charger, drivers):
    make_busy(group_charger)
    first, second, third = join_all(group, drivers)
    left = waitlist.waitlist_leave(entry=first, user=drivers[0])
    assert left.status == Status.CANCELLED and left.closed_at is not None
    assert [waitlist.waitlist_position(e) for e in (second, third)] == [1, 2]
    with pytest.raises(DomainError) as exc:
        waitlist.waitlist_leave(entry=first, user=drivers[0])
    assert exc.value.code == "not_waiting"
    # Join again: at the end of the line.
    assert waitlist.waitlist_join(user=drivers[0], group=group).position == 3


def test_leaving_an_offer_hands_the_charger_on(group, group_charger, drivers, django_capture_on_commit_callbacks):
    make_busy(group_charger)
    first, second, _third = join_all(group, drivers)
    make_free(group_charger)
    waitlist.waitlist_offer_free(group_id=group.pk)
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        waitlist.waitlist_leave(entry=first, user=drivers[0])
    assert refresh([first, second]) == [Status.CANCELLED, Status.OFFERED]
    assert holder_for(group_charger.pk, timezone.now()) == drivers[1].pk


def test_someone_else_cannot_leave_my_entry(group, group_charger, drivers):
    from django.http import Http404

    make_busy(group_charger)
    first, _second, _third = join_all(group, drivers)
    with pytest.raises(Http404):
        waitlist.waitlist_leave(entry=first, user=drivers[1])


def test_leave_group_closes_the_entries_of_a_removed_member(group, group_charger, drivers):
    make_busy(group_charger)
    first, second, _third = join_all(group, drivers)
    assert waitlist.waitlist_leave_group(group=group, user=drivers[0]) == 1
    assert waitlist.waitlist_leave_group(group=group, user=drivers[0]) == 0
    assert refresh([first, second]) == [Status.CANCELLED, Status.WAITING]


# --- The gateway's hook --------------------------------------------------------------------------


def test_charger_available_is_one_statement_and_schedules_only_when_someone_waits(
    group, group_charger, drivers, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
        waitlist.charger_available(charge_point_pk=group_charger.pk)
    assert callbacks == []
    other = ChargePointFactory(charge_point_id="CP-ALONE")
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
        waitlist.charger_available(charge_point_pk=other.pk)  # in no group
    assert callbacks == []

    make_busy(group_charger)
    first = waitlist.waitlist_join(user=drivers[0], group=group).entry
    make_free(group_charger)
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
        waitlist.charger_available(charge_point_pk=group_charger.pk)
    assert len(callbacks) == 1  # the offer, after the gateway's commit
    assert refresh([first]) == [Status.WAITING]
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    assert refresh([first]) == [Status.OFFERED]
