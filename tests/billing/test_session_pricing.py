"""Sessions copy the tariff in force at their start, with its time-of-use periods and the
charger's time zone, and are priced from their meter samples when they stop (TAR-3). Driven
through the real session services the OCPP gateway calls."""

from datetime import time
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.pricing import TariffSnapshot
from groups.models import TariffPeriod
from sessions_app import services
from sessions_app.models import ChargingSession

pytestmark = pytest.mark.django_db

COSTS = ("currency", "cost_energy", "cost_time", "cost_connection", "cost_parking", "total_cost")


def register(tx, wh, ts, unit="Wh"):
    value = str(wh / 1000) if unit == "kWh" else str(wh)
    return {"connectorId": 1, "transactionId": tx, "meterValue": [{"timestamp": ts, "sampledValue": [
        {"value": value, "measurand": "Energy.Active.Import.Register", "unit": unit, "context": "Sample.Periodic"},
        {"value": "11000", "measurand": "Power.Active.Import", "unit": "W", "context": "Sample.Periodic"},
    ]}]}


def start(cp, at, meter=1000, tag="MEMBER1"):
    answer = services.session_start(charge_point_pk=cp.pk, payload={
        "connectorId": 1, "idTag": tag, "meterStart": meter, "timestamp": at})
    assert answer["idTagInfo"]["status"] == "Accepted"
    return answer["transactionId"]


def stop(cp, tx, at, meter):
    services.session_stop(charge_point_pk=cp.pk, payload={
        "transactionId": tx, "meterStop": meter, "timestamp": at, "reason": "EVDisconnected", "idTag": "MEMBER1",
        "transactionData": [{"timestamp": at, "sampledValue": [
            {"value": str(meter), "measurand": "Energy.Active.Import.Register", "unit": "Wh",
             "context": "Transaction.End"}]}]})
    return ChargingSession.objects.get(pk=tx)


def costs(session):
    return tuple(getattr(session, name) for name in COSTS)


@pytest.fixture
def tou(group_charger):
    """The group's tariff (0.30/kWh, 1.00 per session) with a time fee of 1.00/h and a weekday
    evening period 18:00–22:00 at 0.45/kWh and 3.00/h; the charger is in Berlin."""
    tariff = group_charger.group_link.group.tariff
    tariff.time_fee_per_hour = D("1.00")
    tariff.save()
    TariffPeriod.objects.create(tariff=tariff, weekdays="01234", start_time=time(18), end_time=time(22),
                                price_per_kwh=D("0.45"), time_fee_per_hour=D("3.00"))
    group_charger.time_zone = "Europe/Berlin"
    group_charger.save()
    return tariff


def evening_session(cp, day="2026-03-02"):
    """Monday 2026-03-02, 17:00–19:00 in Berlin (16:00–18:00 UTC); the register (Wh above the
    start) reads 8000 at 17:40, 18000 at 18:30 (sent in kWh) and 21000 at 19:00 (the stop)."""
    tx = start(cp, f"{day}T16:00:00Z")
    services.meter_values_store(items=[(cp.pk, register(tx, 9000, f"{day}T16:40:00Z"))])
    services.meter_values_store(items=[(cp.pk, register(tx, 19000, f"{day}T17:30:00Z", unit="kWh"))])
    return tx


def test_a_session_is_priced_at_stop_with_the_time_of_use_snapshot(group_charger, tou, tags):
    tx = evening_session(group_charger)
    snapshot = ChargingSession.objects.get(pk=tx).tariff_snapshot
    assert snapshot["time_zone"] == "Europe/Berlin"
    assert snapshot["periods"] == [{"weekdays": "01234", "start": "18:00:00", "end": "22:00:00",
                                    "price_per_kwh": "0.4500", "time_fee_per_hour": "3.0000"}]
    session = stop(group_charger, tx, "2026-03-02T18:00:00Z", 22000)
    # By hand (test_pricing.test_time_of_use_split_across_18_00_by_hand): energy 12 kWh × 0.30 +
    # 9 kWh × 0.45 = 3.60 + 4.05; time 1 h × 1.00 + 1 h × 3.00; connection 1.00.
    assert costs(session) == ("EUR", D("7.65"), D("4.00"), D("1.00"), D("0.00"), D("12.65"))
    assert session.priced_at is not None

    # Editing the tariff afterwards changes nothing of the finished session, even re-priced.
    tariff = tou
    tariff.price_per_kwh, tariff.connection_fee, tariff.currency = D("0.99"), D("5"), "CHF"
    tariff.save()
    TariffPeriod.objects.filter(tariff=tariff).update(price_per_kwh=D("2"), start_time=time(0))
    stop(group_charger, tx, "2026-03-02T18:00:00Z", 22000)  # a retried stop
    session.refresh_from_db()
    assert costs(session) == ("EUR", D("7.65"), D("4.00"), D("1.00"), D("0.00"), D("12.65"))
    services._price(session)
    session.refresh_from_db()
    assert costs(session)[-1] == D("12.65")


