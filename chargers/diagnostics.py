"""Diagnostics files (CP-7 Diagnostics tab, CP-10 charger logs): GetDiagnostics with a one-time
upload link to the platform, the upload, and what the charger reports about it.

A request is a ``DiagnosticsFile`` row holding the sha256 of a random token; the token itself
only travels in the GetDiagnostics ``location`` (``<SITE_URL>/diagnostics/<token>/``). The
charger uploads there once, while the link is valid; the file is kept in private storage for
those who manage the charger. Its progress comes from three sides: the command's answer
(``fileName``), DiagnosticsStatusNotification (Uploading / UploadFailed) and the upload itself.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import UTC, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wccportal.errors import DomainError
from wccportal.lib.realtime import live_update_on_commit

from . import services
from .models import ChargePoint, ChargerOperation, DiagnosticsFile
from .selectors import charger_list_for_user

ACTION = "GetDiagnostics"
OPEN = (DiagnosticsFile.Status.REQUESTED, DiagnosticsFile.Status.UPLOADING)
MAX_RETRIES = 100
MAX_RETRY_INTERVAL = 86400
# Operation outcomes after which no upload will come.
_OPERATION_FAILED = (
    ChargerOperation.Status.OFFLINE, ChargerOperation.Status.FAILED, ChargerOperation.Status.TIMED_OUT,
    ChargerOperation.Status.REJECTED,
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def upload_url(token: str) -> str:
    """The absolute upload link a charger gets as GetDiagnostics ``location``."""
    return settings.SITE_URL + reverse("diagnostics:upload", args=[token])


def _iso(value) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _push(row: DiagnosticsFile) -> None:
    live_update_on_commit(f"live.charger.{row.charge_point_id}", {
        "type": "live.event", "event": "diagnostics", "charger": row.charge_point_id, "id": row.pk,
        "status": row.status,
    })


# --- Requesting ------------------------------------------------------------------------------


def diagnostics_request_errors(*, start_time=None, stop_time=None, retries=None,
                               retry_interval=None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if start_time and stop_time and stop_time <= start_time:
        errors["stop_time"] = [_("The end must come after the start.")]
    if retries is not None and not 0 <= retries <= MAX_RETRIES:
        errors["retries"] = [_("Between 0 and %(max)s retries.") % {"max": MAX_RETRIES}]
    if retry_interval is not None and not 0 <= retry_interval <= MAX_RETRY_INTERVAL:
        errors["retry_interval"] = [_("Between 0 and %(max)s seconds.") % {"max": MAX_RETRY_INTERVAL}]
    return errors


def diagnostics_request(
    *, charge_point: ChargePoint, acting_user, start_time=None, stop_time=None, retries=None,
    retry_interval=None,
) -> DiagnosticsFile:
    """Ask the charger for its diagnostics file, to be uploaded to the platform.

    Records the request with a fresh upload link and sends GetDiagnostics through
    ``operation_request``. An offline charger gets nothing (DESIGN.md §7): the operation is
    "offline" and the request failed at once.
    """
    errors = diagnostics_request_errors(start_time=start_time, stop_time=stop_time, retries=retries,
                                        retry_interval=retry_interval)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], code="invalid_parameters", fields=errors)
    token = secrets.token_urlsafe(32)
    payload = {"location": upload_url(token)}
    if retries is not None:
        payload["retries"] = retries
    if retry_interval is not None:
        payload["retryInterval"] = retry_interval
    if start_time:
        payload["startTime"] = _iso(start_time)
    if stop_time:
        payload["stopTime"] = _iso(stop_time)
    now = timezone.now()
    with transaction.atomic():
        row = DiagnosticsFile.objects.create(
            charge_point=charge_point, requested_by=acting_user, token_hash=token_hash(token),
            start_time=start_time, stop_time=stop_time, requested_at=now,
            expires_at=now + timedelta(hours=settings.DIAGNOSTICS_UPLOAD_HOURS),
        )
        # Sent after this transaction commits, so the charger's answer always finds the row.
        operation = services.operation_request(
            charge_point=charge_point, action=ACTION, payload=payload, acting_user=acting_user
        )
        row.operation = operation
        if operation.status == ChargerOperation.Status.OFFLINE:
            row.status = DiagnosticsFile.Status.FAILED
        row.save(update_fields=["operation", "status"])
        _push(row)
    return row


# --- What the charger says --------------------------------------------------------------------


def diagnostics_operation_answered(operation: ChargerOperation) -> None:
    """Called once a GetDiagnostics operation has its outcome (``operation_complete`` /
    ``operation_failed``): the file name the charger announces, or the request failed."""
    if operation.action != ACTION:
        return
    if operation.status in _OPERATION_FAILED:
        rows = DiagnosticsFile.objects.filter(operation=operation, status__in=OPEN)
        for row in rows:
            row.status = DiagnosticsFile.Status.FAILED
            row.save(update_fields=["status"])
            _push(row)
        return
    response = operation.response if isinstance(operation.response, dict) else {}
    name = safe_file_name(response.get("fileName") or "")
    if name:
        # Only a name not set yet: the upload's own name, if it came first, stays.
        DiagnosticsFile.objects.filter(operation=operation, file_name="").update(file_name=name)


def diagnostics_status_reported(*, pk: int, status: str) -> None:
    """DiagnosticsStatusNotification: Uploading / UploadFailed move the charger's latest open
    request along (Uploaded is the upload's own business; Idle says nothing about a request)."""
    target = {"Uploading": DiagnosticsFile.Status.UPLOADING, "UploadFailed": DiagnosticsFile.Status.FAILED}.get(status)
    if target is None:
        return
    row = (
        DiagnosticsFile.objects.filter(charge_point_id=pk, status__in=OPEN, expires_at__gt=timezone.now())
        .order_by("-requested_at", "-id").first()
    )
    if row is None or row.status == target:
        return
    # Conditional: an upload finishing at the same moment is not turned back.
    if DiagnosticsFile.objects.filter(pk=row.pk, status__in=OPEN).update(status=target):
        row.status = target
        _push(row)


# --- The upload -------------------------------------------------------------------------------


def diagnostics_upload_target(token: str) -> DiagnosticsFile | None:
    """The request a token may still upload to: known, open, not expired, no file yet."""
    if not token or len(token) > 200:
        return None
    return (
        DiagnosticsFile.objects.filter(
            token_hash=token_hash(token), status__in=OPEN, expires_at__gt=timezone.now(), file=""
        ).select_related("charge_point").first()
    )


def safe_file_name(name: str) -> str:
    """A file name fit to show and to offer as a download: the base name only, no control
    characters or quotes, at most 255 characters; "" if nothing is left."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '"<>|*?:')
    name = name.strip().strip(".")
    return name[:255]


def diagnostics_upload_store(*, row: DiagnosticsFile, content, file_name: str = "") -> bool:
    """Keep an uploaded file (``content``: a Django File, a temporary file at best) for its
    request; False if the link was spent in the meantime (then nothing is kept)."""
    name = (safe_file_name(file_name) or row.file_name
            or f"diagnostics-{row.charge_point.charge_point_id}-{timezone.now():%Y%m%d-%H%M%S}.log")
    field = DiagnosticsFile._meta.get_field("file")
    stored = field.storage.save(field.generate_filename(row, name), content, max_length=field.max_length)
    now = timezone.now()
    # One upload per link: only the first to get here keeps its file.
    claimed = DiagnosticsFile.objects.filter(
        pk=row.pk, status__in=OPEN, expires_at__gt=now, file=""
    ).update(file=stored, file_name=name, size=content.size, uploaded_at=now,
             status=DiagnosticsFile.Status.UPLOADED)
    if not claimed:
        field.storage.delete(stored)
        return False
    row.refresh_from_db()
    _push(row)
    return True


# --- Housekeeping ----------------------------------------------------------------------------


def diagnostics_expire() -> int:
    """Scheduled: requests whose upload link ran out without a file become expired."""
    return DiagnosticsFile.objects.filter(status__in=OPEN, expires_at__lte=timezone.now()).update(
        status=DiagnosticsFile.Status.EXPIRED
    )


# --- Reads ------------------------------------------------------------------------------------


def diagnostics_list_for_user(user) -> QuerySet[DiagnosticsFile]:
    """Files of the chargers the user manages (staff: all), with ``state``: the status, or
    "expired" for an open request past its link's validity (before the sweep marks it)."""
    if not user.is_authenticated:
        return DiagnosticsFile.objects.none()
    return (
        DiagnosticsFile.objects.filter(charge_point__in=charger_list_for_user(user, write=True))
        .select_related("charge_point", "requested_by", "operation")
        .annotate(state=Case(
            When(status__in=OPEN, expires_at__lte=timezone.now(), then=Value(DiagnosticsFile.Status.EXPIRED)),
            default=F("status"),
        ))
    )


def diagnostics_get_for_user(user, pk: int) -> DiagnosticsFile:
    return get_object_or_404(diagnostics_list_for_user(user), pk=pk)


def filter_by_state(qs: QuerySet[DiagnosticsFile], state: str) -> QuerySet[DiagnosticsFile]:
    now = timezone.now()
    if state == DiagnosticsFile.Status.EXPIRED:
        return qs.filter(Q(status=state) | Q(status__in=OPEN, expires_at__lte=now))
    if state in OPEN:
        return qs.filter(status=state, expires_at__gt=now)
    return qs.filter(status=state)


def has_open_request(qs: QuerySet[DiagnosticsFile]) -> bool:
    return qs.filter(status__in=OPEN, expires_at__gt=timezone.now()).exists()


def failure_reason(row: DiagnosticsFile) -> str:
    """Why a request failed, in a few words, for the tables."""
    if row.status != DiagnosticsFile.Status.FAILED:
        return ""
    operation = row.operation
    if operation is not None:
        if operation.status == ChargerOperation.Status.OFFLINE:
            return _("The charge point was offline: nothing was sent.")
        if operation.status == ChargerOperation.Status.TIMED_OUT:
            return _("The charge point did not answer.")
        if operation.status in (ChargerOperation.Status.FAILED, ChargerOperation.Status.REJECTED):
            return _("The charge point refused the request.")
    return _("The charge point reported that the upload failed.")


# --- Demo data --------------------------------------------------------------------------------


def demo_diagnostics(*, charge_point: ChargePoint, acting_user=None) -> list[DiagnosticsFile]:
    """Two past requests of a charger for the demo: one uploaded file and one that failed."""
    from django.core.files.base import ContentFile

    if DiagnosticsFile.objects.filter(charge_point=charge_point).exists():
        return []
    now = timezone.now()
    rows = []
    uploaded = DiagnosticsFile(
        charge_point=charge_point, requested_by=acting_user, token_hash=token_hash(secrets.token_urlsafe(32)),
        status=DiagnosticsFile.Status.UPLOADED, requested_at=now - timedelta(days=2, minutes=3),
        expires_at=now - timedelta(days=1), uploaded_at=now - timedelta(days=2, minutes=2),
        file_name=f"diagnostics-{charge_point.charge_point_id}.log",
    )
    text = demo_log_text(charge_point)
    uploaded.file.save(uploaded.file_name, ContentFile(text), save=False)
    uploaded.size = len(text)
    uploaded.save()
    rows.append(uploaded)
    rows.append(DiagnosticsFile.objects.create(
        charge_point=charge_point, requested_by=acting_user, token_hash=token_hash(secrets.token_urlsafe(32)),
        status=DiagnosticsFile.Status.FAILED, requested_at=now - timedelta(days=6),
        expires_at=now - timedelta(days=5),
    ))
    return rows


def demo_log_text(charge_point: ChargePoint) -> bytes:
    lines = [f"# Diagnostics of {charge_point.charge_point_id} ({charge_point.vendor} {charge_point.model})"]
    start = timezone.now() - timedelta(days=2, hours=6)
    events = ("Boot completed", "Connected to central system", "Heartbeat interval 300 s",
              "Connector 1 Available", "RFID card presented", "Session started on connector 1",
              "Meter 12.4 kWh", "Session stopped (EVDisconnected)", "Connector 1 Available")
    for i in range(60):
        at = start + timedelta(minutes=5 * i)
        lines.append(f"{at:%Y-%m-%dT%H:%M:%SZ} INFO  {events[i % len(events)]}")
    return ("\n".join(lines) + "\n").encode()

