"""Starting over a real charger websocket (SES-1, SES-2, SES-6): the RemoteStartTransaction
reaches the charger with the driver's tag; the StartTransaction that follows opens a session
that carries the start's source and logbook entry, and the start shows it; a charger that
refuses is shown as refusing."""

import json

import pytest
from channels.db import database_sync_to_async as db
from django.utils import timezone

from chargers.models import ChargePoint, ChargerOperation
from sessions_app import starting
from sessions_app.models import ChargingSession, StartRequest
from tests.gateway.helpers import answer_local_list, booted, call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def now_iso():
    return timezone.now().isoformat().replace("+00:00", "Z")


async def next_call(comm):
    """The next command the platform sends (local-list upkeep answered on the way)."""
    while True:
        frame = json.loads(await comm.receive_from(timeout=10))
        if not await answer_local_list(comm, frame):
            return frame


async def plugged_in(cp_id):
    comm = await booted(cp_id)
    for connector in (0, 1, 2):
        await call(comm, "StatusNotification", {"connectorId": connector, "errorCode": "NoError",
                                                "status": "Available", "timestamp": now_iso()})
    await call(comm, "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Preparing",
                                            "timestamp": now_iso()})
    return comm


async def operation_status(pk):
    import asyncio

    for _ in range(100):
        operation = await db(ChargerOperation.objects.get)(pk=pk)
        if operation.status != ChargerOperation.Status.PENDING:
            return operation.status
        await asyncio.sleep(0.05)
    return operation.status


def progress_of(pk):
    return starting.start_progress(StartRequest.objects.select_related("operation", "charge_point").get(pk=pk))


async def test_start_with_logbook_opens_a_session_that_carries_it(world, charger, tags):
    await db(ChargePoint.objects.filter(pk=charger.pk).update)(logbook_enabled=True)
    await db(charger.refresh_from_db)()
    comm = await plugged_in("CP-HOME")

    # The driver starts from the connector's start page, with the logbook entry.
    request = await db(starting.session_request_start)(
        user=world["owner"], charge_point=charger, connector_id=1, mileage_km="59613", vehicle_id="TestVehicle")
    frame = await next_call(comm)
    assert frame[2] == "RemoteStartTransaction" and frame[3] == {"connectorId": 1, "idTag": "OWNER1"}
    await comm.send_to(text_data=json.dumps([3, frame[1], {"status": "Accepted"}]))
    assert await operation_status(request.operation_id) == ChargerOperation.Status.ACCEPTED
    assert (await db(progress_of)(request.pk)).state == "accepted"

    # The charger starts the transaction: the session is the start's, with its logbook entry.
    answer = await call(comm, "StartTransaction", {"connectorId": 1, "idTag": "OWNER1", "meterStart": 1200,
                                                   "timestamp": now_iso()})
    assert answer[2]["idTagInfo"]["status"] == "Accepted"
    session = await db(ChargingSession.objects.get)(pk=answer[2]["transactionId"])
    assert (session.user_id, session.source, session.vehicle_mileage_km, session.vehicle_id) == (
        world["owner"].pk, ChargingSession.Source.APP, 59613, "TestVehicle")
    progress = await db(progress_of)(request.pk)
    assert (progress.state, progress.session_id) == ("started", session.pk)
    assert progress.session_url == f"/app/sessions/{session.pk}/live/"
    await comm.disconnect()


async def test_guest_start_on_the_shared_charger_is_the_guest_session(world, charger, share):
    comm = await plugged_in("CP-HOME")
    request = await db(starting.session_request_start)(user=world["guest"], charge_point=charger,
                                                       connector_id=None)
    frame = await next_call(comm)
    assert frame[3] == {"connectorId": 1, "idTag": "GUEST1"}
    await comm.send_to(text_data=json.dumps([3, frame[1], {"status": "Accepted"}]))
    answer = await call(comm, "StartTransaction", {"connectorId": 1, "idTag": "GUEST1", "meterStart": 5,
                                                   "timestamp": now_iso()})
    session = await db(ChargingSession.objects.get)(pk=answer[2]["transactionId"])
    assert session.user_id == world["guest"].pk and session.source == ChargingSession.Source.APP
    assert (await db(progress_of)(request.pk)).session_id == session.pk
    await comm.disconnect()


async def test_charger_refusing_the_start_is_shown_as_refused(world, charger, tags):
    comm = await plugged_in("CP-HOME")
    request = await db(starting.session_request_start)(user=world["owner"], charge_point=charger, connector_id=1)
    frame = await next_call(comm)
    await comm.send_to(text_data=json.dumps([3, frame[1], {"status": "Rejected"}]))
    assert await operation_status(request.operation_id) == ChargerOperation.Status.REJECTED
    progress = await db(progress_of)(request.pk)
    assert (progress.state, progress.final) == ("rejected", True)
    assert "Home refused to start" in progress.message
    # The connector is free for another try at once.
    again = await db(starting.session_request_start)(user=world["owner"], charge_point=charger, connector_id=1)
    assert again.pk != request.pk
    await comm.disconnect()


async def test_rfid_start_at_the_charger_is_not_taken_for_an_app_start(world, charger, tags):
    """A StartTransaction with another tag on the connector does not consume the app's request."""
    comm = await plugged_in("CP-HOME")
    request = await db(starting.session_request_start)(user=world["owner"], charge_point=charger, connector_id=1)
    frame = await next_call(comm)
    await comm.send_to(text_data=json.dumps([3, frame[1], {"status": "Accepted"}]))
    answer = await call(comm, "StartTransaction", {"connectorId": 2, "idTag": "GUEST1", "meterStart": 7,
                                                   "timestamp": now_iso()})
    session = await db(ChargingSession.objects.get)(pk=answer[2]["transactionId"])
    assert session.source == ChargingSession.Source.RFID
    assert (await db(progress_of)(request.pk)).state == "accepted"
    await comm.disconnect()
