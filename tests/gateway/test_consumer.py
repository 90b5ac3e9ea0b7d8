"""The charger websocket at socket level: handshake, every message, errors, retries."""

import json
from decimal import Decimal

import pytest
from channels.db import database_sync_to_async as db
from django.test import override_settings

from chargers.models import ChargePoint, Connector
from chargers.services import operation_request
from ocpp_gateway.models import HeartbeatLog, OcppFrame
from ocpp_gateway.writer import get_writer
from sessions_app.models import ChargingSession, MeterValue, UnmatchedStop
from sessions_app.selectors import session_log
from tests.gateway.helpers import BOOT, basic, booted, call, meter_payload, open_charger, send_raw, wait_for_status

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]



# -- handshake ---------------------------------------------------------------------------------


async def test_accepts_ocpp16_with_the_right_password(charger):
    comm, connected, subprotocol = await open_charger("CP-HOME")
    assert connected and subprotocol == "ocpp1.6"
    cp = await db(ChargePoint.objects.get)(pk=charger.pk)
    assert cp.is_online and cp.connection_id
    await comm.disconnect()
    cp = await db(ChargePoint.objects.get)(pk=charger.pk)
    assert not cp.is_online


@pytest.mark.parametrize(
    ("path_id", "kwargs"),
    [
        ("CP-HOME", {"subprotocols": ()}),
        ("CP-HOME", {"subprotocols": ("ocpp2.0.1",)}),
        ("CP-HOME", {"password": "wrong-password"}),
        ("CP-HOME", {"headers": []}),
        ("CP-HOME", {"headers": [basic("CP-OTHER")]}),
        ("CP-UNKNOWN", {}),
    ],
    ids=["no-subprotocol", "other-subprotocol", "wrong-password", "no-auth", "other-user", "unknown-id"],
)
async def test_refuses_bad_handshakes(charger, path_id, kwargs):
    comm, connected, _ = await open_charger(path_id, **kwargs)
    assert not connected
    assert not await db(ChargePoint.objects.filter(is_online=True).exists)()


@override_settings(OCPP_UNKNOWN_CHARGERS="pending")
async def test_unknown_charger_is_kept_pending_for_staff_approval(db_ready=None):
    comm, connected, _ = await open_charger("CP-NEW", password="first-password-1")
    assert connected
    answer = await call(comm, "BootNotification", BOOT)
    assert answer[2]["status"] == "Pending"
    refused = await call(comm, "StatusNotification", {"connectorId": 0, "errorCode": "NoError", "status": "Available"})
    assert refused[0] == 4 and refused[2] == "SecurityError"
    cp = await db(ChargePoint.objects.get)(charge_point_id="CP-NEW")
    assert cp.registration_status == "Pending"
    await comm.disconnect()


async def test_newest_connection_wins_and_old_close_keeps_charger_online(charger):
    first = await booted("CP-HOME")
    second = await booted("CP-HOME")
    closed = await first.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"
    await first.disconnect()  # the late close of the replaced socket
    cp = await db(ChargePoint.objects.get)(pk=charger.pk)
    assert cp.is_online
    answer = await call(second, "Heartbeat", {})
    assert "currentTime" in answer[2]
    await second.disconnect()


# -- messages from the charger -----------------------------------------------------------------


async def test_boot_status_and_heartbeat_are_stored(charger):
    comm = await booted("CP-HOME")
    await call(comm, "StatusNotification", {
        "connectorId": 1, "errorCode": "GroundFailure", "status": "Faulted", "info": "RCD",
        "vendorId": "Acme", "vendorErrorCode": "E42", "timestamp": "2026-01-01T10:00:00Z"})
    # A report queued while offline arrives late: it must not overwrite the newer one.
    await call(comm, "StatusNotification", {
        "connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": "2026-01-01T09:00:00Z"})
    await call(comm, "StatusNotification", {"connectorId": 0, "errorCode": "NoError", "status": "Available"})
    await call(comm, "Heartbeat", {})
    await get_writer().flush()
    cp = await db(ChargePoint.objects.get)(pk=charger.pk)
    assert (cp.vendor, cp.model, cp.firmware_version, cp.iccid, cp.meter_serial_number) == (
        "Acme", "AC-22", "2.1.0", "89490000001", "MSN1")
    c1 = await db(Connector.objects.get)(charge_point=charger, connector_id=1)
    assert (c1.status, c1.error_code, c1.info, c1.vendor_error_code) == ("Faulted", "GroundFailure", "RCD", "E42")
    c0 = await db(Connector.objects.get)(charge_point=charger, connector_id=0)
    assert c0.status == "Available"
    beats = await db(lambda: list(HeartbeatLog.objects.values_list("charge_point_id", flat=True)))()
    assert beats == ["CP-HOME"]
    await comm.disconnect()


