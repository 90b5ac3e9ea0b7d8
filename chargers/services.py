"""Charger use cases: provisioning, connection state, boot and status reports, and remote
operations (CP, OPS). The OCPP gateway, pages, API, admin and jobs all call these."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wccportal.errors import DomainError
from wccportal.lib import crypto, ocpp16, sql
from wccportal.lib.realtime import group_send_on_commit, live_update_on_commit
from wccportal.lib.tasks import enqueue_for_chargers_on_commit

from . import local_list
from .models import ChargePoint, ChargerOperation, Connector, IdTag
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
    if error := _charge_point_id_error(charge_point_id):
        raise DomainError(error, code="invalid_id")
    if ChargePoint.objects.filter(charge_point_id__iexact=charge_point_id).exists():
        raise DomainError(_("This charge point ID already exists."), code="duplicate_id")
    password = password or generate_password()
    if error := _charger_password_error(password):
        raise DomainError(error, code="invalid_password")
    cp = ChargePoint.objects.create(
        charge_point_id=charge_point_id, name=name, model=model, vendor=vendor, owner=owner,
        claim_code=generate_code(), password_hash=hash_secret(password),
        password_encrypted=crypto.encrypt(password), onboarded_at=timezone.now() if owner else None,
    )
    Connector.objects.bulk_create(
        [Connector(charge_point=cp, connector_id=i) for i in range(0, max(connectors, 0) + 1)]
    )
    return cp, password


def charger_set_password(
    *, charge_point: ChargePoint, password: str | None = None, acting_user=None
) -> str:
    """Set (or generate) the charger's OCPP password; returns it, to be shown once."""
    password = password or generate_password()
    if error := _charger_password_error(password):
        raise DomainError(error, code="invalid_password")
    charge_point.password_hash = hash_secret(password)
    charge_point.password_encrypted = crypto.encrypt(password)
    charge_point.save(update_fields=["password_hash", "password_encrypted", "updated_at"])
    return password


# The charger puts its ID in the URL path and as the HTTP Basic user-id, where these
# characters would end the path, start a query or split the credentials.
_ID_FORBIDDEN = set("/:?#%")


def _charge_point_id_error(charge_point_id: str) -> str | None:
    if (
        not 1 <= len(charge_point_id) <= 48
        or _ID_FORBIDDEN.intersection(charge_point_id)
        or any(c.isspace() or not c.isprintable() for c in charge_point_id)
    ):
        return _("A charge point ID has 1 to 48 characters, without spaces or any of / : ? # %.")
    return None


def _charger_password_error(password: str) -> str | None:
    if not 8 <= len(password) <= 40:
        return _("A charger password has 8 to 40 characters.")
    return None


# --- Connection (gateway) -------------------------------------------------------------------


@dataclass(frozen=True)
class ChargerAuth:
    pk: int
    charge_point_id: str
    registration_status: str
    online: bool = False  # another socket may still hold it


def charger_authenticate(*, charge_point_id: str, password: str | None) -> ChargerAuth | None:
    """The charger's identity if the handshake may proceed, else None (refused).

    Unknown ids are refused, or created as *pending* for staff approval when
    OCPP_UNKNOWN_CHARGERS is "pending" (keeping the presented password). Runs for every
    connection, so a reconnect storm of thousands: one hand-written query.
    """
    row = sql.fetchone(
        f"SELECT id, password_hash, registration_status, is_online FROM {ChargePoint._meta.db_table} "  # noqa: S608
        "WHERE charge_point_id = %s",
        [charge_point_id],
    )
    if row is None:
        return _authenticate_unknown(charge_point_id, password)
    pk, password_hash, registration, online = row
    if not password_hash or not password or not check_secret(password, password_hash):
        return None
    return ChargerAuth(pk, charge_point_id, registration, bool(online))


def _authenticate_unknown(charge_point_id: str, password: str | None) -> ChargerAuth | None:
    if settings.OCPP_UNKNOWN_CHARGERS != "pending" or not password or not charge_point_id:
        return None
    try:
        cp, _pw = charger_create(charge_point_id=charge_point_id, password=password, connectors=0)
    except DomainError:
        # An ID differing only in case from a known one, or an unusable ID or password.
        return None
    cp.registration_status = ChargePoint.Registration.PENDING
    cp.save(update_fields=["registration_status"])
    return ChargerAuth(cp.pk, cp.charge_point_id, cp.registration_status)


def charger_connected(*, pk: int, connection_id: str) -> None:
    now = timezone.now()
    table = ChargePoint._meta.db_table
    sql.execute(
        f"UPDATE {table} SET is_online = %s, connection_id = %s, connected_at = %s, last_seen_at = %s, "  # noqa: S608
        "onboarded_at = COALESCE(onboarded_at, %s) WHERE id = %s",
        [True, connection_id, sql.dt_param(now), sql.dt_param(now), sql.dt_param(now), pk],
    )
    _push_charger(pk, online=True)


