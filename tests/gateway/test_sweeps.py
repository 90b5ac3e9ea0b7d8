"""Scheduled sweeps: silent chargers go offline, unanswered operations time out."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from chargers.models import ChargePoint, ChargerOperation
from chargers.tasks import sweep_offline_chargers, sweep_operation_timeouts
from ocpp_gateway.models import OcppFrame
from ocpp_gateway.services import frame_log_prune

pytestmark = pytest.mark.django_db


def test_silent_chargers_are_marked_offline(charger, group_charger, settings):
    now = timezone.now()
    ChargePoint.objects.filter(pk=charger.pk).update(
        is_online=True, last_seen_at=now - timedelta(seconds=settings.OCPP_OFFLINE_TIMEOUT + 5))
    ChargePoint.objects.filter(pk=group_charger.pk).update(is_online=True, last_seen_at=now)
    assert sweep_offline_chargers() == 1
    assert not ChargePoint.objects.get(pk=charger.pk).is_online
    assert ChargePoint.objects.get(pk=group_charger.pk).is_online


def test_unanswered_operations_time_out(charger, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.OCPP_CALL_TIMEOUT + 60)
    old = ChargerOperation.objects.create(charge_point=charger, action="Reset", payload={"type": "Soft"},
                                          created_at=long_ago)
    fresh = ChargerOperation.objects.create(charge_point=charger, action="Reset", payload={"type": "Soft"})
    assert sweep_operation_timeouts() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == "timed_out" and old.completed_at is not None
    assert fresh.status == "pending"


def test_frame_log_is_pruned(charger):
    OcppFrame.objects.create(charge_point_id="CP-HOME", direction="in", payload="[]",
                             created_at=timezone.now() - timedelta(days=100))
    OcppFrame.objects.create(charge_point_id="CP-HOME", direction="in", payload="[]")
    assert frame_log_prune(keep_days=90) == 1
    assert OcppFrame.objects.count() == 1


def test_schedules_include_the_sweeps():
    from django_q.models import Schedule

    call_command("sync_schedules")
    funcs = set(Schedule.objects.values_list("func", flat=True))
    assert {"chargers.tasks.sweep_offline_chargers", "chargers.tasks.sweep_operation_timeouts",
            "ocpp_gateway.tasks.prune_frame_log"} <= funcs


def test_chargers_seen_records_times_in_bulk(charger, group_charger):
    from chargers.services import chargers_seen

    at = timezone.now()
    chargers_seen(pks=[charger.pk, group_charger.pk], heartbeat_pks=[charger.pk], at=at)
    a, b = ChargePoint.objects.get(pk=charger.pk), ChargePoint.objects.get(pk=group_charger.pk)
    assert a.is_online and a.last_seen_at == at and a.last_heartbeat_at == at
    assert b.is_online and b.last_seen_at == at and b.last_heartbeat_at is None
