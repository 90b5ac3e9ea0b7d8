"""SES-9 session events derived from real OCPP status sequences over the charger websocket:
vehicle connected, charging started, suspended and resumed, stopped, vehicle disconnected,
errors, and a stop asked from the app."""

import asyncio
import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as db
from channels.layers import get_channel_layer
from django.utils import timezone

from chargers.models import ChargePoint
from ocpp_gateway.writer import get_writer
from sessions_app.live import session_request_stop
from sessions_app.models import ChargingSession
from sessions_app.selectors import session_log
from tests.gateway.helpers import answer_local_list, booted, call, meter_payload, wait_for_status

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def status(comm, state, at, connector=1, error_code="NoError"):
    answer = await call(comm, "StatusNotification", {
        "connectorId": connector, "errorCode": error_code, "status": state, "timestamp": at})
    assert answer[0] == 3, answer


async def start(comm, at, id_tag="OWNER1", meter=1000):
    answer = await call(comm, "StartTransaction", {"connectorId": 1, "idTag": id_tag, "meterStart": meter,
                                                   "timestamp": at})
    return answer[2]["transactionId"]


async def stop(comm, tx, at, meter, reason="EVDisconnected"):
    answer = await call(comm, "StopTransaction", {"transactionId": tx, "meterStop": meter, "timestamp": at,
                                                  "reason": reason, "idTag": "OWNER1"})
    assert answer[0] == 3, answer


async def log_of(tx):
    def read():
        return [(e.kind, e.at.strftime("%H:%M"), e.detail) for e in session_log(ChargingSession.objects.get(pk=tx))]
    return await db(read)()


async def test_a_whole_session_is_logged_from_the_chargers_status_reports(charger, tags):
    comm = await booted("CP-HOME")
    await status(comm, "Available", "2026-03-01T09:00:00Z")
    await status(comm, "Preparing", "2026-03-01T09:58:00Z")  # plugged in
    tx = await start(comm, "2026-03-01T10:00:00Z")
    await status(comm, "Charging", "2026-03-01T10:00:05Z")
    await call(comm, "MeterValues", meter_payload(tx, 1, 6000, 11000, "2026-03-01T10:30:00Z"))
    await status(comm, "SuspendedEV", "2026-03-01T10:45:00Z")
    await status(comm, "Charging", "2026-03-01T11:00:00Z")
    await stop(comm, tx, "2026-03-01T11:30:00Z", 15000)
    await status(comm, "Finishing", "2026-03-01T11:30:01Z")
    await status(comm, "Available", "2026-03-01T11:40:00Z")  # unplugged
    await get_writer().flush()
    assert await log_of(tx) == [
        ("vehicle_connected", "09:58", ""),
        ("authorized", "10:00", "OWNER1: Accepted"),
        ("charging_started", "10:00", ""),
        ("suspended_ev", "10:45", ""),
        ("resumed", "11:00", ""),
        ("stopped", "11:30", "EVDisconnected"),
        ("vehicle_disconnected", "11:40", ""),
    ]
    session = await db(ChargingSession.objects.get)(pk=tx)
    assert session.plugged_out_at.strftime("%H:%M") == "11:40"
    await comm.disconnect()


async def test_a_charger_reporting_charging_before_the_start_transaction(charger, tags):
    comm = await booted("CP-HOME")
    await status(comm, "Available", "2026-03-01T09:00:00Z")
    await status(comm, "Charging", "2026-03-01T10:00:00Z")
    tx = await start(comm, "2026-03-01T10:00:02Z")
    await status(comm, "SuspendedEVSE", "2026-03-01T10:20:00Z")  # e.g. load management
    await status(comm, "Charging", "2026-03-01T10:25:00Z")
    await stop(comm, tx, "2026-03-01T11:00:00Z", 9000)
    # Some chargers go straight back to Available when the cable is pulled.
    await status(comm, "Available", "2026-03-01T11:00:30Z")
    assert [kind for kind, _at, _detail in await log_of(tx)] == [
        "authorized", "charging_started", "suspended_evse", "resumed", "stopped", "vehicle_disconnected"]
    await comm.disconnect()


