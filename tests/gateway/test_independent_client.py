"""An independent OCPP 1.6-J charge point (plain websockets and JSON frames, not the
project's simulator) against a real server: it connects with its password, boots,
authorizes, charges and stops, and every command from the platform reaches it, is
answered and is recorded."""

import asyncio
import base64
import json
import threading
import time

import httpx
import pytest
import websockets

from chargers.models import ChargerOperation
from sessions_app.models import ChargingSession, MeterValue
from tests.factories.accounts import PASSWORD
from tests.factories.chargers import CHARGER_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A minimal valid answer per command, as a simple third-party charger would give it.
ANSWERS = {
    "GetConfiguration": {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]},
    "GetDiagnostics": {"fileName": "diag.zip"},
    "GetLocalListVersion": {"listVersion": 1},
    "UnlockConnector": {"status": "Unlocked"},
    "UpdateFirmware": {},
    "DataTransfer": {"status": "Rejected"},
}

COMMANDS = [
    ("RemoteStartTransaction", {"idTag": "OWNER1", "connectorId": 1}),
    ("RemoteStopTransaction", {"transactionId": 1}),
    ("Reset", {"type": "Hard"}),
    ("ChangeAvailability", {"connectorId": 1, "type": "Inoperative"}),
    ("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "120"}),
    ("GetConfiguration", {}),
    ("GetDiagnostics", {"location": "ftp://example.com/"}),
    ("UnlockConnector", {"connectorId": 1}),
    ("TriggerMessage", {"requestedMessage": "StatusNotification", "connectorId": 1}),
    ("UpdateFirmware", {"location": "https://example.com/fw.bin", "retrieveDate": "2026-01-01T00:00:00Z"}),
    ("ReserveNow", {"connectorId": 1, "expiryDate": "2030-01-01T00:00:00Z", "idTag": "OWNER1", "reservationId": 1}),
    ("CancelReservation", {"reservationId": 1}),
    ("ClearCache", {}),
    ("SendLocalList", {"listVersion": 2, "updateType": "Differential"}),
    ("GetLocalListVersion", {}),
    ("SetChargingProfile", {"connectorId": 0, "csChargingProfiles": {
        "chargingProfileId": 9, "stackLevel": 1, "chargingProfilePurpose": "ChargePointMaxProfile",
        "chargingProfileKind": "Relative", "chargingSchedule": {
            "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}}}),
    ("ClearChargingProfile", {}),
    ("DataTransfer", {"vendorId": "com.example", "messageId": "ping"}),
]


class IndependentChargePoint:
    def __init__(self, url, cp_id, password):
        self.url, self.cp_id, self.password = url, cp_id, password
        self.received = []
        self.replies = asyncio.Queue()

    async def run(self, scenario):
        token = base64.b64encode(f"{self.cp_id}:{self.password}".encode()).decode()
        async with websockets.connect(f"{self.url}/{self.cp_id}", subprotocols=["ocpp1.6"],
                                      additional_headers={"Authorization": f"Basic {token}"}) as ws:
            self.ws = ws
            reader = asyncio.ensure_future(self.read())
            try:
                return await scenario(self)
            finally:
                reader.cancel()

    async def read(self):
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame[0] == 2:  # a command: answer it
                self.received.append(frame[2])
                answer = ANSWERS.get(frame[2], {"status": "Accepted"})
                await self.ws.send(json.dumps([3, frame[1], answer]))
            else:
                await self.replies.put(frame)

    async def call(self, action, payload):
        message_id = f"{action}-{time.monotonic_ns()}"
        await self.ws.send(json.dumps([2, message_id, action, payload]))
        frame = await asyncio.wait_for(self.replies.get(), 10)
        assert frame[0] == 3 and frame[1] == message_id, frame
        return frame[2]


def test_independent_charge_point_charges_and_obeys_every_command(server, charger, owner, tags):
    done = threading.Event()
    results = {}

    async def scenario(cp):
        boot = await cp.call("BootNotification", {"chargePointVendor": "Other", "chargePointModel": "X1"})
        assert boot["status"] == "Accepted" and boot["interval"] > 0
        await cp.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"})
        assert (await cp.call("Authorize", {"idTag": "OWNER1"}))["idTagInfo"]["status"] == "Accepted"
        start = await cp.call("StartTransaction", {"connectorId": 1, "idTag": "OWNER1", "meterStart": 100,
                                                   "timestamp": "2026-05-01T08:00:00Z"})
        results["tx"] = start["transactionId"]
        await cp.call("MeterValues", {"connectorId": 1, "transactionId": results["tx"], "meterValue": [
            {"timestamp": "2026-05-01T08:30:00Z", "sampledValue": [
                {"value": "5.6", "measurand": "Energy.Active.Import.Register", "unit": "kWh"}]}]})
        await cp.call("StopTransaction", {"transactionId": results["tx"], "meterStop": 11100, "idTag": "OWNER1",
                                          "timestamp": "2026-05-01T09:00:00Z", "reason": "Local"})
        results["ready"] = True
        await asyncio.get_running_loop().run_in_executor(None, done.wait, 120)

    cp = IndependentChargePoint(server.ws_url, "CP-HOME", CHARGER_PASSWORD)
    thread = threading.Thread(target=lambda: asyncio.run(cp.run(scenario)), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not results.get("ready") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert results.get("ready")
    session = ChargingSession.objects.get(pk=results["tx"])
    assert (session.status, session.meter_start, session.meter_stop, session.user_id) == (
        "completed", 100, 11100, owner.pk)
    assert MeterValue.objects.get(session=session).value == 5.6

    client = httpx.Client(base_url=server.url, timeout=10)
    login = client.post("/api/auth/app/v1/auth/login", json={"email": owner.email, "password": PASSWORD})
    client.headers["X-Session-Token"] = login.json()["meta"]["session_token"]
    ids = []
    for action, payload in COMMANDS:
        r = client.post("/api/v1/chargers/CP-HOME/operations/", json={"action": action, "payload": payload})
        assert r.status_code == 202, (action, r.text)
        ids.append(r.json()["id"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and ChargerOperation.objects.filter(pk__in=ids, status="pending").exists():
        time.sleep(0.1)
    done.set()
    thread.join(10)
    ops = {op.action: op for op in ChargerOperation.objects.filter(pk__in=ids)}
    assert set(cp.received) == {action for action, _ in COMMANDS}, {a: (o.status, o.error) for a, o in ops.items()}
    assert {a: op.status for a, op in ops.items() if op.status not in ("accepted", "rejected")} == {}
    assert ops["DataTransfer"].status == "rejected"
    assert ops["GetConfiguration"].response["configurationKey"][0]["key"] == "HeartbeatInterval"
    assert all(op.latency_ms is not None and op.requested_by_id == owner.pk for op in ops.values())
