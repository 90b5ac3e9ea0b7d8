"""Charger use cases: provisioning, connection state, boot and status reports, and remote
operations (CP, OPS). The OCPP gateway, pages, API, admin and jobs all call these."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from wccportal.errors import DomainError
from wccportal.lib import crypto, ocpp16
from wccportal.lib.realtime import group_send_on_commit

from .models import ChargePoint, ChargerOperation, Connector
from .passwords import check_secret, generate_code, generate_password, hash_secret

log = logging.getLogger(__name__)


def charger_group(charge_point_id: str) -> str:
    """Channel-layer group of the socket holding a charger (names allow [a-zA-Z0-9._-])."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in charge_point_id)
    return f"charger.{safe}"[:99]


# --- Provisioning (issue 3 §6) -------------------------------------------------------------


@transaction.atomic
def charger_create(
    *, charge_point_id: str, password: str | None = None, model: str = "", vendor: str = "",
    owner=None, name: str = "", connectors: int = 1, acting_user=None,
) -> tuple[ChargePoint, str]:
    """Provision a charger; returns it and its (possibly generated) OCPP password."""
    charge_point_id = charge_point_id.strip()
    if not charge_point_id or len(charge_point_id) > 48 or "/" in charge_point_id:
        raise DomainError(_("A charge point ID has 1 to 48 characters and no slash."), code="invalid_id")
    if ChargePoint.objects.filter(charge_point_id__iexact=charge_point_id).exists():
        raise DomainError(_("This charge point ID already exists."), code="duplicate_id")
    password = password or generate_password()
    if len(password) < 8 or len(password) > 40:
        raise DomainError(_("A charger password has 8 to 40 characters."), code="invalid_password")
    cp = ChargePoint.objects.create(
        charge_point_id=charge_point_id, name=name, model=model, vendor=vendor, owner=owner,
        claim_code=generate_code(), password_hash=hash_secret(password),
        password_encrypted=crypto.encrypt(password), onboarded_at=timezone.now() if owner else None,
    )
    Connector.objects.bulk_create(
        [Connector(charge_point=cp, connector_id=i) for i in range(0, max(connectors, 0) + 1)]
    )
    return cp, password


def charger_set_password(*, charge_point: ChargePoint, password: str | None = None) -> str:
    password = password or generate_password()
    charge_point.password_hash = hash_secret(password)
    charge_point.password_encrypted = crypto.encrypt(password)
    charge_point.save(update_fields=["password_hash", "password_encrypted", "updated_at"])
    return password


# --- Connection (gateway) -------------------------------------------------------------------


@dataclass(frozen=True)
class ChargerAuth:
    pk: int
    charge_point_id: str
    registration_status: str


def charger_authenticate(*, charge_point_id: str, password: str | None) -> ChargerAuth | None:
    """The charger's identity if the handshake may proceed, else None (refused).

    Unknown ids are refused, or created as *pending* for staff approval when
    OCPP_UNKNOWN_CHARGERS is "pending" (keeping the presented password).
    """
    cp = (
        ChargePoint.objects.filter(charge_point_id=charge_point_id)
        .only("pk", "charge_point_id", "password_hash", "registration_status", "is_active")
        .first()
    )
    if cp is None:
        if settings.OCPP_UNKNOWN_CHARGERS != "pending" or not password or not charge_point_id:
            return None
        cp, _pw = charger_create(charge_point_id=charge_point_id, password=password, connectors=0)
        cp.registration_status = ChargePoint.Registration.PENDING
        cp.save(update_fields=["registration_status"])
        return ChargerAuth(cp.pk, cp.charge_point_id, cp.registration_status)
    if not cp.password_hash or not password or not check_secret(password, cp.password_hash):
        return None
    return ChargerAuth(cp.pk, cp.charge_point_id, cp.registration_status)


def charger_connected(*, pk: int, connection_id: str) -> None:
    now = timezone.now()
    ChargePoint.objects.filter(pk=pk).update(
        is_online=True, connection_id=connection_id, connected_at=now, last_seen_at=now,
        onboarded_at=Coalesce(F("onboarded_at"), Value(now)),
    )
    _push_charger(pk, online=True)


