"""RES-2 end to end: the platform in its own process, a simulated charger (the `ocpp` package
as a client) connected to it. A booking made through the API for now reserves the charger at
once with ReserveNow; the simulator keeps the reservation like a real charger (Reserved, other
tags refused, the holder's start uses it up); deleting the booking sends CancelReservation.
The simulator's other answers (Occupied, Faulted, Unavailable, Rejected, expiry) are checked
on the same connection."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from chargers.models import ChargePoint, ChargerOperation, Connector
from groups.models import Booking
from sessions_app.models import ChargingSession
from tests.e2e import api_client, start_sim, stop_sim, wait_until
from tests.factories.chargers import IdTagFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def connector_status(cp, connector):
    return Connector.objects.get(charge_point=cp, connector_id=connector).status


def answered(action):
    return wait_until(lambda: (op := ChargerOperation.objects.filter(action=action).order_by("-pk").first())
                      and op.status != "pending" and op)


def in_loop(sim_loop, fn):
    async def run():
        return fn()
    return sim_loop.run_until_complete(run())


def close(sim_loop, cp, ws, listener):
    async def run():
        for task in list(cp.tasks):  # e.g. reservations waiting for their expiry
            task.cancel()
        await stop_sim(ws, listener)
    sim_loop.run_until_complete(run())


def expiry_in(seconds):
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def test_a_booking_for_now_is_kept_by_the_charger(
    server, sim_loop, premium_member, other_member, group, group_charger, tags
):
    IdTagFactory(id_tag="NEIGHBOUR1", user=other_member, is_favourite=True)
    Connector.objects.filter(charge_point=group_charger, connector_id=2).delete()  # one connector
    cp, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-GROUP", connectors=1))
    wait_until(lambda: ChargePoint.objects.get(pk=group_charger.pk).is_online)

    api = api_client(server.url, premium_member)
    response = api.post("/api/v1/bookings/", json={
        "group": group.pk, "starts_at": timezone.now().isoformat(), "duration_minutes": 60})
    assert response.status_code == 201, response.text
    booking = Booking.objects.get()
    assert booking.connector_id == 1

    # ReserveNow reached the charger, which accepted and now shows the connector Reserved.
    op = answered("ReserveNow")
    assert op.status == "accepted", (op.status, op.error)
    assert op.payload["idTag"] == "MEMBER1" and op.payload["reservationId"] == booking.pk
    assert set(cp.reservations) == {booking.pk}
    wait_until(lambda: connector_status(group_charger, 1) == "Reserved")

    # Another tag cannot start there, neither at the charger nor remotely.
    assert sim_loop.run_until_complete(cp.start_transaction(1, "NEIGHBOUR1")) is None
    assert in_loop(sim_loop, lambda: cp.on_remote_start("NEIGHBOUR1", connector_id=1)).status == "Rejected"
    assert not ChargingSession.objects.exists()
    # A second reservation of the same connector is refused as Occupied.
    other = in_loop(sim_loop, lambda: cp.on_reserve_now(1, expiry_in(600), "NEIGHBOUR1", 999))
    assert other.status == "Occupied"

    # The holder starts: the reservation is used up and named in StartTransaction.
    tx = sim_loop.run_until_complete(cp.start_transaction(1, "MEMBER1"))
    assert tx is not None and cp.reservations == {}
    session = ChargingSession.objects.get()
    assert session.user_id == premium_member.pk and session.reservation_id == booking.pk
    sim_loop.run_until_complete(cp.stop_transaction(tx.transaction_id))
    close(sim_loop, cp, ws, listener)


def test_deleting_the_booking_cancels_the_reservation(
    server, sim_loop, premium_member, other_member, group, group_charger, tags
):
    IdTagFactory(id_tag="NEIGHBOUR1", user=other_member, is_favourite=True)
    Connector.objects.filter(charge_point=group_charger, connector_id=2).delete()
    cp, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-GROUP", connectors=1))
    wait_until(lambda: ChargePoint.objects.get(pk=group_charger.pk).is_online)
    api = api_client(server.url, premium_member)
    booking_id = api.post("/api/v1/bookings/", json={
        "group": group.pk, "starts_at": timezone.now().isoformat(), "duration_minutes": 30}).json()["id"]
    assert answered("ReserveNow").status == "accepted"
    wait_until(lambda: connector_status(group_charger, 1) == "Reserved")

    assert api.delete(f"/api/v1/bookings/{booking_id}/").json()["status"] == "cancelled"
    op = answered("CancelReservation")
    assert op.status == "accepted" and op.payload == {"reservationId": booking_id}
    assert cp.reservations == {}
    wait_until(lambda: connector_status(group_charger, 1) == "Available")
    # The charger is free for the other members again.
    tx = sim_loop.run_until_complete(cp.start_transaction(1, "NEIGHBOUR1"))
    assert tx is not None
    assert ChargingSession.objects.get().user_id == other_member.pk
    # Cancelling what it no longer holds is rejected, as a real charger does.
    assert in_loop(sim_loop, lambda: cp.on_cancel_reservation(booking_id)).status == "Rejected"
    close(sim_loop, cp, ws, listener)


def test_the_simulators_reservation_answers(server, sim_loop, owner, charger, tags):
    IdTagFactory(id_tag="OWNER2", user=owner)
    cp, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME", connectors=2))

    def reserve(connector, reservation_id, seconds=600, tag="OWNER1"):
        return in_loop(sim_loop, lambda: cp.on_reserve_now(connector, expiry_in(seconds), tag, reservation_id)).status

    assert reserve(3, 1) == "Rejected"  # no such connector
    sim_loop.run_until_complete(cp.report_status(1, "Faulted", "GroundFailure"))
    assert reserve(1, 1) == "Faulted"
    sim_loop.run_until_complete(cp.report_status(1, "Unavailable"))
    assert reserve(1, 1) == "Unavailable"
    tx = sim_loop.run_until_complete(cp.start_transaction(2, "OWNER1"))
    assert reserve(2, 1) == "Occupied"
    assert reserve(0, 1) == "Occupied"  # the whole charger: no connector free
    sim_loop.run_until_complete(cp.stop_transaction(tx.transaction_id))
    sim_loop.run_until_complete(cp.report_status(1, "Available"))

    # Connector 0: any connector is kept for the tag; another tag may use one while one stays free.
    assert reserve(0, 5) == "Accepted"
    assert cp.blocked_by_reservation(1, "OWNER2") is False
    tx = sim_loop.run_until_complete(cp.start_transaction(1, "OWNER2"))
    assert tx is not None
    assert cp.blocked_by_reservation(2, "OWNER2") is True  # the last free connector is the holder's
    assert cp.blocked_by_reservation(2, "owner1") is False  # tag ids ignore case
    sim_loop.run_until_complete(cp.stop_transaction(tx.transaction_id))
    assert reserve(0, 5, tag="MEMBER1") == "Accepted"  # the same id replaces the reservation
    assert cp.reservations[5].id_tag == "MEMBER1"
    assert reserve(0, 8, tag="GUEST1") == "Accepted"  # two connectors free: one for each
    assert reserve(0, 9, tag="OUTSIDER1") == "Occupied"
    for reservation_id in (5, 8):
        assert in_loop(sim_loop, lambda r=reservation_id: cp.on_cancel_reservation(r)).status == "Accepted"
    assert cp.reservations == {}
    cp.config.configuration["ReserveConnectorZeroSupported"] = "false"
    assert reserve(0, 6) == "Rejected"

    # A reservation ends by itself at its expiry: the connector is Available again.
    assert reserve(1, 7, seconds=1) == "Accepted"
    wait_until(lambda: connector_status(charger, 1) == "Reserved")
    wait_until(lambda: 7 not in cp.reservations, timeout=5)
    wait_until(lambda: connector_status(charger, 1) == "Available")
    close(sim_loop, cp, ws, listener)