def charger_disconnected(*, pk: int, connection_id: str) -> bool:
    """Mark offline unless a newer connection has taken over (its late close is ignored)."""
    changed = sql.execute(
        f"UPDATE {ChargePoint._meta.db_table} SET is_online = %s, disconnected_at = %s "  # noqa: S608
        "WHERE id = %s AND connection_id = %s",
        [False, sql.dt_param(timezone.now()), pk, connection_id],
    )
    if changed:
        _push_charger(pk, online=False)
    return bool(changed)


def chargers_seen(*, pks: list[int], heartbeat_pks: list[int], at: datetime) -> None:
    """Record, in one statement for any number of chargers, that they were heard from.

    Rows another transaction holds (a boot, a connect) are skipped, not waited for: that
    transaction writes the same times, and waiting could deadlock with it.
    """
    if not pks:
        return
    table = ChargePoint._meta.db_table
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands: cheap to build and to plan.
        sql.execute(
            f"UPDATE {table} SET last_seen_at = %s, is_online = true, "  # noqa: S608
            "last_heartbeat_at = CASE WHEN id = ANY(%s) THEN %s ELSE last_heartbeat_at END "
            f"WHERE id IN (SELECT id FROM {table} WHERE id = ANY(%s) FOR UPDATE SKIP LOCKED)",
            [at, heartbeat_pks, at, pks],
        )
        return
    with transaction.atomic():
        ChargePoint.objects.filter(pk__in=pks).update(last_seen_at=at, is_online=True)
        if heartbeat_pks:
            ChargePoint.objects.filter(pk__in=heartbeat_pks).update(last_heartbeat_at=at)


def offline_limit() -> datetime:
    """Heard from before this, a charger is in timeout (offline): OCPP_OFFLINE_TIMEOUT, a
    little over two heartbeat intervals. The sweep and the inventory's "In timeout?" (CP-9)."""
    return timezone.now() - timedelta(seconds=settings.OCPP_OFFLINE_TIMEOUT)


def chargers_sweep_offline() -> int:
    """Scheduled: chargers silent for longer than OCPP_OFFLINE_TIMEOUT are offline."""
    limit = offline_limit()
    stale = list(
        ChargePoint.objects.filter(is_online=True, last_seen_at__lt=limit)
        .values_list("pk", flat=True)
    )
    if stale:
        ChargePoint.objects.filter(pk__in=stale, last_seen_at__lt=limit).update(is_online=False)
        for pk in stale:
            _push_charger(pk, online=False)
    return len(stale)


def _push_charger(pk: int, **data) -> None:
    live_update_on_commit(
        f"live.charger.{pk}", {"type": "live.event", "event": "charger", "charger": pk, **data}
    )


# --- Reports from the charger ---------------------------------------------------------------


_BOOT_FIELDS = {
    "chargePointVendor": "vendor", "chargePointModel": "model",
    "chargePointSerialNumber": "serial_number", "chargeBoxSerialNumber": "charge_box_serial_number",
    "firmwareVersion": "firmware_version", "iccid": "iccid", "imsi": "imsi",
    "meterType": "meter_type", "meterSerialNumber": "meter_serial_number",
}

_BOOT_UPDATE = (
    f"UPDATE {ChargePoint._meta.db_table} SET "  # noqa: S608 - names from the model
    + ", ".join(f"{ChargePoint._meta.get_field(f).column} = %s" for f in _BOOT_FIELDS.values())
    + ", last_boot_at = %s, last_seen_at = %s, is_online = %s WHERE id = %s"
)


