"""The hand-written SQL of the gateway's hot path agrees with its ORM twin."""

from datetime import timedelta

import pytest
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from chargers.models import ChargePoint, Connector, IdTag
from chargers.services import _connector_status_sql
from sessions_app import hotpath
from sessions_app.authorization import _tag_row
from sessions_app.models import ChargingSession, MeterValue

pytestmark = pytest.mark.django_db


def test_open_or_same_sessions_matches_the_orm(charger, tags):
    start = timezone.now().replace(microsecond=123000)
    open_one = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="OWNER1",
                                              started_at=start, meter_start=10)
    done = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="OWNER1",
                                          started_at=start - timedelta(hours=1), meter_start=5, status="completed")
    rows = hotpath.open_or_same_sessions(charger.pk, 1, "OWNER1", start - timedelta(hours=1), 5)
    orm = ChargingSession.objects.filter(
        Q(status="active") | Q(id_tag="OWNER1", started_at=start - timedelta(hours=1), meter_start=5),
        charge_point=charger, connector_id=1)
    assert sorted(r[0] for r in rows) == sorted(orm.values_list("pk", flat=True)) == sorted([open_one.pk, done.pk])
    assert {r[0]: r[3] for r in rows} == {open_one.pk: False, done.pk: True}


def test_charger_facts_match_the_orm(group_charger, charger):
    for cp in (group_charger, charger):
        facts, tariff_id = hotpath.charger_facts(cp.pk)
        orm = ChargePoint.objects.filter(pk=cp.pk).values(
            "owner_id", "organisation_id", "free_charging", "group_link__group__tariff_id").get()
        assert (facts.owner_id, facts.organisation_id, facts.free_charging, tariff_id) == tuple(orm.values())


def test_tag_row_matches_the_orm(tags, charger, group_charger):
    tags["member"].valid_charge_points.add(group_charger)
    tags["guest"].expires_at = timezone.now() + timedelta(days=1)
    tags["guest"].save()
    for tag in IdTag.objects.all():
        for cp in (charger, group_charger):
            restrictions = IdTag.valid_charge_points.through.objects.filter(idtag_id=OuterRef("pk"))
            here = restrictions.filter(chargepoint_id=cp.pk)
            orm = (IdTag.objects.filter(pk=tag.pk)
                   .annotate(restricted=Exists(restrictions), valid_here=Exists(here))
                   .values("pk", "user_id", "is_active", "expires_at", "parent_id_tag", "user__is_active",
                           "user__organisation_id", "restricted", "valid_here").get())
            assert _tag_row(tag.id_tag.lower(), cp.pk) == orm


def test_connector_status_sql_keeps_newer_reports(charger):
    now = timezone.now()
    values = {"status": "Charging", "error_code": "NoError", "info": "", "vendor_id": "", "vendor_error_code": "",
              "status_timestamp": now, "status_changed_at": now}
    assert _connector_status_sql(charger.pk, 1, values) == 1
    older = {**values, "status": "Available", "status_timestamp": now - timedelta(minutes=5)}
    assert _connector_status_sql(charger.pk, 1, older) == 0
    connector = Connector.objects.get(charge_point=charger, connector_id=1)
    assert connector.status == "Charging" and connector.status_timestamp == now


def test_plug_out_and_max_power(charger):
    start = timezone.now() - timedelta(hours=2)
    s = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="X", started_at=start,
                                       meter_start=0, status="completed", stopped_at=start + timedelta(hours=1))
    for i, (value, unit) in enumerate([(7000, "W"), (11.0, "kW"), (5000, "W")]):
        MeterValue.objects.create(charge_point=charger, connector_id=1, session=s, measurand="Power.Active.Import",
                                  unit=unit, value=value, timestamp=start + timedelta(minutes=i))
    orm = dict(MeterValue.objects.filter(session=s, measurand="Power.Active.Import", phase="")
               .values_list("unit").annotate(Max("value")))
    assert dict(hotpath.max_power_by_unit(s.pk, "Power.Active.Import")) == orm
    out = start + timedelta(hours=1, minutes=5)
    s.tariff_snapshot = {"parking_fee_per_hour": "1.50"}
    s.save()
    assert hotpath.set_plugged_out(charger.pk, 1, out) == (s.pk, {"parking_fee_per_hour": "1.50"})
    assert hotpath.set_plugged_out(charger.pk, 1, out + timedelta(minutes=1)) is None  # already set
    s.refresh_from_db()
    assert s.plugged_out_at == out


def test_charger_timestamps_without_offset_are_utc():
    from datetime import UTC, datetime

    from chargers.services import parse_timestamp

    assert parse_timestamp("2026-03-01T10:00:00") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_timestamp("2026-03-01T10:00:00.5+01:00") == datetime(2026, 3, 1, 9, 0, 0, 500000, tzinfo=UTC)
    assert parse_timestamp("garbage") is None


