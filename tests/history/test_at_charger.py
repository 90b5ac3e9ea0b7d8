"""A session started by RFID at the charger, with no app involved (real OCPP 1.6 frames over
the websocket), appears in the driver's history with the right user, tag and cost, and in
the group owner's history of their charger."""

import pytest
from channels.db import database_sync_to_async as db
from django.test import AsyncClient
from django.urls import reverse

from tests.gateway.helpers import booted, call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def sampled(tx, wh, watts_per_phase, ts):
    """A MeterValues with the register in kWh and the power per phase only (no total)."""
    return {"connectorId": 2, "transactionId": tx, "meterValue": [{"timestamp": ts, "sampledValue": [
        {"value": f"{wh / 1000:.3f}", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
        *({"value": str(watts_per_phase), "measurand": "Power.Active.Import", "unit": "W", "phase": phase}
          for phase in ("L1", "L2", "L3")),
    ]}]}


async def test_rfid_session_at_the_charger_appears_in_the_history(group_charger, tags, member, owner):
    comm = await booted("CP-GROUP")
    assert (await call(comm, "StatusNotification", {"connectorId": 2, "status": "Preparing",
                                                    "errorCode": "NoError"}))[2] == {}
    start = await call(comm, "StartTransaction", {
        "connectorId": 2, "idTag": "MEMBER1", "meterStart": 250000, "timestamp": "2026-03-10T07:00:00Z"})
    tx = start[2]["transactionId"]
    assert start[2]["idTagInfo"]["status"] == "Accepted"
    await call(comm, "MeterValues", sampled(tx, 253700, 3680, "2026-03-10T07:20:00Z"))
    await call(comm, "MeterValues", sampled(tx, 257100, 3600, "2026-03-10T07:40:00Z"))
    await call(comm, "StopTransaction", {
        "transactionId": tx, "meterStop": 260000, "timestamp": "2026-03-10T08:00:00Z", "reason": "Local",
        "idTag": "MEMBER1"})
    await comm.disconnect()

    client = AsyncClient()
    await db(client.force_login)(member)
    body = (await client.get("/api/v1/sessions/", {"month": "2026-03"})).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == tx and row["mine"] is True and row["source"] == "rfid"
    assert row["tag"]["id"] == tags["member"].pk and row["tag"]["id_tag"] == "MEMBER1"
    # 10 kWh × 0.30 EUR + 1.00 EUR per session (the group's tariff).
    assert (row["energy_kwh"], row["total_cost"], row["cost_per_kwh"]) == ("10.000", "4.00", "0.40")
    assert (row["meter_start_kwh"], row["meter_stop_kwh"]) == ("250.000", "260.000")
    assert row["max_power_kw"] == "11.04"  # 3 × 3,680 W: the phases summed
    assert (row["plug_in_at"], row["plug_out_at"]) == ("2026-03-10T08:00:00+01:00", "2026-03-10T09:00:00+01:00")
    power = (await client.get(f"/api/v1/sessions/{tx}/power/")).json()
    assert power["source"] == "power" and [p["kw"] for p in power["points"]] == [11.04, 10.8]

    page = (await client.get(reverse("app:sessions"), {"month": "2026-03"})).content.decode()
    assert f'data-session="{tx}"' in page and "4.00 EUR" in page

    # The group owner finds it under "On my chargers", with the driver's name.
    await db(client.force_login)(owner)
    body = (await client.get("/api/v1/sessions/", {"scope": "chargers", "charger": "CP-GROUP"})).json()
    assert [(r["id"], r["mine"], r["driver"]) for r in body["results"]] == [(tx, False, member.get_full_name())]