def charger_boot(*, pk: int, payload: dict) -> str:
    """Store the boot configuration; returns the registration status to answer."""
    now = sql.dt_param(timezone.now())
    params = [payload.get(key, "") for key in _BOOT_FIELDS] + [now, now, True, pk]
    # One statement (a reconnect storm boots thousands at once), as wccportal.lib.sql explains.
    if connection.features.can_return_columns_from_insert:  # and UPDATE … RETURNING
        row = sql.fetchone(_BOOT_UPDATE + " RETURNING registration_status", params)
    else:
        row = sql.execute(_BOOT_UPDATE, params) and sql.fetchone(
            f"SELECT registration_status FROM {ChargePoint._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
    status = row[0] if row else None
    if status == ChargePoint.Registration.ACCEPTED:
        # One job after commit: the local list (TAG-5) and firmware releases (CP-5) are
        # checked there, so a reconnect storm enqueues one job per charger, not more.
        enqueue_for_chargers_on_commit("chargers.tasks.charger_booted", pk)
    return status or ChargePoint.Registration.REJECTED


def connector_status_update(*, pk: int, payload: dict, previous: str | None = None) -> tuple[bool, str | None]:
    """Store a StatusNotification (connector 0 = whole charger).

    Returns whether it was applied and the status it replaced. ``previous`` is the status
    the caller's connection last stored for this connector: with it, the common case is
    one UPDATE. Reports that arrive late (queued while offline) never overwrite newer ones.
    """
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
    applied = previous is not None and _connector_status_sql(pk, connector_id, values) == 1
    if not applied:
        # The first report on a connection (or one that lost to a newer report): read the
        # connector locked, then update it if this report is not older than what it holds.
        with transaction.atomic(savepoint=False):
            row = sql.fetchone(
                f"SELECT status, status_timestamp FROM {Connector._meta.db_table} "  # noqa: S608
                f"WHERE charge_point_id = %s AND connector_id = %s{sql.for_update()}",
                [pk, connector_id],
            )
            if row is not None:
                previous, held = row[0], sql.dt_value(row[1])
                applied = (held is None or held <= timestamp) and _connector_status_sql(pk, connector_id, values) == 1
            else:  # a connector reported for the first time
                connector, created = Connector.objects.get_or_create(
                    charge_point_id=pk, connector_id=connector_id, defaults=values
                )
                previous = None if created else connector.status
                applied = created or connector.status_timestamp is None or connector.status_timestamp <= timestamp
                if applied and not created:
                    for key, value in values.items():
                        setattr(connector, key, value)
                    connector.save(update_fields=list(values))
    if applied:
        _push_charger(pk, connector=connector_id, status=payload["status"], error_code=payload["errorCode"])
    return applied, previous


def _connector_status_sql(pk: int, connector_id: int, values: dict) -> int:
    """UPDATE the connector unless it holds a newer report (hot path, see wccportal.lib.sql)."""
    table = Connector._meta.db_table
    return sql.execute(
        f"UPDATE {table} SET status = %s, error_code = %s, info = %s, vendor_id = %s, vendor_error_code = %s, "  # noqa: S608
        "status_timestamp = %s, status_changed_at = %s "
        "WHERE charge_point_id = %s AND connector_id = %s AND (status_timestamp IS NULL OR status_timestamp <= %s)",
        [values["status"], values["error_code"], values["info"], values["vendor_id"], values["vendor_error_code"],
         sql.dt_param(values["status_timestamp"]), sql.dt_param(values["status_changed_at"]), pk, connector_id,
         sql.dt_param(values["status_timestamp"])],
    )


def charger_diagnostics_status(*, pk: int, status: str) -> None:
    """DiagnosticsStatusNotification: the charger's status, and the progress of its latest
    diagnostics request (CP-7)."""
    from .diagnostics import diagnostics_status_reported  # diagnostics imports this module

    ChargePoint.objects.filter(pk=pk).update(diagnostics_status=status)
    diagnostics_status_reported(pk=pk, status=status)
    _push_charger(pk, diagnostics_status=status)


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
        parsed = timezone.make_aware(parsed, UTC)
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
        raise DomainError(
            _("Unknown command %(action)s.") % {"action": action}, code="unknown_action"
        )
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
                {"type": "ocpp.call", "operation_id": operation.pk, "action": action,
                 "payload": payload},
            )
    return operation


def operation_sent(*, operation_id: int, message_id: str) -> None:
    ChargerOperation.objects.filter(pk=operation_id).update(
        message_id=message_id, sent_at=timezone.now()
    )


def operation_complete(
    *, operation_id: int, response: dict, latency_ms: int | None = None
) -> ChargerOperation | None:
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
    # --- TAG-5 local lists (tags feature): SendLocalList / GetLocalListVersion answers.
    if operation.action in local_list.LIST_ACTIONS:
        local_list.operation_answered(operation)
    _diagnostics_answered(operation)
    return operation


def _diagnostics_answered(operation: ChargerOperation) -> None:
    """A GetDiagnostics answer names the file to come; a failed one fails the request (CP-10)."""
    if operation.action == "GetDiagnostics":
        from .diagnostics import diagnostics_operation_answered  # it imports this module

        diagnostics_operation_answered(operation)


def operation_failed(
    *, operation_id: int, status: str, error: str, latency_ms: int | None = None
) -> None:
    ChargerOperation.objects.filter(pk=operation_id, status=ChargerOperation.Status.PENDING).update(
        status=status, error=error[:2000], completed_at=timezone.now(), latency_ms=latency_ms
    )
    operation = ChargerOperation.objects.filter(pk=operation_id).first()
    if operation:
        _push_operation(operation)
        # --- TAG-5 local lists (tags feature): a failed SendLocalList means a Full update next.
        if operation.action in local_list.LIST_ACTIONS:
            local_list.operation_answered(operation)
        _diagnostics_answered(operation)


def operations_sweep_timeouts() -> int:
    """Scheduled: operations left pending past the call timeout (plus slack) timed out."""
    limit = timezone.now() - timedelta(seconds=settings.OCPP_CALL_TIMEOUT + 30)
    return ChargerOperation.objects.filter(
        status=ChargerOperation.Status.PENDING, created_at__lt=limit
    ).update(status=ChargerOperation.Status.TIMED_OUT, completed_at=timezone.now(),
             error="No answer from the charger.")


