"""RES-2 / RES-3 over a real charger websocket (the gateway in this process): while a booking
runs only its holder is accepted at Authorize and StartTransaction; the minute job reserves
the charger with ReserveNow when the slot begins, and cancelling or a no-show sends
CancelReservation; the charger's answers are recorded on the operations."""

import asyncio
import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as db
from django.db import connections
from django.utils import timezone

from accounts.models import Notification
from chargers.models import ChargerOperation
from groups import bookings
from groups.models import Booking
from tests.factories.chargers import IdTagFactory
from tests.gateway.helpers import answer_local_list, booted, call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture(autouse=True)
async def _close_gateway_connections():
    """The gateway's database threads keep connections: close them so teardown can drop the
    database (as tests/gateway/conftest.py does)."""
    yield
    from ocpp_gateway.writer import _writers

    for loop, writer in list(_writers.items()):
        if loop.is_running():
            await writer.close()
        _writers.pop(loop, None)
    await db(connections.close_all)()


def iso(at):
    return at.isoformat().replace("+00:00", "Z")


async def next_call(comm, action, answer):
    """The next command the platform sends (local-list upkeep answered on the way), answered."""
    while True:
        frame = json.loads(await comm.receive_from(timeout=10))
        if await answer_local_list(comm, frame):
            continue
        assert frame[0] == 2 and frame[2] == action, frame
        await comm.send_to(text_data=json.dumps([3, frame[1], answer]))
        return frame[3]


async def operation(action, expected_status="accepted"):
    for _ in range(100):
        op = await db(lambda: ChargerOperation.objects.filter(action=action).order_by("-pk").first())()
        if op is not None and op.status == expected_status:
            return op
        await asyncio.sleep(0.05)
    raise AssertionError(f"{action}: {op and op.status}")


async def authorize(comm, id_tag):
    return (await call(comm, "Authorize", {"idTag": id_tag}))[2]["idTagInfo"]["status"]


async def start(comm, id_tag, connector=1):
    answer = await call(comm, "StartTransaction", {
        "connectorId": connector, "idTag": id_tag, "meterStart": 1000, "timestamp": iso(timezone.now())})
    return answer[2]


def running_booking(user, group, cp, started_ago=timedelta(minutes=1), length=timedelta(hours=1), **fields):
    now = timezone.now()
    return Booking.objects.create(group=group, charge_point=cp, user=user, starts_at=now - started_ago,
                                  ends_at=now - started_ago + length, **fields)


@pytest.fixture
def neighbour_tag(other_member):
    return IdTagFactory(id_tag="NEIGHBOUR1", user=other_member, is_favourite=True)


async def test_only_the_holder_starts_during_the_booking(
    premium_member, other_member, owner, group, group_charger, tags, neighbour_tag
):
    booking = await db(running_booking)(premium_member, group, group_charger)
    comm = await booted("CP-GROUP")
    # Another member and even the charger's owner are refused at Authorize and at start.
    assert await authorize(comm, "NEIGHBOUR1") == "Invalid"
    assert await authorize(comm, "OWNER1") == "Invalid"
    refused = await start(comm, "NEIGHBOUR1")
    assert refused["idTagInfo"]["status"] == "Invalid"
    # The holder is accepted and charges.
    assert await authorize(comm, "MEMBER1") == "Accepted"
    accepted = await start(comm, "MEMBER1", connector=2)
    assert accepted["idTagInfo"]["status"] == "Accepted"
    # Once the holder cancels, the others may start again.
    await db(bookings.booking_cancel)(booking=booking, acting_user=premium_member)
    assert await authorize(comm, "NEIGHBOUR1") == "Accepted"
    await comm.disconnect()


async def test_before_and_after_the_slot_anyone_with_a_right_starts(
    premium_member, group, group_charger, tags, neighbour_tag
):
    await db(running_booking)(premium_member, group, group_charger, started_ago=-timedelta(minutes=30))
    comm = await booted("CP-GROUP")
    assert await authorize(comm, "NEIGHBOUR1") == "Accepted"
    await comm.disconnect()


