"""Firmware releases and over-the-air updates (CP-5)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.services import notification_create
from wccportal.errors import DomainError
from wccportal.lib.realtime import live_update_on_commit
from wccportal.lib.tasks import enqueue_on_commit

from . import services
from .models import ChargePoint, ChargerOperation, FirmwareRelease
from .selectors import charger_list_for_user

UPDATE_FIRMWARE = "UpdateFirmware"


def version_key(version: str) -> tuple:
    """Order versions the way people read them: 1.10.0 after 1.9.2, 1.2.1 after 1.2,
    2.0 after 2.0-rc1, and 1.0 equal to 1.0.0."""
    parts = re.findall(r"\d+|[A-Za-z]+", version or "")
    key: list[tuple] = []
    run: list[tuple] = []  # consecutive numbers: trailing zeros do not count (1.0.0 is 1)

    def end_run():
        while len(run) > 1 and run[-1] == (2, 0, ""):
            run.pop()
        key.extend(run)
        run.clear()

    # Letters (pre-release tags) < the end of a release < numbers.
    for part in parts:
        if part.isdigit():
            run.append((2, int(part), ""))
        else:
            end_run()
            key.append((0, 0, part.lower()))
    end_run()
    if parts and parts[-1].isdigit():
        key.append((1, 0, ""))  # a release without a suffix sorts after its pre-releases
    return tuple(key)


def firmware_updates_for(charge_points: Iterable[ChargePoint]) -> dict[int, FirmwareRelease]:
    """The newest published release above each charger's firmware, by charger pk."""
    charge_points = [cp for cp in charge_points if cp.model]
    if not charge_points:
        return {}
    models = {cp.model for cp in charge_points}
    releases = list(
        FirmwareRelease.objects.filter(is_active=True, model__in=models)
        .filter(Q(vendor="") | Q(vendor__in={cp.vendor for cp in charge_points}))
    )
    updates = {}
    for cp in charge_points:
        current = version_key(cp.firmware_version)
        candidates = [
            r for r in releases
            if r.model == cp.model and r.vendor in ("", cp.vendor) and version_key(r.version) > current
        ]
        if candidates:
            updates[cp.pk] = max(candidates, key=lambda r: version_key(r.version))
    return updates


# --- Reads ------------------------------------------------------------------------------------

# OCPP 1.6 FirmwareStatus values in the order an update goes through them.
PROGRESS_STEPS = ("Downloading", "Downloaded", "Installing", "Installed")
FAILED_STATUSES = ("DownloadFailed", "InstallationFailed")
IN_PROGRESS_STATUSES = ("Downloading", "Downloaded", "Installing")
# A charger that went quiet in the middle of an update does not block a new try for ever.
IN_PROGRESS_GRACE = timedelta(minutes=30)


def firmware_update_for(charge_point: ChargePoint) -> FirmwareRelease | None:
    """The newest published release above this charger's firmware, or None."""
    return firmware_updates_for([charge_point]).get(charge_point.pk)


def firmware_last_operation(charge_point: ChargePoint) -> ChargerOperation | None:
    return (
        ChargerOperation.objects.filter(charge_point=charge_point, action=UPDATE_FIRMWARE)
        .order_by("-created_at", "-pk").first()
    )


@dataclass(frozen=True)
class FirmwareState:
    """What the firmware card, page and API show for one charger and one user."""

    charge_point: ChargePoint
    can_install: bool  # owners (and staff): everyone else sees only the version
    update: FirmwareRelease | None
    operation: ChargerOperation | None
    status: str  # the charger's last FirmwareStatusNotification since the last request

    @property
    def phase(self) -> str:
        """idle, requested, running, installed or failed."""
        op = self.operation
        if op is None:
            return "idle"
        if op.status in (ChargerOperation.Status.REJECTED, ChargerOperation.Status.FAILED,
                         ChargerOperation.Status.TIMED_OUT, ChargerOperation.Status.OFFLINE):
            return "failed"
        if self.status in FAILED_STATUSES:
            return "failed"
        if self.status == "Installed":
            return "installed"
        if self.status in IN_PROGRESS_STATUSES:
            return "running"
        return "requested"

    @property
    def busy(self) -> bool:
        """An update was sent recently and the charger has not finished or failed it."""
        return _busy(self.operation, self.status)

    @property
    def percent(self) -> int:
        return progress_percent(self.status, self.operation.status if self.operation else "")

    @property
    def show_progress(self) -> bool:
        """An update under way, or one that ended in the last day (not a request that found
        the charger offline: nothing was sent)."""
        if self.operation is None or self.operation.status == ChargerOperation.Status.OFFLINE:
            return False
        recent = self.operation.created_at > timezone.now() - timedelta(days=1)
        return recent or self.phase in ("requested", "running")

    @property
    def steps(self) -> list[tuple[str, str]]:
        """(step, state) for the stepper: state is done, current, todo or failed."""
        return progress_steps(self.status, self.operation.status if self.operation else "")


