"""Requesting diagnostics (CP-7): a one-time upload link in GetDiagnostics, what an offline
charger gets, bad periods, and how the charger's answers and status reports move a request."""

import hashlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from chargers.diagnostics import (
    diagnostics_expire,
    diagnostics_request,
    diagnostics_status_reported,
    diagnostics_upload_target,
    safe_file_name,
)
from chargers.models import ChargePoint, ChargerOperation, DiagnosticsFile
from chargers.portal_operations import GetDiagnosticsForm
from chargers.services import charger_diagnostics_status, operation_complete, operation_failed
from tests.diagnostics.helpers import online
from wccportal.errors import DomainError

pytestmark = pytest.mark.django_db


def test_request_sends_get_diagnostics_with_a_one_time_link(charger, owner, django_capture_on_commit_callbacks):
    online(charger)
    start = timezone.now() - timedelta(days=2)
    stop = timezone.now() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = diagnostics_request(charge_point=charger, acting_user=owner, start_time=start, stop_time=stop,
                                  retries=2)
    assert callbacks, "the command goes to the charger after commit"
    op = row.operation
    assert op.action == "GetDiagnostics" and op.status == ChargerOperation.Status.PENDING
    assert op.requested_by == owner
    location = op.payload["location"]
    prefix = f"{settings.SITE_URL}/diagnostics/"
    assert location.startswith(prefix) and location.endswith("/")
    token = location[len(prefix):-1]
    assert len(token) >= 40
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
    assert op.payload["retries"] == 2 and op.payload["startTime"].endswith("Z") and "stopTime" in op.payload
    assert row.status == DiagnosticsFile.Status.REQUESTED and row.requested_by == owner
    hours = (row.expires_at - row.requested_at).total_seconds() / 3600
    assert hours == pytest.approx(settings.DIAGNOSTICS_UPLOAD_HOURS)
    assert diagnostics_upload_target(token) == row
    assert diagnostics_upload_target(token + "x") is None


def test_every_request_gets_its_own_link(charger, owner):
    online(charger)
    first = diagnostics_request(charge_point=charger, acting_user=owner)
    second = diagnostics_request(charge_point=charger, acting_user=owner)
    assert first.token_hash != second.token_hash
    assert first.operation.payload["location"] != second.operation.payload["location"]