async def test_the_tick_reserves_the_charger_when_the_slot_begins(premium_member, group, group_charger, tags):
    booking = await db(running_booking)(premium_member, group, group_charger, started_ago=-timedelta(seconds=30))
    comm = await booted("CP-GROUP")
    result = await db(bookings.bookings_tick)()
    assert result.reserved == 1
    payload = await next_call(comm, "ReserveNow", {"status": "Accepted"})
    assert payload == {"connectorId": 0, "expiryDate": iso(booking.ends_at.replace(microsecond=0)),
                       "idTag": "MEMBER1", "reservationId": booking.pk}
    op = await operation("ReserveNow")
    assert op.response == {"status": "Accepted"} and op.charge_point_id == group_charger.pk
    await db(booking.refresh_from_db)()
    assert booking.reserved_at is not None
    # Idempotent: the next minute sends nothing again.
    assert (await db(bookings.bookings_tick)()).reserved == 0
    assert await db(ChargerOperation.objects.filter(action="ReserveNow").count)() == 1

    # Deleting the booking releases the reservation at the charger.
    await db(bookings.booking_cancel)(booking=booking, acting_user=premium_member)
    assert await next_call(comm, "CancelReservation", {"status": "Accepted"}) == {"reservationId": booking.pk}
    await operation("CancelReservation")
    await comm.disconnect()


async def test_a_refusing_charger_is_recorded(premium_member, group, group_charger, tags):
    await db(running_booking)(premium_member, group, group_charger, started_ago=timedelta(0))
    comm = await booted("CP-GROUP")
    await db(bookings.bookings_tick)()
    await next_call(comm, "ReserveNow", {"status": "Occupied"})
    op = await operation("ReserveNow", "rejected")
    assert op.response == {"status": "Occupied"}
    await comm.disconnect()


async def test_a_no_show_is_released_with_cancel_reservation(
    premium_member, group, group_charger, tags, neighbour_tag
):
    booking = await db(running_booking)(premium_member, group, group_charger, started_ago=timedelta(minutes=16),
                                        reserved_at=timezone.now() - timedelta(minutes=16))
    comm = await booted("CP-GROUP")
    assert await authorize(comm, "NEIGHBOUR1") == "Invalid"
    result = await db(bookings.bookings_tick)()
    assert result.no_shows == 1
    assert await next_call(comm, "CancelReservation", {"status": "Accepted"}) == {"reservationId": booking.pk}
    await db(booking.refresh_from_db)()
    assert booking.status == Booking.Status.NO_SHOW
    assert await authorize(comm, "NEIGHBOUR1") == "Accepted"
    note = await db(Notification.objects.get)(user=premium_member, title__startswith="Booking released")
    assert "released for others" in note.body
    await comm.disconnect()


async def test_the_holder_charging_is_no_no_show(premium_member, group, group_charger, tags):
    booking = await db(running_booking)(premium_member, group, group_charger, started_ago=timedelta(minutes=5),
                                        reserved_at=timezone.now())
    comm = await booted("CP-GROUP")
    assert (await start(comm, "MEMBER1"))["idTagInfo"]["status"] == "Accepted"
    later = timezone.now() + timedelta(minutes=20)
    assert (await db(bookings.bookings_tick)(later)).no_shows == 0
    await db(booking.refresh_from_db)()
    assert booking.status == Booking.Status.BOOKED
    await comm.disconnect()


async def test_an_offline_charger_is_recorded_offline_and_still_held(
    premium_member, group, group_charger, tags, neighbour_tag
):
    booking = await db(running_booking)(premium_member, group, group_charger)
    await db(bookings.bookings_tick)()
    op = await db(ChargerOperation.objects.get)(action="ReserveNow")
    assert op.status == "offline"
    await db(booking.refresh_from_db)()
    assert booking.reserved_at is not None
    comm = await booted("CP-GROUP")  # it comes back: the hold is enforced centrally anyway
    assert await authorize(comm, "NEIGHBOUR1") == "Invalid"
    await comm.disconnect()