async def test_a_vehicle_that_waits_before_charging_and_a_fault(charger, tags):
    comm = await booted("CP-HOME")
    await status(comm, "Available", "2026-03-01T09:00:00Z")
    await status(comm, "Preparing", "2026-03-01T10:00:00Z")
    tx = await start(comm, "2026-03-01T10:01:00Z")
    await status(comm, "SuspendedEV", "2026-03-01T10:01:05Z")  # the car does not draw yet
    await status(comm, "Charging", "2026-03-01T10:15:00Z")  # first energy: charging starts now
    await status(comm, "Faulted", "2026-03-01T10:30:00Z", error_code="GroundFailure")
    assert await log_of(tx) == [
        ("vehicle_connected", "10:00", ""),
        ("authorized", "10:01", "OWNER1: Accepted"),
        ("suspended_ev", "10:01", ""),
        ("charging_started", "10:15", ""),
        ("error", "10:30", "GroundFailure"),
    ]
    await comm.disconnect()


async def test_status_changes_reach_the_sessions_pages_live(owner, charger, tags):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(f"live.user.{owner.pk}", channel)
    comm = await booted("CP-HOME")
    await status(comm, "Preparing", "2026-03-01T10:00:00Z")
    tx = await start(comm, "2026-03-01T10:01:00Z")
    await status(comm, "SuspendedEV", "2026-03-01T10:02:00Z")
    await call(comm, "MeterValues", meter_payload(tx, 1, 4000, 7400, "2026-03-01T10:30:00Z"))
    await get_writer().flush()
    # Updates of different fields are sent separately, in any order (see wccportal.lib.realtime).
    seen = []
    while not (any(m.get("energy_wh") == 3000 for m in seen) and any("connector_status" in m for m in seen)):
        message = await asyncio.wait_for(layer.receive(channel), 5)
        if message.get("event") == "session":
            seen.append(message)
    assert {"id": tx, "event": "session", "type": "live.event", "connector_status": "SuspendedEV"} in seen
    values = next(m for m in seen if m.get("energy_wh") == 3000)
    assert values["id"] == tx and values["power_w"] == 7400 and values["status"] == "active" and "soc" in values
    await comm.disconnect()


async def test_a_stop_from_the_app_is_logged_and_answered_by_the_charger(owner, charger, tags):
    def ago(minutes):
        return (timezone.now() - timedelta(minutes=minutes)).isoformat()

    comm = await booted("CP-HOME")
    await status(comm, "Preparing", ago(30))
    tx = await start(comm, ago(29))
    await status(comm, "Charging", ago(28))
    session = await db(ChargingSession.objects.select_related("charge_point").get)(pk=tx)
    operation = await db(session_request_stop)(user=owner, session=session)
    while True:
        frame = json.loads(await comm.receive_from(timeout=10))
        if not await answer_local_list(comm, frame):
            break
    assert frame[0] == 2 and frame[2] == "RemoteStopTransaction" and frame[3] == {"transactionId": tx}
    await comm.send_to(text_data=json.dumps([3, frame[1], {"status": "Accepted"}]))
    await stop(comm, tx, timezone.now().isoformat(), 8000, reason="Remote")
    operation = await wait_for_status(operation.pk)
    assert operation.status == "accepted"
    kinds = [kind for kind, _at, _detail in await log_of(tx)]
    assert kinds == ["vehicle_connected", "authorized", "charging_started", "remote_stop_requested", "stopped"]
    assert (await log_of(tx))[-1][2] == "Remote"
    assert await db(ChargePoint.objects.filter(pk=charger.pk, is_online=True).exists)()
    await comm.disconnect()