def charger_disconnected(*, pk: int, connection_id: str) -> bool:
    """Mark offline unless a newer connection has taken over (its late close is ignored)."""
    changed = ChargePoint.objects.filter(pk=pk, connection_id=connection_id).update(
        is_online=False, disconnected_at=timezone.now()
    )
    if changed:
        _push_charger(pk, online=False)
    return bool(changed)


def chargers_seen(*, pks: list[int], heartbeat_pks: list[int], at: datetime) -> None:
    """Record, in two statements for any number of chargers, that they were heard from."""
    if pks:
        ChargePoint.objects.filter(pk__in=pks).update(last_seen_at=at, is_online=True)
    if heartbeat_pks:
        ChargePoint.objects.filter(pk__in=heartbeat_pks).update(last_heartbeat_at=at)


def chargers_sweep_offline() -> int:
    """Scheduled: chargers silent for longer than OCPP_OFFLINE_TIMEOUT are offline."""
    limit = timezone.now() - timedelta(seconds=settings.OCPP_OFFLINE_TIMEOUT)
    stale = list(
        ChargePoint.objects.filter(is_online=True, last_seen_at__lt=limit).values_list("pk", flat=True)
    )
    if stale:
        ChargePoint.objects.filter(pk__in=stale, last_seen_at__lt=limit).update(is_online=False)
        for pk in stale:
            _push_charger(pk, online=False)
    return len(stale)


def _push_charger(pk: int, **data) -> None:
    group_send_on_commit(f"live.charger.{pk}", {"type": "live.event", "event": "charger", **data})


# --- Reports from the charger ---------------------------------------------------------------


_BOOT_FIELDS = {
    "chargePointVendor": "vendor", "chargePointModel": "model",
    "chargePointSerialNumber": "serial_number", "chargeBoxSerialNumber": "charge_box_serial_number",
    "firmwareVersion": "firmware_version", "iccid": "iccid", "imsi": "imsi",
    "meterType": "meter_type", "meterSerialNumber": "meter_serial_number",
}


def charger_boot(*, pk: int, payload: dict) -> str:
    """Store the boot configuration; returns the registration status to answer."""
    values = {field: payload.get(key, "") for key, field in _BOOT_FIELDS.items()}
    now = timezone.now()
    ChargePoint.objects.filter(pk=pk).update(**values, last_boot_at=now, last_seen_at=now, is_online=True)
    return ChargePoint.objects.filter(pk=pk).values_list("registration_status", flat=True).first() or (
        ChargePoint.Registration.REJECTED
    )


def connector_status_update(*, pk: int, payload: dict, at: datetime | None = None) -> str | None:
    """Store a StatusNotification (connector 0 = whole charger); returns the previous status."""
    connector_id = payload["connectorId"]
    now = timezone.now()
    timestamp = parse_timestamp(payload.get("timestamp")) or now
    values = {
        "status": payload["status"],
        "error_code": payload["errorCode"],
        "info": payload.get("info", ""),
        "vendor_id": payload.get("vendorId", ""),
        "vendor_error_code": payload.get("vendorErrorCode", ""),
        "status_timestamp": timestamp,
        "status_changed_at": now,
    }
    with transaction.atomic():
        connector, created = Connector.objects.select_for_update().get_or_create(
            charge_point_id=pk, connector_id=connector_id, defaults=values
        )
        previous = None if created else connector.status
        # Reports that arrive late (queued while offline) must not overwrite newer ones.
        if not created and (connector.status_timestamp is None or connector.status_timestamp <= timestamp):
            for key, value in values.items():
                setattr(connector, key, value)
            connector.save(update_fields=list(values))
    _push_charger(pk, connector=connector_id, status=payload["status"], error_code=payload["errorCode"])
    return previous


def charger_diagnostics_status(*, pk: int, status: str) -> None:
    ChargePoint.objects.filter(pk=pk).update(diagnostics_status=status)


def charger_firmware_status(*, pk: int, status: str) -> None:
    ChargePoint.objects.filter(pk=pk).update(firmware_status=status)
    _push_charger(pk, firmware_status=status)


