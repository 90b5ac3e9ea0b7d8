"""wccportal.lib.sql's model helpers write and read rows as the ORM does."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from sessions_app.models import ChargingSession, SessionEvent
from wccportal.lib import sql

pytestmark = pytest.mark.django_db


def test_insert_fills_defaults_json_and_the_pk_like_create(charger):
    start = timezone.now().replace(microsecond=0)
    session = ChargingSession(charge_point_id=charger.pk, connector_id=1, id_tag="T1", started_at=start,
                              meter_start=5, tariff_snapshot={"currency": "EUR", "energy_per_kwh": "0.30"})
    sql.insert(session)
    assert session.pk and not session._state.adding
    twin = ChargingSession.objects.create(charge_point_id=charger.pk, connector_id=2, id_tag="T1", started_at=start,
                                          meter_start=5, tariff_snapshot={"currency": "EUR", "energy_per_kwh": "0.30"})
    fields = [f.attname for f in ChargingSession._meta.concrete_fields
              if f.attname not in ("id", "connector_id", "updated_at", "received_start_at")]
    stored = ChargingSession.objects.values(*fields, "updated_at")
    mine, orm = stored.get(pk=session.pk), stored.get(pk=twin.pk)
    assert mine.pop("updated_at") is not None  # auto_now filled in
    orm.pop("updated_at")
    assert mine == orm
    assert mine["tariff_snapshot"] == {"currency": "EUR", "energy_per_kwh": "0.30"} and mine["status"] == "active"


def test_insert_many_and_update(charger):
    session = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="T", meter_start=0,
                                             started_at=timezone.now())
    at = timezone.now()
    sql.insert_many([SessionEvent(session=session, kind="vehicle_connected", at=at),
                     SessionEvent(session=session, kind="charging_started", at=at, detail="x")])
    sql.insert_many([])
    assert list(session.events.order_by("kind").values_list("kind", "detail")) == [
        ("charging_started", "x"), ("vehicle_connected", "")]
    before = ChargingSession.objects.get(pk=session.pk).updated_at
    session.total_cost, session.status = Decimal("4.20"), "completed"
    assert sql.update(session, ["total_cost", "status", "updated_at"]) == 1
    session.refresh_from_db()
    assert (session.total_cost, session.status) == (Decimal("4.20"), "completed")
    assert session.updated_at > before


def test_select_loads_the_named_fields_converted_and_defers_the_rest(charger):
    start = timezone.now() - timedelta(hours=1)
    made = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="T", meter_start=7,
                                          started_at=start, total_cost=Decimal("1.50"), tariff_snapshot={"a": 1})
    with transaction.atomic():
        found = sql.select(ChargingSession, ["started_at", "tariff_snapshot", "total_cost", "meter_start"],
                           "id = %s AND charge_point_id = %s", [made.pk, charger.pk], lock=True)
    assert len(found) == 1
    session = found[0]
    assert (session.pk, session.started_at, session.tariff_snapshot, session.total_cost, session.meter_start) == (
        made.pk, start, {"a": 1}, Decimal("1.50"), 7)
    assert "id_tag" in session.get_deferred_fields()
    assert sql.select(ChargingSession, ["meter_start"], "id = %s", [made.pk + 1000]) == []


@pytest.mark.skipif(sql.connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_hot_statements_are_prepared_after_a_few_runs_and_the_orm_binds_on_the_client():
    statement = "SELECT %s::int + 41 AS wcc_prepared_probe"

    def prepared():
        return sql.fetchone("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                            ["%wcc_prepared_probe%"])[0]

    assert [sql.fetchone(statement, [1])[0] for _ in range(4)] == [42] * 4
    assert prepared() == 0  # not yet: a statement run once or twice is not worth preparing
    for _ in range(3):
        assert sql.fetchone(statement, [2]) == (43,)
    assert prepared() == 1
    # The ORM's cursors quote parameters into the text: nothing of theirs is prepared.
    list(ChargingSession.objects.filter(connector_id=7))
    assert sql.fetchone("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                        ["%sessions_app_chargingsession%"])[0] == 0