def _push_operation(operation: ChargerOperation) -> None:
    """The answer goes in full to whoever asked; the charger's live group, which members and
    guests may join too, learns only the outcome (a GetConfiguration answer is not theirs)."""
    message = {
        "type": "live.event", "event": "operation", "id": operation.pk, "action": operation.action,
        "status": operation.status, "response": operation.response, "error": operation.error,
    }
    answer = (operation.response or {}).get("status")
    outcome = {**message, "response": {"status": answer} if isinstance(answer, str) else None}
    live_update_on_commit(f"live.charger.{operation.charge_point_id}", outcome)
    if operation.requested_by_id:
        live_update_on_commit(f"live.user.{operation.requested_by_id}", message)


# --- Tags and CSV imports (provisioning by staff) ------------------------------------------

MAX_CONNECTORS = 16
MAX_IMPORT_ROWS = 10_000


def _tag_id_error(id_tag: str) -> str | None:
    # OCPP IdToken is a CiString20: printable ASCII, compared ignoring case.
    if not 1 <= len(id_tag) <= 20:
        return _("A tag ID has 1 to 20 characters.")
    if any(not " " <= c <= "~" for c in id_tag):
        return _("A tag ID contains only printable ASCII characters (no accents).")
    return None


def _tag_fields_errors(*, kind: str, tag_type: str, alias: str, note: str) -> list[str]:
    errors = []
    if kind not in IdTag.Kind.values:
        errors.append(_("Unknown kind “%(value)s”: use one of %(choices)s.")
                      % {"value": kind, "choices": ", ".join(IdTag.Kind.values)})
    if tag_type not in IdTag.TagType.values:
        errors.append(_("Unknown type “%(value)s”: use one of %(choices)s.")
                      % {"value": tag_type, "choices": ", ".join(IdTag.TagType.values)})
    errors += _length_errors(alias=(alias, 100), note=(note, 200))
    return errors


def _length_errors(**values: tuple[str, int]) -> list[str]:
    return [
        _("%(column)s has more than %(max)d characters.") % {"column": column, "max": limit}
        for column, (value, limit) in values.items() if len(value) > limit
    ]


def tag_create(
    *, id_tag: str, user=None, alias: str = "", kind: str = IdTag.Kind.PHYSICAL,
    tag_type: str = IdTag.TagType.OTHER, expires_at: datetime | None = None, note: str = "",
    acting_user=None,
) -> IdTag:
    """Provision an authorization tag (an RFID card unless ``kind`` says virtual)."""
    id_tag = id_tag.strip()
    if error := _tag_id_error(id_tag):
        raise DomainError(error, code="invalid_tag")
    if errors := _tag_fields_errors(kind=kind, tag_type=tag_type, alias=alias, note=note):
        raise DomainError(" ".join(errors), code="invalid_tag")
    if IdTag.objects.filter(id_tag__iexact=id_tag).exists():
        raise DomainError(_("This tag ID already exists."), code="duplicate_tag")
    if expires_at is not None and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    try:
        with transaction.atomic():
            return IdTag.objects.create(
                id_tag=id_tag, user=user, alias=alias, kind=kind, tag_type=tag_type,
                expires_at=expires_at, note=note,
            )
    except IntegrityError:
        # Created concurrently since the check: the case-insensitive constraint refused it.
        raise DomainError(_("This tag ID already exists."), code="duplicate_tag") from None


@dataclass(frozen=True)
class RowError:
    """A refused line of an imported file (line 1 is the header)."""

    line: int
    message: str

    def __str__(self):
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


class ImportRejected(DomainError):
    """Nothing was imported; ``errors`` lists every bad line."""

    code = "invalid_import"

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda error: error.line)
        count = len(self.errors)
        message = ngettext(
            "Nothing was imported: the file has %(count)d error.",
            "Nothing was imported: the file has %(count)d errors.", count,
        )
        super().__init__(message % {"count": count})


@dataclass
class ImportResult:
    ids: list[str]  # created, or that would be created on a dry run, in file order
    created: list = field(default_factory=list)  # the objects; empty on a dry run
    passwords: dict[str, str] = field(default_factory=dict)  # generated ones only: shown once
    dry_run: bool = False


CHARGER_COLUMNS = (
    "charge_point_id", "password", "model", "vendor", "owner_email", "name", "connectors",
)
TAG_COLUMNS = ("id_tag", "owner_email", "alias", "type", "kind", "expires_at", "note")