def test_a_tariff_edited_during_a_session_does_not_apply_to_it(group_charger, tou, tags):
    tx = evening_session(group_charger)
    tou.price_per_kwh = D("0.99")
    tou.save()
    TariffPeriod.objects.filter(tariff=tou).delete()
    session = stop(group_charger, tx, "2026-03-02T18:00:00Z", 22000)
    assert session.total_cost == D("12.65")
    # The next session gets the new tariff: 21 kWh × 0.99 + 2 h × 1.00 + 1.00.
    tx = evening_session(group_charger, day="2026-03-03")
    assert stop(group_charger, tx, "2026-03-03T18:00:00Z", 22000).total_cost == D("23.79")


def test_parking_starts_when_the_energy_stops_flowing(group_charger, tags):
    # The register stops at 17:00 UTC; the car stays until 18:15: 45 min past the 30 min grace.
    tariff = group_charger.group_link.group.tariff
    tariff.time_fee_per_hour, tariff.parking_fee_per_hour, tariff.parking_grace_minutes = D("2"), D("6"), 30
    tariff.save()
    tx = start(group_charger, "2026-03-02T16:00:00Z")
    services.meter_values_store(items=[(group_charger.pk, register(tx, 11000, "2026-03-02T17:00:00Z"))])
    services.meter_values_store(items=[(group_charger.pk, register(tx, 11000, "2026-03-02T17:45:00Z"))])
    session = stop(group_charger, tx, "2026-03-02T18:15:00Z", 11000)
    # 10 kWh × 0.30 = 3.00; 1 h charging × 2.00; connection 1.00; 0.75 h parked × 6.00 = 4.50.
    assert costs(session) == ("EUR", D("3.00"), D("2.00"), D("1.00"), D("4.50"), D("10.50"))


def test_a_car_left_plugged_in_after_the_stop_pays_parking_until_it_is_unplugged(group_charger, tags):
    tariff = group_charger.group_link.group.tariff
    tariff.parking_fee_per_hour, tariff.parking_grace_minutes = D("6"), 30
    tariff.save()
    tx = start(group_charger, "2026-03-02T16:00:00Z")
    services.meter_values_store(items=[(group_charger.pk, register(tx, 11000, "2026-03-02T17:00:00Z"))])
    # Stopped (say remotely) when the energy stops; the car stays until 18:30, then leaves.
    session = stop(group_charger, tx, "2026-03-02T17:00:00Z", 11000)
    assert session.cost_parking == D("0.00")
    for status, at in (("Finishing", "2026-03-02T17:00:01Z"), ("Available", "2026-03-02T18:30:00Z")):
        services.status_notification(charge_point_pk=group_charger.pk, payload={
            "connectorId": 1, "status": status, "errorCode": "NoError", "timestamp": at})
    session.refresh_from_db()
    # 1.5 h plugged in after charging, 30 min grace: 1 h × 6.00.
    assert (session.cost_parking, session.total_cost) == (D("6.00"), D("10.00"))


def test_an_old_snapshot_without_periods_is_still_priced(group_charger, tags):
    tx = start(group_charger, "2026-03-02T16:00:00Z")
    old = {"currency": "EUR", "name": "Standard", "price_per_kwh": "0.3000", "connection_fee": "1.0000",
           "time_fee_per_hour": "0.0000", "parking_fee_per_hour": "0.0000", "parking_grace_minutes": 0,
           "min_price": None, "max_price": None}
    ChargingSession.objects.filter(pk=tx).update(tariff_snapshot=old)
    session = stop(group_charger, tx, "2026-03-02T19:05:00Z", 36130)
    assert costs(session) == ("EUR", D("10.54"), D("0.00"), D("1.00"), D("0.00"), D("11.54"))


def test_minimum_and_maximum_reach_the_stored_total(group_charger, tags):
    tariff = group_charger.group_link.group.tariff
    tariff.min_price = D("5.00")
    tariff.save()
    tx = start(group_charger, "2026-03-02T16:00:00Z")
    assert stop(group_charger, tx, "2026-03-02T17:00:00Z", 3000).total_cost == D("5.00")  # 0.60 + 1.00
    tariff.min_price, tariff.max_price = None, D("8.00")
    tariff.save()
    tx = start(group_charger, "2026-03-02T18:00:00Z", meter=3000)
    session = stop(group_charger, tx, "2026-03-02T20:00:00Z", 38130)
    assert (session.cost_energy, session.total_cost) == (D("10.54"), D("8.00"))


def test_the_snapshot_costs_one_query_and_one_more_for_periods(group_charger, charger):
    tariff_id = group_charger.group_link.group.tariff_id
    with CaptureQueriesContext(connection) as plain:
        snapshot = services.tariff_snapshot_for_id(tariff_id, charge_point_pk=group_charger.pk)
    assert len(plain) == 1
    assert snapshot.periods == () and snapshot.time_zone == group_charger.time_zone
    TariffPeriod.objects.create(tariff_id=tariff_id, weekdays="56", start_time=time(8), end_time=time(12),
                                price_per_kwh=D("0.20"))
    with CaptureQueriesContext(connection) as with_periods:
        snapshot = services.tariff_snapshot_for_id(tariff_id, charge_point_pk=group_charger.pk)
    assert len(with_periods) == 2
    assert snapshot.periods[0].weekdays == "56" and snapshot.periods[0].start == time(8)
    assert TariffSnapshot.from_dict(snapshot.to_dict()) == snapshot
    assert services.tariff_snapshot_for(charger) is None  # not in a group
    assert services.tariff_snapshot_for(group_charger) == snapshot