STEPS = ("Sent", *PROGRESS_STEPS)
_OPERATION_FAILED = ("rejected", "failed", "timed_out", "offline")


def progress_steps(status: str, operation_status: str) -> list[tuple[str, str]]:
    """The stepper's states; static/js/firmware.js computes the same in the browser.

    Steps up to the charger's last report are done, except Downloading and Installing,
    which are current while they last; a failure marks the step it happened in.
    """
    failed_step = None
    if operation_status in _OPERATION_FAILED:
        failed_step = "Sent"
    elif status == "DownloadFailed":
        failed_step = "Downloading"
    elif status == "InstallationFailed":
        failed_step = "Installing"
    if failed_step:
        reached = STEPS.index(failed_step)
    elif status in STEPS:
        reached = STEPS.index(status)
    else:
        reached = 0
    states = []
    for index, step in enumerate(STEPS):
        if step == failed_step:
            state = "failed"
        elif index < reached:
            state = "done"
        elif index > reached:
            state = "todo"
        elif step in ("Downloading", "Installing") or (step == "Sent" and operation_status == "pending"):
            state = "current"
        else:
            state = "done"
        states.append((step, state))
    return states


def _busy(operation: ChargerOperation | None, status: str) -> bool:
    return (
        operation is not None
        and operation.status in (ChargerOperation.Status.PENDING, ChargerOperation.Status.ACCEPTED)
        and operation.created_at > timezone.now() - IN_PROGRESS_GRACE
        and (status in IN_PROGRESS_STATUSES or status == "")
    )


def progress_percent(status: str, operation_status: str = "") -> int:
    """The share of the way an update has gone, for a progress bar (as firmware.js)."""
    by_status = {"Downloading": 35, "Downloaded": 55, "Installing": 80, "Installed": 100}
    if status in by_status:
        return by_status[status]
    return 20 if operation_status == ChargerOperation.Status.ACCEPTED else 10


def firmware_state_for(*, user, charge_point: ChargePoint) -> FirmwareState:
    """The firmware facts of a charger the user may see (the caller checked read access)."""
    can_install = charger_list_for_user(user, write=True).filter(pk=charge_point.pk).exists()
    if not can_install:
        return FirmwareState(charge_point, False, None, None, "")
    operation = firmware_last_operation(charge_point)
    status = charge_point.firmware_status if operation is not None else ""
    return FirmwareState(charge_point, True, firmware_update_for(charge_point), operation, status)


# --- Installing an update (the owner) ---------------------------------------------------------


def firmware_install(
    *, charge_point: ChargePoint, release_id: int | None = None, acting_user=None
) -> ChargerOperation:
    """Send UpdateFirmware for ``release_id`` (default: the newest available release).

    The caller checked write access. An offline charger is sent nothing: the operation is
    recorded as offline (check ``status``). Progress arrives as FirmwareStatusNotification.
    """
    if release_id is None:
        release = firmware_update_for(charge_point)
        if release is None:
            raise DomainError(
                _("This charger already runs the newest firmware: there is no update to install."),
                code="no_update", status=409,
            )
    else:
        release = _release_for(charge_point, release_id)
    if _busy(firmware_last_operation(charge_point), charge_point.firmware_status):
        raise DomainError(
            _("An update is already running on this charger: wait until it ends."),
            code="update_in_progress", status=409,
        )
    payload = {
        "location": release.location,
        "retrieveDate": timezone.now().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "retries": 1,
    }
    with transaction.atomic():
        operation = services.operation_request(
            charge_point=charge_point, action=UPDATE_FIRMWARE, payload=payload,
            acting_user=acting_user,
        )
        if operation.status == ChargerOperation.Status.PENDING:
            # The status shown from now on is the one of this request.
            ChargePoint.objects.filter(pk=charge_point.pk).update(firmware_status="")
            charge_point.firmware_status = ""
    return operation


def _release_for(charge_point: ChargePoint, release_id: int) -> FirmwareRelease:
    release = FirmwareRelease.objects.filter(pk=release_id, is_active=True).first()
    if release is None or release.model != charge_point.model or release.vendor not in (
        "", charge_point.vendor
    ):
        raise DomainError(
            _("This firmware release does not exist for this charger's model."),
            code="invalid_release", fields={"release": [_("Unknown release.")]},
        )
    if version_key(release.version) <= version_key(charge_point.firmware_version):
        raise DomainError(
            _("The charger already runs firmware %(current)s, which is not older than %(version)s.")
            % {"current": charge_point.firmware_version, "version": release.version},
            code="no_update", status=409,
        )
    return release


# --- Telling owners (NOT-1, NOT-2) --------------------------------------------------------------

CHUNK = 500


def firmware_release_published(*, release: FirmwareRelease, acting_user=None) -> None:
    """Staff saved a release: once it commits, if it is published, a job tells the owners
    of chargers on an older version (each of them once per charger and release)."""
    if release.is_active:
        enqueue_on_commit("chargers.tasks_firmware.notify_release", release.pk)


