"""Management commands of the platform: schedules in one place, idempotent demo data."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from accounts.models import Notification, User
from chargers.models import ChargePoint, ChargerShare, IdTag
from groups.models import Group, GroupCharger, Membership
from sessions_app.models import ChargingSession, MeterValue
from wccportal.demo import DEMO_CHARGERS, DEMO_PASSWORD, PERSONAS
from wccportal.schedules import SCHEDULES

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def schedules() -> dict:
    return {s.name: (s.func, s.schedule_type, s.minutes, s.repeats) for s in Schedule.objects.all()}


def test_sync_schedules_applies_the_list_idempotently_and_removes_stale_ones():
    Schedule.objects.create(name="Retired job", func="nowhere.task", schedule_type=Schedule.HOURLY)
    Schedule.objects.create(name=SCHEDULES[0].name, func="old.path", schedule_type=Schedule.DAILY)

    assert run("sync_schedules") == f"{len(SCHEDULES)} schedules in place, 1 removed.\n"
    expected = {e.name: (e.func, Schedule.MINUTES, e.minutes, -1) for e in SCHEDULES}
    assert schedules() == expected
    ids = set(Schedule.objects.values_list("pk", flat=True))

    assert run("sync_schedules") == f"{len(SCHEDULES)} schedules in place, 0 removed.\n"
    assert schedules() == expected
    assert set(Schedule.objects.values_list("pk", flat=True)) == ids


def test_scheduled_functions_exist():
    from django.utils.module_loading import import_string

    for entry in SCHEDULES:
        assert callable(import_string(entry.func)), entry.func


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in
            (User, ChargePoint, IdTag, Group, Membership, GroupCharger, ChargerShare, Notification,
             ChargingSession, MeterValue)}


def test_demo_data_creates_the_personas_and_is_idempotent(client):
    first = run("demo_data", "--days", "5")
    after_first = counts()
    created = ChargingSession.objects.count()
    assert f"{created} new sessions" in first
    assert created > 0 and after_first["MeterValue"] > 0

    second = run("demo_data", "--days", "5")
    assert "0 new sessions" in second
    assert counts() == after_first

    assert after_first["User"] == len(PERSONAS)
    for key, persona in PERSONAS.items():
        user = User.objects.get(email=persona["email"])
        assert user.check_password(DEMO_PASSWORD)
        assert persona["email"] in first and DEMO_PASSWORD in first
        assert user.is_staff is (key == "staff")
    operator = User.objects.get(email=PERSONAS["operator"]["email"])
    assert operator.is_organisation_user and operator.organisation
    assert set(ChargePoint.objects.values_list("charge_point_id", flat=True)) == {c[0] for c in DEMO_CHARGERS}
    assert ChargePoint.objects.get(charge_point_id="DEMO-CP-101").organisation == operator.organisation

    # The demo sessions lie in the requested window, are finished and priced where a tariff applies.
    assert not ChargingSession.objects.exclude(status=ChargingSession.Status.COMPLETED).exists()
    assert not ChargingSession.objects.filter(started_at__lt=timezone.now() - timedelta(days=6)).exists()
    priced = ChargingSession.objects.filter(charge_point__charge_point_id="DEMO-CP-002")
    assert priced.exists()
    assert all(s.total_cost is not None and s.currency == "EUR" for s in priced)

    # The personas can sign in with the printed password.
    assert client.login(email=PERSONAS["owner"]["email"], password=DEMO_PASSWORD)