async def test_full_transaction_is_authorized_metered_stopped_and_priced(group_charger, tags):
    comm = await booted("CP-GROUP")
    auth = await call(comm, "Authorize", {"idTag": "member1"})  # tag ids ignore case
    assert auth[2]["idTagInfo"]["status"] == "Accepted"
    start = await call(comm, "StartTransaction", {
        "connectorId": 1, "idTag": "MEMBER1", "meterStart": 1000, "timestamp": "2026-03-01T10:00:00Z"})
    tx = start[2]["transactionId"]
    assert start[2]["idTagInfo"]["status"] == "Accepted"
    await call(comm, "MeterValues", meter_payload(tx, 1, 20000, 11000, "2026-03-01T11:00:00Z"))
    session = await db(ChargingSession.objects.get)(pk=tx)
    assert session.last_meter_wh == 20000 and session.current_power_w == 11000
    stop = await call(comm, "StopTransaction", {
        "transactionId": tx, "meterStop": 36130, "timestamp": "2026-03-01T12:00:00Z", "reason": "EVDisconnected",
        "idTag": "MEMBER1", "transactionData": [{"timestamp": "2026-03-01T12:00:00Z", "sampledValue": [
            {"value": "36130", "measurand": "Energy.Active.Import.Register", "unit": "Wh",
             "context": "Transaction.End"}]}]})
    assert stop[2]["idTagInfo"]["status"] == "Accepted"
    session = await db(ChargingSession.objects.get)(pk=tx)
    assert session.status == "completed" and session.stop_reason == "EVDisconnected"
    # 35.13 kWh × 0.30 EUR = 10.54 EUR, plus the 1.00 EUR connection fee.
    assert session.cost_energy == Decimal("10.54") and session.total_cost == Decimal("11.54")
    assert session.user_id == tags["member"].user_id
    assert await db(MeterValue.objects.filter(session_id=tx).count)() == 4
    log = await db(lambda: [e.kind for e in session_log(ChargingSession.objects.get(pk=tx))])()
    assert log == ["authorized", "charging_started", "stopped"]
    await comm.disconnect()


async def test_retried_transaction_messages_are_recognised_by_content(charger, tags):
    comm = await booted("CP-HOME")
    start = {"connectorId": 1, "idTag": "OWNER1", "meterStart": 500, "timestamp": "2026-03-01T10:00:00Z"}
    first = await call(comm, "StartTransaction", start, message_id="a")
    again = await call(comm, "StartTransaction", start, message_id="b")  # new id, same content
    assert first[2] == again[2]
    tx = first[2]["transactionId"]
    values = meter_payload(tx, 1, 900, 7000, "2026-03-01T10:05:00Z")
    await call(comm, "MeterValues", values)
    await call(comm, "MeterValues", values)
    stop = {"transactionId": tx, "meterStop": 1500, "timestamp": "2026-03-01T11:00:00Z", "idTag": "OWNER1"}
    s1 = await call(comm, "StopTransaction", stop)
    s2 = await call(comm, "StopTransaction", stop)
    assert s1[2] == s2[2]
    assert await db(ChargingSession.objects.filter(charge_point=charger).count)() == 1
    assert await db(MeterValue.objects.filter(session_id=tx).count)() == 3
    session = await db(ChargingSession.objects.get)(pk=tx)
    assert session.meter_stop == 1500
    await comm.disconnect()


