"""The charger side over a real websocket: SecurityEventNotification (OCPP 1.6 security
extension) is accepted, stored and answered empty, bad ones get the OCPP-J CALLERROR and the
link stays usable; DiagnosticsStatusNotification moves the open diagnostics request."""

import pytest
from channels.db import database_sync_to_async as db

from chargers.diagnostics import diagnostics_request
from chargers.models import ChargePoint, DiagnosticsFile, SecurityEvent
from tests.gateway.conftest import _close_gateway_connections  # noqa: F401 (autouse fixture)
from tests.gateway.helpers import booted, call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_security_event_is_stored_and_answered_empty(charger):
    comm = await booted("CP-HOME")
    answer = await call(comm, "SecurityEventNotification", {
        "type": "TamperDetectionActivated", "timestamp": "2026-03-01T10:15:00.123Z", "techInfo": "Housing opened"})
    assert answer[0] == 3 and answer[2] == {}
    event = await db(SecurityEvent.objects.get)()
    assert event.charge_point_id == charger.pk and event.type == "TamperDetectionActivated"
    assert event.tech_info == "Housing opened"
    assert event.timestamp.isoformat() == "2026-03-01T10:15:00.123000+00:00" and event.received_at
    # Without techInfo, the longest allowed values.
    answer = await call(comm, "SecurityEventNotification", {"type": "T" * 50, "timestamp": "2026-03-01T10:16:00Z",
                                                            "techInfo": "i" * 255})
    assert answer[0] == 3
    longest = await db(SecurityEvent.objects.order_by("-id").first)()
    assert len(longest.type) == 50 and len(longest.tech_info) == 255
    await comm.disconnect()


@pytest.mark.parametrize(("payload", "code"), [
    ({"timestamp": "2026-03-01T10:15:00Z"}, "OccurenceConstraintViolation"),
    ({"type": "StartupOfTheDevice"}, "OccurenceConstraintViolation"),
    ({"type": 5, "timestamp": "2026-03-01T10:15:00Z"}, "TypeConstraintViolation"),
    ({"type": "x" * 51, "timestamp": "2026-03-01T10:15:00Z"}, "TypeConstraintViolation"),
    ({"type": "StartupOfTheDevice", "timestamp": "yesterday"}, "PropertyConstraintViolation"),
    ({"type": "StartupOfTheDevice", "timestamp": "2026-03-01T10:15:00Z", "extra": 1}, "FormationViolation"),
])
async def test_bad_security_events_get_the_ocpp_j_error(charger, payload, code):
    comm = await booted("CP-HOME")
    answer = await call(comm, "SecurityEventNotification", payload, message_id="sec-1")
    assert answer[0] == 4 and answer[1] == "sec-1" and answer[2] == code
    assert (await call(comm, "Heartbeat", {}))[0] == 3
    assert not await db(SecurityEvent.objects.exists)()
    await comm.disconnect()


async def test_diagnostics_status_notifications_follow_the_request(charger, owner):
    comm = await booted("CP-HOME")
    row = await db(diagnostics_request)(charge_point=charger, acting_user=owner)
    # The platform's GetDiagnostics reaches the charger, which answers with its file name.
    frame = await comm.receive_json_from(timeout=10)
    while frame[2] != "GetDiagnostics":  # the local list sync of a fresh boot may come first
        await comm.send_json_to([3, frame[1], {"status": "Accepted"} if frame[2] == "SendLocalList"
                                 else {"listVersion": 0}])
        frame = await comm.receive_json_from(timeout=10)
    assert frame[3]["location"].endswith("/")
    await comm.send_json_to([3, frame[1], {"fileName": "diag.log"}])

    assert (await call(comm, "DiagnosticsStatusNotification", {"status": "Uploading"}))[2] == {}
    row = await db(DiagnosticsFile.objects.get)(pk=row.pk)
    assert row.status == DiagnosticsFile.Status.UPLOADING
    assert (await db(ChargePoint.objects.get)(pk=charger.pk)).diagnostics_status == "Uploading"
    assert (await call(comm, "DiagnosticsStatusNotification", {"status": "UploadFailed"}))[2] == {}
    row = await db(DiagnosticsFile.objects.get)(pk=row.pk)
    assert row.status == DiagnosticsFile.Status.FAILED
    await comm.disconnect()