def firmware_notify_release(*, release_id: int) -> int:
    """Job: notify the owners of the chargers for which this release is the newest update.

    Works through the model's chargers in chunks; returns how many chargers were notified.
    """
    release = FirmwareRelease.objects.filter(pk=release_id, is_active=True).first()
    if release is None:
        return 0
    chargers = ChargePoint.objects.filter(
        model=release.model, owner__isnull=False, owner__is_active=True, is_active=True
    )
    if release.vendor:
        chargers = chargers.filter(vendor=release.vendor)
    rows = list(chargers.order_by("owner_id", "pk").values_list("pk", "owner_id"))
    notified = 0
    for chunk_pks in _chunks_by_owner(rows):
        chunk = list(ChargePoint.objects.filter(pk__in=chunk_pks).select_related("owner"))
        updates = firmware_updates_for(chunk)
        notified += _notify(release, [cp for cp in chunk if _same(updates.get(cp.pk), release)])
    return notified


def _chunks_by_owner(rows: list[tuple[int, int]]):
    """Charger pks in chunks of about CHUNK that never split one owner's chargers, so each
    owner gets one e-mail listing them all."""
    chunk: list[int] = []
    for index, (pk, owner_id) in enumerate(rows):
        if len(chunk) >= CHUNK and owner_id != rows[index - 1][1]:
            yield chunk
            chunk = []
        chunk.append(pk)
    if chunk:
        yield chunk


def firmware_charger_booted(*, pk: int) -> int:
    """Job after a boot: tell the live pages the running version; notify the owner once if a
    newer release exists. Returns how many notifications were made (0 or 1)."""
    cp = ChargePoint.objects.filter(pk=pk).select_related("owner").first()
    if cp is None:
        return 0
    release = firmware_update_for(cp)
    live_update_on_commit(f"live.charger.{pk}", {
        "type": "live.event", "event": "charger", "charger": pk,
        "firmware_version": cp.firmware_version, "firmware_status": cp.firmware_status,
        "firmware_update": release.version if release else None,
    })
    if release is None or cp.owner is None or not cp.owner.is_active or not cp.is_active:
        return 0
    return _notify(release, [cp])


def _same(a: FirmwareRelease | None, b: FirmwareRelease) -> bool:
    return a is not None and a.pk == b.pk


def firmware_notification_link(charge_point: ChargePoint, release: FirmwareRelease) -> str:
    """The charger page; the version in the query makes the link unique per release, which
    is what keeps a notification from being made twice."""
    return "/app/chargers/{}/?{}".format(
        quote(charge_point.charge_point_id, safe=""), urlencode({"firmware": release.version})
    )


def _notify(release: FirmwareRelease, charge_points: list[ChargePoint]) -> int:
    """Notify each charger's owner, in-app and by e-mail, unless already done."""
    if not charge_points:
        return 0
    Kind = Notification.Kind
    created: dict[int, list[dict]] = {}
    with transaction.atomic():
        # Publishing and boots race for the same (charger, release): the release's row lock
        # lets one of them in at a time (PostgreSQL; SQLite writes one at a time anyway).
        list(FirmwareRelease.objects.select_for_update().filter(pk=release.pk).values_list("pk"))
        links = {cp.pk: firmware_notification_link(cp, release) for cp in charge_points}
        done = set(
            Notification.objects.filter(
                kind=Kind.FIRMWARE_AVAILABLE, link__in=links.values(),
                user_id__in={cp.owner_id for cp in charge_points},
            ).values_list("user_id", "link")
        )
        for cp in charge_points:
            owner = cp.owner
            if (owner.pk, links[cp.pk]) in done:
                continue
            done.add((owner.pk, links[cp.pk]))
            with translation.override(owner.language or settings.LANGUAGE_CODE):
                title = _("Firmware %(version)s is available for %(charger)s") % {
                    "version": release.version, "charger": cp.display_name}
                body = _("It runs %(current)s. Open the charger to install the update.") % {
                    "current": cp.firmware_version or "–"}
            notification_create(
                user=owner, kind=Kind.FIRMWARE_AVAILABLE, title=title, body=body,
                link=links[cp.pk],
            )
            created.setdefault(owner.pk, []).append({
                "name": cp.display_name, "charge_point_id": cp.charge_point_id,
                "current": cp.firmware_version, "url": settings.SITE_URL + links[cp.pk],
            })
        owners = {cp.owner.pk: cp.owner for cp in charge_points}
        for owner_pk, chargers in created.items():
            owner = owners[owner_pk]
            # One e-mail per owner and release, listing the chargers it concerns; a job of
            # its own, so that a mail server hiccup is retried without the notifications.
            enqueue_on_commit(
                "wccportal.lib.emails.send_templated_task", "firmware_available", owner.email,
                {"name": owner.first_name or owner.get_full_name(), "version": release.version,
                 "model": release.model, "release_notes": release.release_notes,
                 "chargers": chargers},
                owner.language,
            )
    return sum(len(chargers) for chargers in created.values())