def test_store_live_values_matches_bulk_update(charger, group_charger):
    start = timezone.now()
    a = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="A", started_at=start,
                                       meter_start=0)
    b = ChargingSession.objects.create(charge_point=group_charger, connector_id=1, id_tag="B", started_at=start,
                                       meter_start=0)
    a.last_meter_wh, a.current_power_w, a.max_power_w, a.soc_percent = 5000, 7200.0, 11000.0, 55.0
    b.last_meter_wh, b.current_power_w, b.max_power_w, b.soc_percent = 300, 3700.0, 3700.0, None
    a.updated_at = b.updated_at = start + timedelta(minutes=5)
    hotpath.store_live_values([a, b])
    for s in (a, b):
        row = ChargingSession.objects.values("last_meter_wh", "current_power_w", "max_power_w", "soc_percent",
                                             "updated_at").get(pk=s.pk)
        assert row == {"last_meter_wh": s.last_meter_wh, "current_power_w": s.current_power_w,
                       "max_power_w": s.max_power_w, "soc_percent": s.soc_percent, "updated_at": s.updated_at}


def test_insert_samples_skips_retried_samples(charger):
    at = timezone.now().replace(microsecond=0)
    rows = [hotpath.Sample(charger.pk, 1, None, at, m, "", u, "Sample.Periodic", "", v, raw, at)
            for m, u, v, raw in (("Energy.Active.Import.Register", "Wh", 1234.0, ""),
                                 ("Power.Active.Import", "W", 7000.5, ""),
                                 ("SoC", "Percent", None, "tab\there, back\\slash,\nnew line, é"))]
    hotpath.insert_samples(rows)
    hotpath.insert_samples(list(rows))  # a retried MeterValues
    assert sorted(MeterValue.objects.values_list("measurand", "value", "raw_value", "timestamp")) == [
        ("Energy.Active.Import.Register", 1234.0, "", at), ("Power.Active.Import", 7000.5, "", at),
        ("SoC", None, "tab\there, back\\slash,\nnew line, é", at)]


def test_copy_text_escapes_what_copy_would_read_otherwise():
    from datetime import UTC, datetime

    from wccportal.lib.sql import copy_text

    when = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)
    assert copy_text([("a\tb\nc\\d\re", None, 7, 2.5, True, when)]) == (
        "a\\tb\\nc\\\\d\\re\t\\N\t7\t2.5\tt\t2026-01-02T03:04:05.600000+00:00\n")
    # Plain text passes unchanged; str subclasses (safe strings) are escaped like str.
    from decimal import Decimal

    from django.utils.safestring import mark_safe

    assert copy_text([('{"a": "é"}', mark_safe("x\ty"), False, Decimal("1.50"))]) == (
        '{"a": "é"}\tx\\ty\tf\t1.50\n')


def test_start_facts_match_the_orm(group_charger, charger):
    Connector.objects.update_or_create(charge_point=charger, connector_id=1,
                                       defaults={"status": "Preparing", "status_timestamp": timezone.now()})
    for cp in (group_charger, charger):
        facts, tariff_id, connector = hotpath.start_facts(cp.pk, 1)
        assert (facts, tariff_id) == hotpath.charger_facts(cp.pk)
        orm = (Connector.objects.filter(charge_point=cp, connector_id=1)
               .values_list("status", "status_timestamp").first())
        assert connector == orm
    assert hotpath.start_facts(charger.pk, 7)[2] is None  # no such connector


def test_open_session_for_events_matches_the_orm(charger):
    from sessions_app.models import SessionEvent

    assert hotpath.open_session_for_events(charger.pk, 1, "charging_started") is None
    start = timezone.now()
    s = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="X", started_at=start,
                                       meter_start=0, user=charger.owner)
    ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="X", meter_start=0,
                                   started_at=start - timedelta(hours=1), status="completed")
    assert hotpath.open_session_for_events(charger.pk, 1, "charging_started") == (s.pk, charger.owner_id, start,
                                                                                   False)
    SessionEvent.objects.create(session=s, kind="charging_started", at=start)
    assert hotpath.open_session_for_events(charger.pk, 1, "charging_started")[3] is True


def test_start_request_for_matches_the_orm(charger):
    from sessions_app.models import StartRequest

    now = timezone.now()
    old = StartRequest.objects.create(user=charger.owner, charge_point=charger, connector_id=1, id_tag="abc",
                                      source="portal", created_at=now - timedelta(minutes=2))
    new = StartRequest.objects.create(user=charger.owner, charge_point=charger, connector_id=1, id_tag="ABC",
                                      source="app", vehicle_mileage_km=120, created_at=now - timedelta(minutes=1))
    StartRequest.objects.create(user=charger.owner, charge_point=charger, connector_id=2, id_tag="ABC",
                                source="app", created_at=now)
    found = hotpath.start_request_for(charger.pk, 1, "Abc", now - timedelta(minutes=5))
    assert (found.pk, found.source, found.vehicle_mileage_km, found.vehicle_id) == (new.pk, "app", 120, "")
    assert hotpath.start_request_for(charger.pk, 1, "Abc", now - timedelta(seconds=30)) is None
    assert old.pk != new.pk


def test_live_sessions_match_the_orm(charger):
    a = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="A", meter_start=3,
                                       started_at=timezone.now(), last_meter_wh=10, current_power_w=7.5)
    fields = ("pk", "charge_point_id", "user_id", "status", "meter_start", "meter_stop", "last_meter_wh",
              "current_power_w", "max_power_w", "soc_percent", "updated_at")
    assert hotpath.live_sessions([a.pk, 999999]) == list(ChargingSession.objects.filter(pk=a.pk).values_list(*fields))