def chargers_import_csv(*, file, acting_user=None, dry_run: bool = False) -> ImportResult:
    """Create the chargers of a CSV file, all or none (columns: CHARGER_COLUMNS).

    Every line is checked before anything is written; one bad line rejects the file with
    every error listed (ImportRejected). Missing passwords are generated and returned once.
    """
    rows, errors = _read_csv(file, columns=CHARGER_COLUMNS, required="charge_point_id")
    owners = _users_by_email(row["owner_email"] for _line, row in rows)
    existing = _existing_ignoring_case(ChargePoint.objects, "charge_point_id",
                                       [row["charge_point_id"] for _line, row in rows])
    first_line: dict[str, int] = {}
    specs = []
    for line, row in rows:
        messages, cp_id = [], row["charge_point_id"]
        if error := _charge_point_id_error(cp_id):
            messages.append(error)
        elif cp_id.lower() in first_line:
            messages.append(_repeated(cp_id, first_line[cp_id.lower()]))
        elif cp_id.lower() in existing:
            messages.append(_("The charge point ID %(id)s already exists.") % {"id": cp_id})
        first_line.setdefault(cp_id.lower(), line)
        if row["password"] and (error := _charger_password_error(row["password"])):
            messages.append(error)
        messages += _length_errors(
            model=(row["model"], 50), vendor=(row["vendor"], 50), name=(row["name"], 100)
        )
        owner, error = _owner(row["owner_email"], owners)
        if error:
            messages.append(error)
        connectors = _whole_number(row["connectors"], default=1)
        if connectors is None or not 1 <= connectors <= MAX_CONNECTORS:
            messages.append(
                _("connectors is a whole number from 1 to %(max)d.") % {"max": MAX_CONNECTORS}
            )
        errors += [RowError(line, message) for message in messages]
        specs.append((line, {
            "charge_point_id": cp_id, "password": row["password"] or None, "model": row["model"],
            "vendor": row["vendor"], "owner": owner, "name": row["name"], "connectors": connectors,
        }))
    if errors:
        raise ImportRejected(errors)
    result = ImportResult(ids=[spec["charge_point_id"] for _line, spec in specs], dry_run=dry_run)
    if dry_run:
        return result
    with transaction.atomic():
        for line, spec in specs:
            try:
                cp, password = charger_create(**spec, acting_user=acting_user)
            except (DomainError, IntegrityError) as exc:
                # Another writer got there between the checks and now: nothing stays written.
                message = exc.message if isinstance(exc, DomainError) else _(
                    "This charge point ID already exists."
                )
                raise ImportRejected([RowError(line, message)]) from None
            result.created.append(cp)
            if spec["password"] is None:
                result.passwords[cp.charge_point_id] = password
    return result


def tags_import_csv(*, file, acting_user=None, dry_run: bool = False) -> ImportResult:
    """Create the tags of a CSV file, all or none (columns: TAG_COLUMNS), like
    chargers_import_csv. Without a kind, a tag is an RFID card."""
    rows, errors = _read_csv(file, columns=TAG_COLUMNS, required="id_tag")
    owners = _users_by_email(row["owner_email"] for _line, row in rows)
    existing = _existing_ignoring_case(
        IdTag.objects, "id_tag", [row["id_tag"] for _line, row in rows]
    )
    first_line: dict[str, int] = {}
    specs = []
    for line, row in rows:
        messages, id_tag = [], row["id_tag"]
        if error := _tag_id_error(id_tag):
            messages.append(error)
        elif id_tag.lower() in first_line:
            messages.append(_repeated(id_tag, first_line[id_tag.lower()]))
        elif id_tag.lower() in existing:
            messages.append(
                _("The tag ID %(id)s already exists (tag IDs ignore case).") % {"id": id_tag}
            )
        first_line.setdefault(id_tag.lower(), line)
        kind = row["kind"].lower() or IdTag.Kind.PHYSICAL
        tag_type = row["type"].lower() or IdTag.TagType.OTHER
        messages += _tag_fields_errors(
            kind=kind, tag_type=tag_type, alias=row["alias"], note=row["note"]
        )
        owner, error = _owner(row["owner_email"], owners)
        if error:
            messages.append(error)
        expires_at = None
        if row["expires_at"]:
            expires_at = parse_local_datetime(row["expires_at"])
            if expires_at is None:
                messages.append(
                    _("expires_at “%(value)s” is not an ISO 8601 date or date and time "
                      "(e.g. 2027-12-31 or 2027-12-31T23:59:00+01:00).")
                    % {"value": row["expires_at"]}
                )
        errors += [RowError(line, message) for message in messages]
        specs.append((line, {
            "id_tag": id_tag, "user": owner, "alias": row["alias"], "kind": kind,
            "tag_type": tag_type, "expires_at": expires_at, "note": row["note"],
        }))
    if errors:
        raise ImportRejected(errors)
    result = ImportResult(ids=[spec["id_tag"] for _line, spec in specs], dry_run=dry_run)
    if dry_run:
        return result
    with transaction.atomic():
        for line, spec in specs:
            try:
                result.created.append(tag_create(**spec, acting_user=acting_user))
            except DomainError as exc:
                raise ImportRejected([RowError(line, exc.message)]) from None
    return result


