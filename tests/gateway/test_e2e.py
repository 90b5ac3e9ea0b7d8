"""End to end: the simulator (the `ocpp` package as a client) against real servers."""

import asyncio
import os

import pytest

from chargers.models import ChargePoint, ChargerOperation
from ocpp_gateway.models import OcppFrame
from ocpp_gateway.simulator import connect
from sessions_app.models import ChargingSession, MeterValue
from tests.e2e import api_client, start_sim, stop_sim, wait_until
from tests.factories.chargers import CHARGER_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_simulator_boots_charges_and_answers_every_command(server, charger, owner, tags, sim_loop):
    async def scenario():
        cp, ws, listener = await start_sim(server.ws_url, "CP-HOME")
        assert cp.boot_status == "Accepted"
        tx = await cp.charge(1, "OWNER1", samples=3, interval=0.05)
        assert tx is not None
        return cp, ws, listener

    loop = sim_loop
    cp, ws, listener = loop.run_until_complete(scenario())
    session = ChargingSession.objects.get(charge_point=charger)
    assert session.status == "completed" and session.user_id == owner.pk
    assert MeterValue.objects.filter(session=session).count() == 3 * 6
    # Every OPS-1 command through the HTTP API, answered by the simulated charger.
    client = api_client(server.url, owner)
    commands = [
        ("RemoteStartTransaction", {"idTag": "OWNER1", "connectorId": 2}),
        ("ChangeAvailability", {"connectorId": 0, "type": "Operative"}),
        ("ChangeConfiguration", {"key": "LedBrightness", "value": "40"}),
        ("GetConfiguration", {"key": ["LedBrightness"]}),
        ("GetDiagnostics", {"location": "ftp://diag.example.com/"}),
        ("UnlockConnector", {"connectorId": 1}),
        ("TriggerMessage", {"requestedMessage": "Heartbeat"}),
        ("UpdateFirmware", {"location": "https://fw.example.com/2.0.0", "retrieveDate": "2026-01-01T00:00:00Z"}),
        ("ReserveNow", {"connectorId": 1, "expiryDate": "2030-01-01T00:00:00Z", "idTag": "OWNER1", "reservationId": 7}),
        ("CancelReservation", {"reservationId": 7}),
        ("ClearCache", {}),
        ("SendLocalList", {"listVersion": 3, "updateType": "Full", "localAuthorizationList": [
            {"idTag": "OWNER1", "idTagInfo": {"status": "Accepted"}}]}),
        ("GetLocalListVersion", {}),
        ("SetChargingProfile", {"connectorId": 1, "csChargingProfiles": {
            "chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute", "chargingSchedule": {
                "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7000.0}]}}}),
        ("ClearChargingProfile", {"id": 1}),
        ("DataTransfer", {"vendorId": "com.example"}),
        ("Reset", {"type": "Soft"}),
    ]
    results = {}
    for action, payload in commands:
        r = client.post("/api/v1/chargers/CP-HOME/operations/", json={"action": action, "payload": payload})
        assert r.status_code == 202, r.text
        op_id = r.json()["id"]
        results[action] = wait_until(
            lambda op_id=op_id: (op := ChargerOperation.objects.get(pk=op_id)).status != "pending" and op
        )
    assert all(op.status in ("accepted", "rejected") for op in results.values()), {
        a: (o.status, o.error) for a, o in results.items()}
    assert results["GetConfiguration"].response["configurationKey"][0]["value"] == "40"
    assert results["DataTransfer"].status == "rejected"  # UnknownVendorId is a "no"
    # The remote start really started a transaction; firmware progress was followed.
    wait_until(lambda: ChargingSession.objects.filter(charge_point=charger, connector_id=2).exists())
    wait_until(lambda: ChargePoint.objects.get(pk=charger.pk).firmware_status == "Installed")
    loop.run_until_complete(stop_sim(ws, listener))
    wait_until(lambda: not ChargePoint.objects.get(pk=charger.pk).is_online)
    # The frame log is written in bulk a moment later.
    wait_until(lambda: OcppFrame.objects.filter(charge_point_id="CP-HOME", direction="out", action="Reset").exists())


def test_bad_command_parameters_get_a_json_error_and_store_nothing(server, charger, owner, outsider):
    client = api_client(server.url, owner)
    r = client.post("/api/v1/chargers/CP-HOME/operations/", json={"action": "Reset", "payload": {"type": "Sideways"}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_parameters"
    r = client.post("/api/v1/chargers/CP-HOME/operations/", json={"action": "Explode"})
    assert r.status_code == 400 and "action" in r.json()["error"]["fields"]
    assert not ChargerOperation.objects.exists()
    r = api_client(server.url, outsider).post("/api/v1/chargers/CP-HOME/operations/", json={"action": "ClearCache"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="cross-process needs the Redis channel layer")
def test_command_crosses_processes_through_redis(server_factory, charger, owner, sim_loop):
    worker_a = server_factory("worker-a")
    worker_b = server_factory("worker-b")
    loop = sim_loop
    cp, ws, listener = loop.run_until_complete(start_sim(worker_a.ws_url, "CP-HOME"))
    client = api_client(worker_b.url, owner)
    r = client.post("/api/v1/chargers/CP-HOME/operations/", json={"action": "GetConfiguration", "payload": {}})
    assert r.status_code == 202

    async def wait_answer():
        for _ in range(100):
            op = await asyncio.to_thread(ChargerOperation.objects.get, pk=r.json()["id"])
            if op.status != "pending":
                return op
            await asyncio.sleep(0.1)

    op = loop.run_until_complete(wait_answer())
    assert op.status == "accepted" and op.response["configurationKey"]
    loop.run_until_complete(stop_sim(ws, listener))


def test_server_killed_mid_transaction_then_reconnect_loses_nothing(server_factory, charger, tags, sim_loop):
    first = server_factory("first")
    cp, ws, listener = sim_loop.run_until_complete(start_sim(first.ws_url, "CP-HOME"))

    async def begin():
        tx = await cp.start_transaction(1, "OWNER1")
        await cp.send_meter_values(tx, 600)
        return tx

    tx = sim_loop.run_until_complete(begin())
    first.kill()  # no clean shutdown: the socket just dies
    sim_loop.run_until_complete(stop_sim(ws, listener))
    second = server_factory("second")

    async def resume():
        # The same charger (same meter, same open transaction) reconnects and carries on.
        ws2 = await connect(second.ws_url, "CP-HOME", CHARGER_PASSWORD)
        cp._connection = ws2
        listener2 = asyncio.ensure_future(cp.start())
        await cp.boot()
        await cp.send_meter_values(tx, 600)
        await cp.stop_transaction(tx.transaction_id, "Local")
        await stop_sim(ws2, listener2)

    sim_loop.run_until_complete(resume())
    session = ChargingSession.objects.get(pk=tx.transaction_id)
    assert session.status == "completed"
    assert session.meter_stop == int(cp.meter_wh)
    assert MeterValue.objects.filter(session=session, measurand="Energy.Active.Import.Register").count() == 2
    assert ChargingSession.objects.filter(charge_point=charger).count() == 1