def test_offline_charger_fails_at_once(charger, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = diagnostics_request(charge_point=charger, acting_user=owner)
    assert row.operation.status == ChargerOperation.Status.OFFLINE
    row.refresh_from_db()
    assert row.status == DiagnosticsFile.Status.FAILED
    token = row.operation.payload["location"].rstrip("/").rsplit("/", 1)[1]
    assert diagnostics_upload_target(token) is None  # a failed request takes no upload


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"start_time": "now", "stop_time": "now"}, "stop_time"),
    ({"start_time": "later", "stop_time": "now"}, "stop_time"),
    ({"retries": -1}, "retries"),
    ({"retries": 101}, "retries"),
    ({"retry_interval": 10**6}, "retry_interval"),
])
def test_bad_parameters_are_refused_and_nothing_is_written(charger, owner, kwargs, field):
    online(charger)
    now = timezone.now()
    times = {"now": now, "later": now + timedelta(hours=1)}
    kwargs = {k: times.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    with pytest.raises(DomainError) as error:
        diagnostics_request(charge_point=charger, acting_user=owner, **kwargs)
    assert error.value.code == "invalid_parameters" and field in error.value.fields
    assert not DiagnosticsFile.objects.exists() and not ChargerOperation.objects.exists()


def test_the_answer_names_the_file_and_a_failed_command_fails_the_request(charger, owner):
    online(charger)
    row = diagnostics_request(charge_point=charger, acting_user=owner)
    # The operation services hand the answer on by themselves.
    operation_complete(operation_id=row.operation_id, response={"fileName": "logs/../diag 1.tar.gz"})
    row.refresh_from_db()
    assert row.file_name == "diag 1.tar.gz" and row.status == DiagnosticsFile.Status.REQUESTED

    other = diagnostics_request(charge_point=charger, acting_user=owner)
    operation_failed(operation_id=other.operation_id, status="timed_out", error="No answer from the charger.")
    other.refresh_from_db()
    assert other.status == DiagnosticsFile.Status.FAILED


def test_an_answer_without_file_name_changes_nothing(charger, owner):
    online(charger)
    row = diagnostics_request(charge_point=charger, acting_user=owner)
    operation_complete(operation_id=row.operation_id, response={})
    row.refresh_from_db()
    assert row.file_name == "" and row.status == DiagnosticsFile.Status.REQUESTED


def test_status_notifications_move_the_latest_open_request(charger, owner, group_charger):
    online(charger)
    online(group_charger)
    older = diagnostics_request(charge_point=charger, acting_user=owner)
    latest = diagnostics_request(charge_point=charger, acting_user=owner)
    elsewhere = diagnostics_request(charge_point=group_charger, acting_user=owner)

    charger_diagnostics_status(pk=charger.pk, status="Uploading")
    assert ChargePoint.objects.get(pk=charger.pk).diagnostics_status == "Uploading"
    statuses = dict(DiagnosticsFile.objects.values_list("pk", "status"))
    assert statuses == {older.pk: "requested", latest.pk: "uploading", elsewhere.pk: "requested"}

    charger_diagnostics_status(pk=charger.pk, status="UploadFailed")
    assert DiagnosticsFile.objects.get(pk=latest.pk).status == "failed"
    # The next report concerns the request still open.
    charger_diagnostics_status(pk=charger.pk, status="Uploading")
    assert DiagnosticsFile.objects.get(pk=older.pk).status == "uploading"
    # Idle and Uploaded only change the charger's status.
    for status in ("Idle", "Uploaded"):
        charger_diagnostics_status(pk=charger.pk, status=status)
        assert ChargePoint.objects.get(pk=charger.pk).diagnostics_status == status
    assert DiagnosticsFile.objects.get(pk=older.pk).status == "uploading"
    assert DiagnosticsFile.objects.get(pk=elsewhere.pk).status == "requested"


def test_reports_leave_uploaded_and_expired_requests_alone(charger, owner):
    online(charger)
    done = diagnostics_request(charge_point=charger, acting_user=owner)
    DiagnosticsFile.objects.filter(pk=done.pk).update(status="uploaded")
    stale = diagnostics_request(charge_point=charger, acting_user=owner)
    DiagnosticsFile.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    diagnostics_status_reported(pk=charger.pk, status="UploadFailed")
    assert dict(DiagnosticsFile.objects.values_list("pk", "status")) == {done.pk: "uploaded", stale.pk: "requested"}


def test_the_sweep_expires_requests_past_their_link(charger, owner):
    online(charger)
    stale = diagnostics_request(charge_point=charger, acting_user=owner)
    fresh = diagnostics_request(charge_point=charger, acting_user=owner)
    DiagnosticsFile.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert diagnostics_expire() == 1
    assert DiagnosticsFile.objects.get(pk=stale.pk).status == "expired"
    assert DiagnosticsFile.objects.get(pk=fresh.pk).status == "requested"


@pytest.mark.parametrize(("given", "expected"), [
    ("diag.log", "diag.log"),
    ("../../etc/passwd", "passwd"),
    ("C:\\logs\\charger.zip", "charger.zip"),
    ('a"b<c>\x00\n.txt', "abc.txt"),
    ("..", ""),
    ("x" * 300, "x" * 255),
])
def test_file_names_are_made_safe(given, expected):
    assert safe_file_name(given) == expected


# --- Operations > Get Diagnostics (OPS-1): the location is optional ---------------------------


def test_get_diagnostics_form_without_location_uses_the_platform_link(charger, owner):
    online(charger)
    form = GetDiagnosticsForm({"charge_point": "CP-HOME", "retries": "1"}, user=owner)
    assert form.is_valid(), form.errors
    assert "location" not in form.payload()  # never a stand-in: only request_operation makes the link
    op = form.request_operation(acting_user=owner)
    row = DiagnosticsFile.objects.get()
    assert row.operation == op and op.payload["location"].startswith(settings.SITE_URL + "/diagnostics/")
    assert op.payload["retries"] == 1


def test_the_operations_page_without_location_asks_for_the_platform_link(client, charger, owner):
    online(charger)
    client.force_login(owner)
    response = client.post(reverse("portal:operation", args=["get-diagnostics"]), {"charge_point": "CP-HOME"})
    assert response.status_code in (200, 302)
    row = DiagnosticsFile.objects.get()
    assert row.operation.payload["location"].startswith(settings.SITE_URL + "/diagnostics/")


def test_get_diagnostics_form_with_a_location_sends_it_as_given(charger, owner):
    online(charger)
    form = GetDiagnosticsForm({"charge_point": "CP-HOME", "location": "ftp://diag.example.com/up"}, user=owner)
    assert form.is_valid(), form.errors
    op = form.request_operation(acting_user=owner)
    assert op.payload == {"location": "ftp://diag.example.com/up"}
    assert not DiagnosticsFile.objects.exists()


def test_get_diagnostics_form_still_checks_its_fields(charger, owner):
    form = GetDiagnosticsForm({"charge_point": "CP-HOME", "location": "not a url",
                               "start_time": "2026-01-02T10:00", "stop_time": "2026-01-01T10:00"}, user=owner)
    assert not form.is_valid()
    assert set(form.errors) == {"location", "stop_time"}