def parse_local_datetime(value: str) -> datetime | None:
    """An ISO 8601 date or date-time; without an offset it is in the portal's time zone
    (a date alone is midnight at its start)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _read_csv(
    file, *, columns: tuple[str, ...], required: str
) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The data lines of an uploaded CSV as (line number, {column: stripped value}).

    Accepts UTF-8 with or without a BOM, and the semicolon that spreadsheets use as the
    separator in French and German locales. A bad header rejects the file at once; bad
    lines are returned as errors so that the caller can report them with its own.
    """
    data = file.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            message = _("The file is not UTF-8 text: save it as “CSV UTF-8”.")
            raise ImportRejected([RowError(line, message)]) from None
    text = data.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        message = _("The file is empty: its first line names the columns.")
        raise ImportRejected([RowError(1, message)]) from None
    errors = [
        RowError(1, _("Unknown column “%(column)s”; the columns are: %(columns)s.")
                 % {"column": name, "columns": ", ".join(columns)})
        for name in header if name not in columns
    ] + [
        RowError(1, _("The column “%(column)s” appears twice.") % {"column": name})
        for name in sorted({name for name in header if header.count(name) > 1})
    ]
    if required not in header:
        message = _("The required column “%(column)s” is missing.") % {"column": required}
        errors.append(RowError(1, message))
    if errors:
        raise ImportRejected(errors)

    rows, errors, line = [], [], reader.line_num + 1
    try:
        for values in reader:
            start, line = line, reader.line_num + 1
            if not any(value.strip() for value in values):
                continue
            if len(values) > len(header):
                message = _("This line has %(count)d values for %(columns)d columns.") % {
                    "count": len(values), "columns": len(header)
                }
                errors.append(RowError(start, message))
                continue
            row = dict.fromkeys(columns, "")
            row.update((name, value.strip()) for name, value in zip(header, values, strict=False))
            rows.append((start, row))
    except csv.Error as exc:
        message = _("This line is not valid CSV (%(reason)s).") % {"reason": exc}
        errors.append(RowError(line, message))
    if len(rows) > MAX_IMPORT_ROWS:
        message = _("A file holds at most %(max)d lines.") % {"max": MAX_IMPORT_ROWS}
        raise ImportRejected([RowError(rows[MAX_IMPORT_ROWS][0], message)])
    if not rows and not errors:
        errors.append(RowError(2, _("The file has no data lines below its header.")))
    return rows, errors


def _chunks(values: list, size: int = 500):
    # Keeps IN lists under SQLite's bound-parameter limit.
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _existing_ignoring_case(queryset, field_name: str, values: list[str]) -> set[str]:
    found = set()
    for chunk in _chunks(sorted({value.lower() for value in values if value})):
        found.update(
            value.lower() for value in queryset.annotate(_key=Lower(field_name))
            .filter(_key__in=chunk).values_list(field_name, flat=True)
        )
    return found


def _users_by_email(emails) -> dict:
    users, queryset = {}, get_user_model().objects.annotate(_key=Lower("email"))
    for chunk in _chunks(sorted({email.lower() for email in emails if email})):
        users.update((user.email.lower(), user) for user in queryset.filter(_key__in=chunk))
    return users


def _owner(email: str, users: dict):
    if not email:
        return None, None
    user = users.get(email.lower())
    if user is None:
        return None, _("No user has the e-mail address %(email)s.") % {"email": email}
    return user, None


def _whole_number(value: str, *, default: int) -> int | None:
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        return None


def _repeated(value: str, first_line: int) -> str:
    return _("%(id)s appears more than once in the file (first on line %(first)d).") % {
        "id": value, "first": first_line
    }


# --- Owner use cases (CP-1 … CP-4) ----------------------------------------------------------
# Claim, favourites, settings, start, restart and unclaim of "My chargers". Pages and the API
# call these; the access selectors have already decided who may reach the charger.

CLAIM_PATH = "/app/chargers/claim/"
CLAIM_THROTTLE_SCOPE = "claim"  # DRF scope; the page counts in the same bucket
# A code compared when the id is unknown, so that unknown ids cost as much as wrong codes.
_DUMMY_CODE = "XXXXXXXXXXXXXXXX"


def charger_claim_url(*, charge_point: ChargePoint) -> str:
    """What the QR code of a charger encodes: the claim page, prefilled with id and code."""
    from urllib.parse import urlencode

    query = urlencode({"cp": charge_point.charge_point_id, "code": charge_point.claim_code})
    return f"{settings.SITE_URL}{CLAIM_PATH}?{query}"


