"""Sessions to export (SES-5), made through the session services the OCPP gateway calls, with
figures worked out by hand.

The member charges three times on the owner's group charger (tariff 0.30 EUR/kWh + 1.00 EUR
per session); the owner charges once at home (no tariff: free). Times are UTC; the site's
time zone is Europe/Berlin (UTC+1 in March, UTC+2 from 29 March 2026).

=======  ==========================  ======  ==============  ===========  ==========
session  start – stop (UTC)          energy  cost            per kWh      meter kWh
=======  ==========================  ======  ==============  ===========  ==========
m1       2026-03-02 08:00 – 09:30    12 kWh  3.60+1 = 4.60   0.38         1 → 13
m2       2026-03-10 17:00 – 18:00    7.5     2.25+1 = 3.25   0.43         13 → 20.5
m3       2026-04-01 10:00 – 11:00    5       1.50+1 = 2.50   0.50         20.5 → 25.5
o1       2026-03-05 20:00 – 21:00    4       – (free)        –            100 → 104
=======  ==========================  ======  ==============  ===========  ==========
"""

from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from sessions_app import services
from sessions_app.models import ChargingSession


def _register(tx: int, wh: int, ts: str, watts: int) -> dict:
    return {"connectorId": 1, "transactionId": tx, "meterValue": [{"timestamp": ts, "sampledValue": [
        {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh", "context": "Sample.Periodic"},
        {"value": str(watts), "measurand": "Power.Active.Import", "unit": "W", "context": "Sample.Periodic"},
    ]}]}


def charge(cp, tag: str, start: str, stop: str, meter_start: int, meter_stop: int, *, middle: str | None = None,
           watts: int = 11000, reason: str = "EVDisconnected") -> ChargingSession:
    """A whole session over the gateway's services: StartTransaction, one MeterValues half-way
    (with a power sample), StopTransaction."""
    answer = services.session_start(charge_point_pk=cp.pk, payload={
        "connectorId": 1, "idTag": tag, "meterStart": meter_start, "timestamp": start})
    tx = answer["transactionId"]
    if middle:
        services.meter_values_store(items=[(cp.pk, _register(tx, (meter_start + meter_stop) // 2, middle, watts))])
    services.session_stop(charge_point_pk=cp.pk, payload={
        "transactionId": tx, "meterStop": meter_stop, "timestamp": stop, "reason": reason, "idTag": tag})
    return ChargingSession.objects.get(pk=tx)


@pytest.fixture(autouse=True)
def _exports_root(settings, tmp_path):
    """Each test's files in a folder of its own (ids repeat from test to test)."""
    settings.EXPORTS_ROOT = tmp_path / "exports"


@dataclass
class Sessions:
    m1: ChargingSession
    m2: ChargingSession
    m3: ChargingSession
    o1: ChargingSession


@pytest.fixture
def sessions(world, group_charger, charger):
    m1 = charge(group_charger, "MEMBER1", "2026-03-02T08:00:00Z", "2026-03-02T09:30:00Z", 1000, 13000,
                middle="2026-03-02T08:45:00Z", watts=11000)
    m2 = charge(group_charger, "MEMBER1", "2026-03-10T17:00:00Z", "2026-03-10T18:00:00Z", 13000, 20500,
                middle="2026-03-10T17:30:00Z", watts=7400, reason="Remote")
    m3 = charge(group_charger, "MEMBER1", "2026-04-01T10:00:00Z", "2026-04-01T11:00:00Z", 20500, 25500)
    o1 = charge(charger, "OWNER1", "2026-03-05T20:00:00Z", "2026-03-05T21:00:00Z", 100000, 104000)
    ChargingSession.objects.filter(pk=m1.pk).update(vehicle_mileage_km=42100, vehicle_id="M-EV 42")
    for session, total in ((m1, D("4.60")), (m2, D("3.25")), (m3, D("2.50"))):
        session.refresh_from_db()
        assert session.total_cost == total, (session.pk, session.total_cost)
    assert o1.total_cost is None
    return Sessions(m1, m2, m3, o1)


def export_now(capture, *, user, format="csv", scope="all", filters=None, language="en"):
    """Ask for an export and run what follows the commit: the job (django-q2 runs it at once in
    sync mode, as configured for tests) and the e-mail it queues. Returns the export, reloaded."""
    from sessions_app.exports import export_request

    with capture(execute=True):
        export = export_request(user=user, format=format, scope=scope, filters=filters or {}, language=language)
    export.refresh_from_db()
    return export
