"""TAR-2 change and remove: periods are replaced at once, removal detaches the tariff from
every group, and sessions keep the copy of the tariff they started with (TAR-3)."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal as D

import pytest

from groups import tariffs
from groups.models import Group, TariffPeriod
from sessions_app.models import ChargingSession
from sessions_app.services import session_start, session_stop
from tests.factories.groups import GroupFactory
from wccportal.errors import DomainError

pytestmark = pytest.mark.django_db

WEEKEND = {"weekdays": "56", "start_time": time(0), "end_time": time(0), "price_per_kwh": D("0.25")}


def test_update_changes_fields_and_keeps_periods_when_not_given(peak_tariff):
    tariffs.tariff_update(tariff=peak_tariff, name="Evening peak", price_per_kwh=D("0.32"))
    peak_tariff.refresh_from_db()
    assert (peak_tariff.name, peak_tariff.price_per_kwh, peak_tariff.connection_fee) == (
        "Evening peak", D("0.32"), D("1.00"))
    assert peak_tariff.periods.get().price_per_kwh == D("0.40")


def test_update_replaces_all_periods(peak_tariff):
    old = list(peak_tariff.periods.values_list("pk", flat=True))
    tariffs.tariff_update(tariff=peak_tariff, periods=[WEEKEND])
    assert list(peak_tariff.periods.values_list("weekdays", "price_per_kwh")) == [("56", D("0.25"))]
    assert not TariffPeriod.objects.filter(pk__in=old).exists()
    tariffs.tariff_update(tariff=peak_tariff, periods=[])
    assert peak_tariff.periods.count() == 0


def test_a_refused_update_changes_nothing(peak_tariff):
    overlapping = [WEEKEND, {**WEEKEND, "weekdays": "6", "start_time": time(8), "end_time": time(9)}]
    with pytest.raises(DomainError) as exc:
        tariffs.tariff_update(tariff=peak_tariff, name="Changed", periods=overlapping)
    assert exc.value.code == "periods_overlap"
    peak_tariff.refresh_from_db()
    assert peak_tariff.name == "Peak evenings"
    assert list(peak_tariff.periods.values_list("weekdays", flat=True)) == ["01234"]


def test_update_checks_the_merged_values(peak_tariff):
    tariffs.tariff_update(tariff=peak_tariff, min_price=D("5"))
    with pytest.raises(DomainError) as exc:
        tariffs.tariff_update(tariff=peak_tariff, max_price=D("4"))
    assert exc.value.code == "min_above_max"


def test_groups_using_a_tariff(owner, peak_tariff):
    b = GroupFactory(owner=owner, name="B", tariff=peak_tariff)
    a = GroupFactory(owner=owner, name="A", tariff=peak_tariff)
    GroupFactory(owner=owner, name="C")
    assert tariffs.tariff_groups(peak_tariff) == [a, b]


def test_delete_detaches_every_group(owner, peak_tariff):
    groups = [GroupFactory(owner=owner, tariff=peak_tariff) for _ in range(2)]
    other = GroupFactory(owner=owner, tariff=tariffs.tariff_create(owner=owner, name="Other", price_per_kwh=1))
    detached = tariffs.tariff_delete(tariff=peak_tariff)
    assert sorted(detached) == sorted(g.pk for g in groups)
    assert list(Group.objects.filter(pk__in=detached).values_list("tariff", flat=True)) == [None, None]
    assert Group.objects.get(pk=other.pk).tariff.name == "Other"
    assert TariffPeriod.objects.filter(tariff_id=peak_tariff.pk).count() == 0


def test_sessions_keep_their_tariff_and_cost_after_a_change_and_a_removal(world, group_charger, owner):
    """35.13 kWh × 0.30 EUR = 10.54 EUR plus the 1.00 EUR connection fee (seeds, SES-8)."""
    tariff = group_charger.group_link.group.tariff
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    tx = session_start(charge_point_pk=group_charger.pk, payload={
        "connectorId": 1, "idTag": "MEMBER1", "meterStart": 1000, "timestamp": start.isoformat()})["transactionId"]
    session_stop(charge_point_pk=group_charger.pk, payload={
        "transactionId": tx, "meterStop": 1000 + 35130, "timestamp": (start + timedelta(hours=2)).isoformat()})
    session = ChargingSession.objects.get(pk=tx)
    assert (session.cost_energy, session.cost_connection, session.total_cost) == (D("10.54"), D("1.00"), D("11.54"))
    snapshot = session.tariff_snapshot

    tariffs.tariff_update(tariff=tariff, price_per_kwh=D("0.50"), connection_fee=D("0"))
    tariffs.tariff_delete(tariff=tariff)

    session.refresh_from_db()
    assert session.tariff_snapshot == snapshot and snapshot["price_per_kwh"] in ("0.3", "0.30", "0.3000")
    assert (session.cost_energy, session.total_cost, session.currency) == (D("10.54"), D("11.54"), "EUR")
    # The group has no tariff now: the next session there is not priced.
    assert Group.objects.get(pk=group_charger.group_link.group.pk).tariff is None
    tx2 = session_start(charge_point_pk=group_charger.pk, payload={
        "connectorId": 1, "idTag": "MEMBER1", "meterStart": 50000,
        "timestamp": (start + timedelta(hours=3)).isoformat()})["transactionId"]
    assert ChargingSession.objects.get(pk=tx2).tariff_snapshot is None