def claim_qr_parse(content: str) -> tuple[str, str]:
    """The (charge point id, claim code) a scanned QR code carries, or DomainError invalid_qr.

    Accepts the claim URL of any host (the code may have been printed by another
    installation's SITE_URL) and its bare query string.
    """
    from urllib.parse import parse_qs, urlsplit

    content = (content or "").strip()
    query = urlsplit(content).query if "?" in content else content
    values = parse_qs(query)
    cp_id, code = values.get("cp", [""])[0].strip(), values.get("code", [""])[0].strip()
    if not cp_id or not code:
        raise DomainError(
            _("This QR code is not a charger's claim code."), code="invalid_qr",
            fields={"qr": [_("This QR code is not a charger's claim code.")]},
        )
    return cp_id, code


def _invalid_claim() -> DomainError:
    # One answer for an unknown id, a wrong code and someone else's charger: no enumeration.
    return DomainError(
        _("This charge point ID and claim code do not match a charger you can claim."),
        code="invalid_claim",
    )


def _codes_match(given: str, expected: str) -> bool:
    import hmac

    return hmac.compare_digest(given.strip().upper().encode(), expected.strip().upper().encode())


def charger_name_error(name: str) -> str | None:
    if len(name) > ChargePoint._meta.get_field("name").max_length:
        return _("A name has at most %(max)d characters.") % {
            "max": ChargePoint._meta.get_field("name").max_length
        }
    return None


def charger_claim(
    *, user, charge_point_id: str, claim_code: str, name: str = "", group=None
) -> ChargePoint:
    """Make ``user`` the owner of the charger with this id and claim code (CP-1).

    ``group`` (one of the user's groups) receives the charger at once. Two users claiming
    the same charger at the same moment: the conditional UPDATE lets exactly one win.
    """
    from groups.models import Group, GroupCharger

    name = (name or "").strip()
    if error := charger_name_error(name):
        raise DomainError(error, code="invalid", fields={"name": [error]})
    if group is not None and not Group.objects.filter(pk=getattr(group, "pk", group), owner=user).exists():
        message = _("Choose one of your own groups.")
        raise DomainError(message, code="invalid_group", fields={"group": [message]})
    charge_point_id = (charge_point_id or "").strip()
    cp = ChargePoint.objects.filter(charge_point_id__iexact=charge_point_id).first() if charge_point_id else None
    code_ok = _codes_match(claim_code or "", (cp.claim_code if cp else "") or _DUMMY_CODE)
    if cp is None or not cp.claim_code or not code_ok:
        raise _invalid_claim()
    if cp.owner_id == user.pk:
        raise DomainError(_("This charger is already yours."), code="already_yours", status=409)
    if cp.owner_id is not None or cp.organisation_id is not None:
        raise _invalid_claim()
    now = timezone.now()
    with transaction.atomic():
        won = ChargePoint.objects.filter(
            pk=cp.pk, owner__isnull=True, organisation__isnull=True, claim_code=cp.claim_code
        ).update(owner=user, name=name or cp.name, updated_at=now)
        if not won:
            raise _invalid_claim()
        ChargePoint.objects.filter(pk=cp.pk, onboarded_at__isnull=True).update(onboarded_at=now)
        if group is not None:
            GroupCharger.objects.filter(charge_point=cp).delete()
            GroupCharger.objects.create(group_id=getattr(group, "pk", group), charge_point=cp)
        local_list_changed_for([cp.pk])
    cp.refresh_from_db()
    return cp


def local_list_changed_for(pks: list[int]) -> None:
    from .local_list import local_list_changed

    local_list_changed(pks)


def favourite_set(*, user, charge_point: ChargePoint, favourite: bool) -> bool:
    """Star or unstar a charger the user may see; returns the new state (idempotent)."""
    from .models import Favourite

    if favourite:
        Favourite.objects.get_or_create(user=user, charge_point=charge_point)
    else:
        Favourite.objects.filter(user=user, charge_point=charge_point).delete()
    return favourite


def configuration_key_for(*, charge_point: ChargePoint, setting: str):
    """The ConfigurationKey row carrying ``setting`` on this charger: the most specific row
    wins, (vendor, model) > ("", model) > (vendor, "") > ("", "")."""
    from django.db.models import Q

    from .models import ConfigurationKey

    rows = ConfigurationKey.objects.filter(setting=setting).filter(
        Q(vendor__in=["", charge_point.vendor], model__in=["", charge_point.model])
    )
    ranked = sorted(rows, key=lambda row: (bool(row.model), bool(row.vendor)), reverse=True)
    return ranked[0] if ranked else None


def _setting_in_step(charge_point: ChargePoint, key: str, value: str) -> bool:
    """Whether the charger accepted this very value last time (then there is nothing to send)."""
    last = (
        ChargerOperation.objects.filter(
            charge_point=charge_point, action="ChangeConfiguration", payload__key=key
        ).order_by("-created_at", "-pk").first()
    )
    return bool(last and last.payload.get("value") == value
                and last.status == ChargerOperation.Status.ACCEPTED)


