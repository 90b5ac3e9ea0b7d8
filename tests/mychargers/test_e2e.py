"""Settings and Start through a real server to a simulated OCPP charger (CP-3, CP-4)."""

import pytest

from chargers.models import ChargePoint, ChargerOperation
from sessions_app.models import ChargingSession
from tests.e2e import api_client, start_sim, stop_sim, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_settings_reach_the_charger_and_start_uses_the_favourite_tag(server, charger, owner, tags, sim_loop):
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    try:
        wait_until(lambda: ChargePoint.objects.get(pk=charger.pk).is_online)
        client = api_client(server.url, owner)
        response = client.patch("/api/v1/chargers/CP-HOME/settings/",
                                json={"led_brightness": 35, "free_charging": True, "name": "Carport"})
        assert response.status_code == 200, response.text
        ops = {op["payload"]["key"]: op["id"] for op in response.json()["operations"]}
        assert set(ops) == {"LedBrightness", "FreeCharging"}
        for op_id in ops.values():
            wait_until(lambda op_id=op_id: ChargerOperation.objects.get(pk=op_id).status == "accepted")
        assert sim.config.configuration["LedBrightness"] == "35"
        assert sim.config.configuration["FreeCharging"] == "true"
        # The owner's page shows the answer in the operation list.
        detail = client.get("/api/v1/chargers/CP-HOME/").json()
        assert {op["status"] for op in detail["operations"]} == {"accepted"}
        assert detail["name"] == "Carport" and detail["led_brightness"] == 35

        response = client.post("/api/v1/chargers/CP-HOME/start/", json={})
        assert response.status_code == 202, response.text
        op_id = response.json()["operation"]["id"]
        wait_until(lambda: ChargerOperation.objects.get(pk=op_id).status == "accepted")
        session = wait_until(lambda: ChargingSession.objects.filter(charge_point=charger).first())
        assert session.user_id == owner.pk and session.connector_id == 1
        assert any(tx.id_tag == "OWNER1" for tx in sim.transactions.values())
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))


def test_an_unknown_key_comes_back_not_supported(server, charger, owner, sim_loop):
    from chargers.models import ConfigurationKey

    ConfigurationKey.objects.create(model=charger.model, setting="led_brightness", key="AcmeLight")
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    try:
        wait_until(lambda: ChargePoint.objects.get(pk=charger.pk).is_online)
        client = api_client(server.url, owner)
        response = client.patch("/api/v1/chargers/CP-HOME/settings/", json={"led_brightness": 10})
        [op] = response.json()["operations"]
        assert op["payload"] == {"key": "AcmeLight", "value": "10"}
        done = wait_until(lambda: (o := ChargerOperation.objects.get(pk=op["id"])).status != "pending" and o)
        assert done.status == "rejected" and done.response == {"status": "NotSupported"}
        assert sim.config.configuration["LedBrightness"] == "80"
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))