async def test_unknown_stop_is_answered_and_kept_for_reconciliation(charger):
    comm = await booted("CP-HOME")
    answer = await call(comm, "StopTransaction",
                        {"transactionId": 987654, "meterStop": 10, "timestamp": "2026-03-01T11:00:00Z"})
    assert answer[0] == 3 and answer[2] == {}
    assert await db(UnmatchedStop.objects.filter(transaction_id=987654).exists)()
    await comm.disconnect()


async def test_offline_transactions_keep_their_true_order(charger, tags):
    comm = await booted("CP-HOME")
    for hour, meter in ((8, 100), (9, 200)):
        s = await call(comm, "StartTransaction", {"connectorId": 1, "idTag": "OWNER1", "meterStart": meter,
                                                  "timestamp": f"2026-02-01T0{hour}:00:00Z"})
        await call(comm, "StopTransaction", {"transactionId": s[2]["transactionId"], "meterStop": meter + 50,
                                             "timestamp": f"2026-02-01T0{hour}:30:00Z"})
    starts = await db(lambda: list(ChargingSession.objects.filter(charge_point=charger)
                                   .order_by("started_at").values_list("meter_start", flat=True)))()
    assert starts == [100, 200]
    await comm.disconnect()


@pytest.mark.parametrize(
    ("action", "payload", "code"),
    [
        ("Heartbeatz", {}, "NotImplemented"),
        ("SignCertificate", {"csr": "x"}, "NotSupported"),
        ("BootNotification", {"chargePointVendor": 5, "chargePointModel": "x"}, "TypeConstraintViolation"),
        ("BootNotification", {"chargePointModel": "x"}, "OccurenceConstraintViolation"),
        ("StatusNotification", {"connectorId": 1, "errorCode": "Nope", "status": "Available"},
         "PropertyConstraintViolation"),
        ("BootNotification", {"chargePointVendor": "v", "chargePointModel": "m", "extra": 1}, "FormationViolation"),
    ],
)
async def test_bad_calls_get_the_ocpp_j_error_and_the_link_stays_usable(charger, action, payload, code):
    comm = await booted("CP-HOME")
    answer = await call(comm, action, payload, message_id="bad-1")
    assert answer[0] == 4 and answer[1] == "bad-1" and answer[2] == code
    assert (await call(comm, "Heartbeat", {}))[0] == 3
    await comm.disconnect()


@pytest.mark.parametrize(
    ("frame", "code", "message_id"),
    [
        ("not json at all", "FormationViolation", "-1"),
        ('[2, "x1", "Heartbeat"', "FormationViolation", "x1"),
        ('{"a": 1}', "FormationViolation", "-1"),
        ('[2, "x2", "Heartbeat"]', "ProtocolError", "x2"),
        ('[9, "x3", "Heartbeat", {}]', "PropertyConstraintViolation", "x3"),
    ],
)
async def test_malformed_frames_get_the_ocpp_j_error(charger, frame, code, message_id):
    comm = await booted("CP-HOME")
    answer = await send_raw(comm, frame)
    assert answer[0] == 4 and answer[1] == message_id and answer[2] == code
    assert (await call(comm, "Heartbeat", {}))[0] == 3
    await comm.disconnect()


async def test_extra_vendor_fields_in_transaction_messages_are_accepted(charger, tags):
    comm = await booted("CP-HOME")
    answer = await call(comm, "StartTransaction", {"connectorId": 1, "idTag": "OWNER1", "meterStart": 0,
                                                   "timestamp": "2026-03-01T10:00:00Z", "vendorX": {"a": 1}})
    assert answer[0] == 3 and answer[2]["idTagInfo"]["status"] == "Accepted"
    await comm.disconnect()


async def test_data_transfer_from_unknown_vendor(charger):
    comm = await booted("CP-HOME")
    answer = await call(comm, "DataTransfer", {"vendorId": "com.acme", "messageId": "x", "data": "1"})
    assert answer[2] == {"status": "UnknownVendorId"}
    await comm.disconnect()