def _send_setting(*, charge_point, setting: str, value, acting_user) -> ChargerOperation | None:
    row = configuration_key_for(charge_point=charge_point, setting=setting)
    if row is None:
        return None  # no key known for this model: the setting stays on the platform
    text = (row.true_value if value else row.false_value) if isinstance(value, bool) else str(value)
    if _setting_in_step(charge_point, row.key, text):
        return None
    return operation_request(
        charge_point=charge_point, action="ChangeConfiguration",
        payload={"key": row.key, "value": text}, acting_user=acting_user,
    )


def charger_settings_errors(*, name=None, led_brightness=None) -> dict[str, list[str]]:
    errors = {}
    if name is not None and (error := charger_name_error(name.strip())):
        errors["name"] = [error]
    if led_brightness is not None and (
        isinstance(led_brightness, bool) or not isinstance(led_brightness, int)
        or not 0 <= led_brightness <= 100
    ):
        errors["led_brightness"] = [_("LED brightness is a whole number from 0 to 100.")]
    return errors


def charger_settings_update(
    *, charge_point: ChargePoint, acting_user, name: str | None = None,
    free_charging: bool | None = None, led_brightness: int | None = None,
) -> list[ChargerOperation]:
    """Owner settings (CP-4). The name lives on the platform; free charging lives on both
    (TAG-5 reads it, the charger gets it); LED brightness lives on the charger. Charger-side
    values go out with ChangeConfiguration under the key its model uses; returns those
    operations (their answers arrive later, or they are recorded offline at once)."""
    if errors := charger_settings_errors(name=name, led_brightness=led_brightness):
        first = next(iter(errors.values()))[0]
        raise DomainError(first, code="invalid", fields=errors)
    fields = []
    if name is not None and name.strip() != charge_point.name:
        charge_point.name = name.strip()
        fields.append("name")
    free_changed = free_charging is not None and free_charging != charge_point.free_charging
    if free_changed:
        charge_point.free_charging = free_charging
        fields.append("free_charging")
    if led_brightness is not None and led_brightness != charge_point.led_brightness:
        charge_point.led_brightness = led_brightness
        fields.append("led_brightness")
    operations = []
    with transaction.atomic():
        if fields:
            charge_point.save(update_fields=[*fields, "updated_at"])
        if free_charging is not None:
            operations.append(_send_setting(
                charge_point=charge_point, setting="free_charging", value=free_charging,
                acting_user=acting_user,
            ))
        if led_brightness is not None:
            operations.append(_send_setting(
                charge_point=charge_point, setting="led_brightness", value=led_brightness,
                acting_user=acting_user,
            ))
        if free_changed:
            local_list_changed_for([charge_point.pk])
    return [operation for operation in operations if operation is not None]


def charger_restart(*, charge_point: ChargePoint, acting_user, confirm: bool) -> ChargerOperation:
    """Soft reset (CP-3): the charger restarts once its current session has ended."""
    if confirm is not True:
        raise DomainError(_("Confirm the restart."), code="confirmation_required")
    return operation_request(
        charge_point=charge_point, action="Reset", payload={"type": "Soft"}, acting_user=acting_user,
    )


def charger_unclaim(*, charge_point: ChargePoint, acting_user) -> ChargePoint:
    """Release a charger from its owner (CP-3 Delete, CP-7 Remove assignment): it gets a new
    claim code, so the old QR code no longer works; shares end, it leaves its group, nobody
    keeps it as favourite, and the owner's description, site address, logbook switch and
    pictures go, so whoever claims it next starts clean."""
    from groups.models import GroupCharger
    from wccportal.lib.storage import private_storage

    from .models import ChargerPicture, ChargerShare, Favourite

    now = timezone.now()
    with transaction.atomic():
        was_free = ChargePoint.objects.filter(pk=charge_point.pk, free_charging=True).exists()
        ChargePoint.objects.filter(pk=charge_point.pk).update(
            owner=None, organisation=None, name="", claim_code=generate_code(),
            free_charging=False, description="", house_number="", street="", city="", zip_code="",
            country="", logbook_enabled=False, updated_at=now,
        )
        pictures = list(ChargerPicture.objects.filter(charge_point=charge_point).values_list("pk", "image"))
        ChargerPicture.objects.filter(pk__in=[pk for pk, _name in pictures]).delete()
        for _pk, name in pictures:
            transaction.on_commit(lambda name=name: private_storage().delete(name))
        ChargerShare.objects.filter(charge_point=charge_point, revoked_at__isnull=True).update(
            revoked_at=now
        )
        GroupCharger.objects.filter(charge_point=charge_point).delete()
        Favourite.objects.filter(charge_point=charge_point).delete()
        local_list_changed_for([charge_point.pk])
    charge_point.refresh_from_db()
    if was_free:
        # The next owner starts from the default: the charger stops charging for free too.
        _send_setting(charge_point=charge_point, setting="free_charging", value=False,
                      acting_user=acting_user)
    return charge_point
