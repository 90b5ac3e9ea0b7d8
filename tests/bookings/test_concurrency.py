"""RES-2 under concurrent requests, on PostgreSQL (CI runs it there): 20 drivers book the same
slot at once; exactly as many get a booking as the group has chargers, the others the clean
refusal ``no_charger_free``, and no two live bookings of a charger overlap. The database's
exclusion constraint refuses an overlap even when the application's lock is bypassed."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction

from accounts.models import User
from groups import bookings
from groups.models import Booking, GroupCharger, Membership
from tests.factories.accounts import UserFactory
from tests.factories.chargers import ChargePointFactory
from wccportal.errors import DomainError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks and the booking_no_overlap exclusion constraint are tested on "
                              "PostgreSQL (set DATABASE_URL=postgres://…; CI does)"),
]

DRIVERS = 20


def run_threads(targets):
    results: list = [None] * len(targets)
    start = threading.Barrier(len(targets))

    def worker(i, target):
        try:
            start.wait()
            results[i] = target()
        except Exception as exc:  # noqa: BLE001 - each request's outcome is inspected
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_twenty_drivers_book_the_same_slot_at_once(group, owner, second_charger, tomorrow):
    third = ChargePointFactory(charge_point_id="CP-GROUP3", owner=owner)
    GroupCharger.objects.create(group=group, charge_point=third)
    drivers = [UserFactory(email=f"driver{i}@example.com", plan=User.Plan.PREMIUM) for i in range(DRIVERS)]
    Membership.objects.bulk_create([Membership(group=group, user=d) for d in drivers])
    # Slots that overlap without being equal: any two of them conflict on a charger.
    targets = [
        (lambda d=d, i=i: bookings.booking_create(
            user=d, group=group, starts_at=tomorrow + timedelta(minutes=i % 3 * 5),
            ends_at=tomorrow + timedelta(hours=1, minutes=i % 3 * 5)))
        for i, d in enumerate(drivers)
    ]
    results = run_threads(targets)

    made = [r for r in results if isinstance(r, Booking)]
    errors = [r for r in results if not isinstance(r, Booking)]
    assert len(made) == 3
    assert all(isinstance(e, DomainError) and e.code == "no_charger_free" for e in errors), errors
    assert sorted(b.charge_point.charge_point_id for b in made) == ["CP-GROUP", "CP-GROUP2", "CP-GROUP3"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM groups_booking a JOIN groups_booking b ON a.charge_point_id = b.charge_point_id "
            "AND a.id < b.id AND a.status = 'booked' AND b.status = 'booked' "
            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at")
        assert cursor.fetchone()[0] == 0


def test_the_database_refuses_an_overlap_the_lock_did_not_see(premium_member, other_member, group, group_charger,
                                                              tomorrow):
    bookings.booking_create(user=premium_member, group=group, starts_at=tomorrow,
                            ends_at=tomorrow + timedelta(hours=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(group=group, charge_point=group_charger, user=other_member,
                               starts_at=tomorrow + timedelta(minutes=30), ends_at=tomorrow + timedelta(hours=2))
    # Cancelled bookings do not count, and back-to-back slots do not overlap.
    Booking.objects.create(group=group, charge_point=group_charger, user=other_member, status="cancelled",
                           starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=1))
    Booking.objects.create(group=group, charge_point=group_charger, user=other_member,
                           starts_at=tomorrow + timedelta(hours=1), ends_at=tomorrow + timedelta(hours=2))


def test_an_overlap_slipping_past_the_lock_becomes_no_charger_free(premium_member, other_member, group,
                                                                   group_charger, tomorrow, monkeypatch):
    """If the choice ever saw a stale state, the constraint's refusal is the same clean error."""
    Booking.objects.create(group=group, charge_point=group_charger, user=other_member,
                           starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=1))
    monkeypatch.setattr(bookings, "_free_chargers", lambda **kwargs: [group_charger])
    with pytest.raises(DomainError) as info:
        bookings.booking_create(user=premium_member, group=group, starts_at=tomorrow,
                                ends_at=tomorrow + timedelta(hours=1))
    assert info.value.code == "no_charger_free"
    assert Booking.objects.count() == 1