def parse_timestamp(value) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.utc)
    return parsed


# --- Remote operations (OPS-1, OPS-2) ---------------------------------------------------------


def operation_request(
    *, charge_point: ChargePoint, action: str, payload: dict | None = None, acting_user=None
) -> ChargerOperation:
    """Record a command and hand it to whichever process holds the charger's socket.

    The payload is the OCPP request (camelCase), validated against the action's schema
    before anything is stored. An offline charger gets nothing: the operation is recorded
    as offline at once (DESIGN.md §7). The answer arrives later through
    ``operation_complete`` / ``operation_failed``; a sweep times out the rest.
    """
    payload = payload or {}
    if action not in ocpp16.CENTRAL_ACTIONS:
        raise DomainError(_("Unknown command %(action)s.") % {"action": action}, code="unknown_action")
    try:
        ocpp16.validate(action, payload, inbound=False)
    except ocpp16.OcppCallError as exc:
        raise DomainError(
            _("The parameters of %(action)s are not valid: %(reason)s")
            % {"action": action, "reason": exc.description},
            code="invalid_parameters",
        ) from None
    online = ChargePoint.objects.filter(pk=charge_point.pk, is_online=True).exists()
    with transaction.atomic():
        operation = ChargerOperation.objects.create(
            charge_point=charge_point, requested_by=acting_user, action=action, payload=payload,
            status=ChargerOperation.Status.PENDING if online else ChargerOperation.Status.OFFLINE,
            completed_at=None if online else timezone.now(),
            error="" if online else _("The charger is offline."),
        )
        if online:
            group_send_on_commit(
                charger_group(charge_point.charge_point_id),
                {"type": "ocpp.call", "operation_id": operation.pk, "action": action, "payload": payload},
            )
    return operation


def operation_sent(*, operation_id: int, message_id: str) -> None:
    ChargerOperation.objects.filter(pk=operation_id).update(message_id=message_id, sent_at=timezone.now())


def operation_complete(*, operation_id: int, response: dict, latency_ms: int | None = None) -> ChargerOperation | None:
    """Store the charger's CALLRESULT; accepted or rejected according to its status."""
    operation = ChargerOperation.objects.filter(pk=operation_id).first()
    if operation is None:
        return None
    operation.response = ocpp16.redact_result(operation.action, response)
    operation.status = (
        ChargerOperation.Status.ACCEPTED
        if ocpp16.positive_status(operation.action, response)
        else ChargerOperation.Status.REJECTED
    )
    operation.completed_at = timezone.now()
    operation.latency_ms = latency_ms
    operation.save(update_fields=["response", "status", "completed_at", "latency_ms"])
    _push_operation(operation)
    return operation


def operation_failed(*, operation_id: int, status: str, error: str, latency_ms: int | None = None) -> None:
    ChargerOperation.objects.filter(pk=operation_id, status=ChargerOperation.Status.PENDING).update(
        status=status, error=error[:2000], completed_at=timezone.now(), latency_ms=latency_ms
    )
    operation = ChargerOperation.objects.filter(pk=operation_id).first()
    if operation:
        _push_operation(operation)


def operations_sweep_timeouts() -> int:
    """Scheduled: operations left pending past the call timeout (plus slack) timed out."""
    limit = timezone.now() - timedelta(seconds=settings.OCPP_CALL_TIMEOUT + 30)
    return ChargerOperation.objects.filter(
        status=ChargerOperation.Status.PENDING, created_at__lt=limit
    ).update(status=ChargerOperation.Status.TIMED_OUT, completed_at=timezone.now(),
             error="No answer from the charger.")


def _push_operation(operation: ChargerOperation) -> None:
    message = {
        "type": "live.event", "event": "operation", "id": operation.pk, "action": operation.action,
        "status": operation.status, "response": operation.response, "error": operation.error,
    }
    group_send_on_commit(f"live.charger.{operation.charge_point_id}", message)
    if operation.requested_by_id:
        group_send_on_commit(f"live.user.{operation.requested_by_id}", message)