async def test_every_frame_is_logged_in_both_directions(charger):
    comm = await booted("CP-HOME")
    await send_raw(comm, "garbage")
    await get_writer().flush()
    frames = await db(lambda: list(OcppFrame.objects.filter(charge_point_id="CP-HOME").order_by("id")
                                   .values_list("direction", "message_type", "action", "payload")))()
    assert frames[0][:3] == ("in", 2, "BootNotification")
    assert frames[1][:3] == ("out", 3, "BootNotification")
    assert frames[2] == ("in", None, "", "garbage")
    assert frames[3][:2] == ("out", 4)
    await comm.disconnect()


# -- commands to the charger -------------------------------------------------------------------


async def answer_next_call(comm, payload):
    frame = json.loads(await comm.receive_from(timeout=10))
    assert frame[0] == 2
    await comm.send_to(text_data=json.dumps([3, frame[1], payload]))
    return frame


async def test_command_reaches_the_charger_and_its_answer_is_recorded(charger, owner):
    comm = await booted("CP-HOME")
    op = await db(operation_request)(charge_point=charger, action="ChangeConfiguration",
                                     payload={"key": "AuthorizationKey", "value": "s3cret-key-123"},
                                     acting_user=owner)
    frame = await answer_next_call(comm, {"status": "Accepted"})
    assert frame[2] == "ChangeConfiguration" and frame[3]["value"] == "s3cret-key-123"
    op = await wait_for_status(op.pk)
    assert op.status == "accepted" and op.response == {"status": "Accepted"}
    assert op.requested_by_id == owner.pk and op.latency_ms is not None
    await get_writer().flush()
    logged = await db(lambda: OcppFrame.objects.get(direction="out", action="ChangeConfiguration",
                                                    message_type=2).payload)()
    assert "s3cret-key-123" not in logged  # secrets never reach the frame log

    op2 = await db(operation_request)(charge_point=charger, action="Reset", payload={"type": "Soft"})
    await answer_next_call(comm, {"status": "Rejected"})
    assert (await wait_for_status(op2.pk)).status == "rejected"
    await comm.disconnect()


async def test_command_answered_with_callerror_fails(charger):
    comm = await booted("CP-HOME")
    op = await db(operation_request)(charge_point=charger, action="ClearCache", payload={})
    frame = json.loads(await comm.receive_from(timeout=10))
    await comm.send_to(text_data=json.dumps([4, frame[1], "NotSupported", "nope", {}]))
    op = await wait_for_status(op.pk)
    assert op.status == "failed" and "NotSupported" in op.error
    await comm.disconnect()


async def test_command_to_offline_charger_fails_at_once(charger):
    op = await db(operation_request)(charge_point=charger, action="Reset", payload={"type": "Hard"})
    assert op.status == "offline"


@override_settings(OCPP_CALL_TIMEOUT=1)
async def test_unanswered_command_times_out(charger):
    comm = await booted("CP-HOME")
    op = await db(operation_request)(charge_point=charger, action="UnlockConnector", payload={"connectorId": 1})
    await comm.receive_from(timeout=5)  # the charger stays silent
    op = await wait_for_status(op.pk, timeout=4)
    assert op.status == "timed_out"
    await comm.disconnect()


async def test_a_command_waits_for_the_answer_to_the_chargers_current_message(charger, monkeypatch):
    """The platform never slips a command between a charger's CALL and its CALLRESULT: a
    command that arrives while a message is being handled is sent after the answer."""
    import asyncio

    from ocpp_gateway.v16 import handlers

    comm = await booted("CP-HOME")
    real_heartbeat = handlers.HANDLERS["Heartbeat"]

    async def slow_heartbeat(ctx, payload):
        await db(operation_request)(charge_point=charger, action="ClearCache")  # reaches the channel now
        await asyncio.sleep(0.3)  # the command is waiting in the channel meanwhile
        return await real_heartbeat(ctx, payload)

    monkeypatch.setitem(handlers.HANDLERS, "Heartbeat", slow_heartbeat)
    await comm.send_to(text_data=json.dumps([2, "hb-1", "Heartbeat", {}]))
    first = json.loads(await comm.receive_from(timeout=5))
    second = json.loads(await comm.receive_from(timeout=5))
    assert first[:2] == [3, "hb-1"]
    assert second[0] == 2 and second[2] == "ClearCache"
    await comm.disconnect()
