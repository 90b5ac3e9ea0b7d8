"""Sessions for the history tests, made the way the OCPP gateway makes them: through the real
session services (StartTransaction, MeterValues, StopTransaction), so tags, users, tariff
snapshots and costs are what a charger would produce."""

from datetime import UTC, datetime, timedelta

import pytest

from sessions_app import services
from sessions_app.models import ChargingSession


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def charge(cp, tag: str, start: datetime, *, minutes: int = 60, energy_wh: int = 10000, meter_start: int = 1000,
           connector: int = 1, power_w: float | None = 11000, stop: bool = True, reason: str = "EVDisconnected"
           ) -> ChargingSession:
    """A session on ``cp`` by ``tag`` from ``start``: one sample half-way (register and power),
    stopped after ``minutes`` having charged ``energy_wh`` (unless ``stop`` is False)."""
    answer = services.session_start(charge_point_pk=cp.pk, payload={
        "connectorId": connector, "idTag": tag, "meterStart": meter_start, "timestamp": iso(start)})
    tx = answer["transactionId"]
    half = start + timedelta(minutes=minutes / 2)
    sampled = [{"value": str(meter_start + energy_wh // 2), "measurand": "Energy.Active.Import.Register",
                "unit": "Wh", "context": "Sample.Periodic"}]
    if power_w is not None:
        sampled.append({"value": str(power_w), "measurand": "Power.Active.Import", "unit": "W",
                        "context": "Sample.Periodic"})
    services.meter_values_store(items=[(cp.pk, {"connectorId": connector, "transactionId": tx,
                                                "meterValue": [{"timestamp": iso(half), "sampledValue": sampled}]})])
    if stop:
        end = start + timedelta(minutes=minutes)
        services.session_stop(charge_point_pk=cp.pk, payload={
            "transactionId": tx, "meterStop": meter_start + energy_wh, "timestamp": iso(end), "reason": reason,
            "idTag": tag})
    return ChargingSession.objects.select_related("charge_point", "tag", "user").get(pk=tx)


def at(day: str, hour: int = 10) -> datetime:
    """A time in UTC on an ISO day ("2026-03-02")."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def build_history_world(charger, group_charger) -> dict[str, ChargingSession]:
    """Sessions across three months (the ``world`` personas and tags needed):
    - owner at home (CP-HOME, no tariff): 2026-03-02 (10 kWh), 2026-03-20 (5 kWh), 2026-01-15 (8 kWh);
    - guest on the shared CP-HOME: 2026-03-05 (4 kWh);
    - member on the group's charger (CP-GROUP, 0.30 EUR/kWh + 1.00 EUR per session):
      2026-03-03 (10 kWh → 4.00 EUR) and 2026-02-10 (20 kWh → 7.00 EUR);
    - owner on CP-GROUP 2026-03-04 (2 kWh → 1.60 EUR)."""
    return {
        "owner_mar": charge(charger, "OWNER1", at("2026-03-02"), energy_wh=10000),
        "owner_mar2": charge(charger, "OWNER1", at("2026-03-20"), energy_wh=5000, meter_start=11000),
        "owner_jan": charge(charger, "OWNER1", at("2026-01-15"), energy_wh=8000, meter_start=500),
        "guest_mar": charge(charger, "GUEST1", at("2026-03-05"), energy_wh=4000, meter_start=20000),
        "member_mar": charge(group_charger, "MEMBER1", at("2026-03-03"), energy_wh=10000),
        "member_feb": charge(group_charger, "MEMBER1", at("2026-02-10"), energy_wh=20000, minutes=120),
        "owner_group": charge(group_charger, "OWNER1", at("2026-03-04"), energy_wh=2000, meter_start=40000),
    }


@pytest.fixture
def history_world(world, charger, group_charger, tags):
    return build_history_world(charger, group_charger)
