"""Schedules that command chargers run where the charger sockets are: in the embedded default
(in-memory channel layer) in the web server's process, not in the separate job cluster."""

from io import StringIO

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from wccportal import schedules
from wccportal.lib import tasks

pytestmark = pytest.mark.django_db

EMBEDDED = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
REDIS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}


def test_the_cluster_runs_them_with_redis_and_the_web_server_without(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    settings.CHANNEL_LAYERS = REDIS
    call_command("sync_schedules", stdout=StringIO())
    assert Schedule.objects.filter(func="groups.tasks.bookings_tick").exists()
    settings.CHANNEL_LAYERS = EMBEDDED
    call_command("sync_schedules", stdout=StringIO())
    assert not Schedule.objects.filter(func="groups.tasks.bookings_tick").exists()
    assert Schedule.objects.filter(func="chargers.tasks.sweep_offline_chargers").exists()


def test_the_web_server_runs_them_on_the_charger_jobs_thread(settings, monkeypatch):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    settings.CHANNEL_LAYERS = EMBEDDED
    ran = []
    monkeypatch.setattr(schedules, "SCHEDULES", [
        schedules.Every("a", "x.charger_job", 1, chargers=True), schedules.Every("b", "x.other_job", 1)])
    monkeypatch.setattr(tasks, "_run_here", lambda func, args, kwargs: ran.append(func))
    monkeypatch.setattr(tasks, "_charger_schedules", None)
    sleeps = iter([None])
    monkeypatch.setattr("time.sleep", lambda s: next(sleeps))  # one round, then stop the loop
    with pytest.raises(StopIteration):
        tasks._charger_schedules_loop()
    tasks._executor().submit(lambda: None).result(timeout=10)
    assert ran == ["x.charger_job"]


def test_nothing_starts_with_redis_or_sync_jobs(settings, monkeypatch):
    monkeypatch.setattr(tasks, "_charger_schedules", None)
    settings.CHANNEL_LAYERS = REDIS
    tasks.start_charger_schedules()
    settings.CHANNEL_LAYERS = EMBEDDED
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    tasks.start_charger_schedules()
    assert tasks._charger_schedules is None
