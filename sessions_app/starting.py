"""Starting a charge from the app or the portal (SES-1 Scan & Charge, SES-2 1-Click Remote Start
and Start from a charger's actions, SES-6 driver logbook).

``session_request_start`` explains every refusal *before* anything is sent to the charger:
each check raises a DomainError with a stable code, in the order a driver would fix them
(the connector, the charger's connection, its state, a reservation, the tag, the right to
charge there, the logbook entry). Only then is a StartRequest stored and the
RemoteStartTransaction sent; the StartTransaction that follows is matched to the request
(sessions_app.start_requests) and the session takes over its source and logbook entry.

``start_info`` runs the same checks without sending (what the start page and the API's
start-info show), and ``start_progress`` tells how a request went: the charger's answer,
then the session it opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from chargers.models import ChargePoint, ChargerOperation, ChargerShare, Connector, IdTag
from chargers.selectors import member_q, owned_q
from chargers.services import operation_request
from groups.holds import holder_for
from groups.models import Booking, WaitlistEntry
from wccportal.errors import DomainError

from .authorization import authorize
from .models import ChargingSession, StartRequest
from .start_requests import START_REQUEST_MINUTES

Status = Connector.Status
# Connector states in which a remote start can work. Unknown: the charger has not reported
# the connector yet; it decides itself.
STARTABLE = (Status.AVAILABLE, Status.PREPARING, Status.UNKNOWN)
BUSY = (Status.CHARGING, Status.SUSPENDED_EV, Status.SUSPENDED_EVSE, Status.FINISHING)
OUT_OF_ORDER = (Status.UNAVAILABLE, Status.FAULTED)
MAX_MILEAGE_KM = 2_000_000
VEHICLE_ID_MAX = 50


def _time(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "TIME_FORMAT")


def _date(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")


# --- The tag a remote start uses ------------------------------------------------------------


@dataclass(frozen=True)
class StartTag:
    tag: IdTag
    via_share: bool  # the share's tag (guests), not the driver's own favourite


def start_tag_for(*, user, charge_point: ChargePoint, at: datetime | None = None) -> StartTag:
    """The favourite tag of owners, organisation users, group members and staff; the share's tag
    for those who see the charger only through a share (guests included).

    Refusals: no_favourite_tag, no_share_tag, tag_blocked, tag_expired.
    """
    at = at or timezone.now()
    through_share = not user.is_staff and not ChargePoint.objects.filter(
        owned_q(user) | member_q(user), pk=charge_point.pk
    ).exists()
    if through_share:
        share = (
            ChargerShare.objects.filter(charge_point=charge_point, revoked_at__isnull=True, expires_at__gt=at)
            .filter(Q(recipient=user) | Q(email__iexact=user.email))
            .exclude(id_tag__isnull=True).select_related("id_tag").order_by("-created_at").first()
        )
        if share is None:
            raise DomainError(_("Your share of this charger has no authorization tag: ask its owner."),
                              code="no_share_tag")
        tag = share.id_tag
    else:
        tag = IdTag.objects.filter(user=user, is_favourite=True).first()
        if tag is None:
            raise DomainError(_("Star one of your tags as favourite: remote starts use it."),
                              code="no_favourite_tag")
    if not tag.is_active:
        raise DomainError(_("Your tag %(tag)s is blocked. Unblock it or star another tag as favourite.")
                          % {"tag": tag}, code="tag_blocked")
    if tag.is_expired(at):
        raise DomainError(_("Your tag %(tag)s expired on %(date)s. Star a valid tag as favourite.")
                          % {"tag": tag, "date": _date(tag.expires_at)}, code="tag_expired")
    return StartTag(tag, through_share)


# --- Checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartPlan:
    """What a start will send: the connector chosen and the tag."""

    charge_point: ChargePoint
    connector: Connector
    tag: StartTag


def _connectors(charge_point: ChargePoint) -> dict[int, Connector]:
    return {c.connector_id: c for c in Connector.objects.filter(charge_point=charge_point)}


def _hold_refusal(charge_point: ChargePoint, holder_id: int, at: datetime) -> DomainError:
    """A booking or the waitlist holds the charger for another driver: say until when."""
    until = (
        Booking.objects.filter(charge_point=charge_point, user_id=holder_id, status=Booking.Status.BOOKED,
                               starts_at__lte=at, ends_at__gt=at).values_list("ends_at", flat=True).first()
    )
    if until is not None:
        message = _("%(name)s is booked by another driver until %(time)s.")
    else:
        until = (
            WaitlistEntry.objects.filter(offered_charge_point=charge_point, user_id=holder_id,
                                         status=WaitlistEntry.Status.OFFERED, hold_until__gt=at)
            .values_list("hold_until", flat=True).first()
        )
        message = _("%(name)s is held for the next driver of the waitlist until %(time)s.")
    if until is None:  # the hold ended between the two reads
        message = _("%(name)s is reserved for another driver.")
    return DomainError(message % {"name": charge_point.display_name, "time": until and _time(until)},
                       code="reserved")


def _connector_refusal(
    *, user, charge_point: ChargePoint, connector: Connector, whole: Connector | None, holder_id: int | None,
    active: dict[int, tuple[int, int | None]], pending: dict[int, int],
) -> DomainError | None:
    """Why this connector cannot take a start now (None: it can)."""
    number = connector.connector_id
    names = {"name": charge_point.display_name, "number": number, "status": connector.get_status_display()}
    if whole is not None and whole.status in OUT_OF_ORDER:
        return DomainError(_("%(name)s is out of service (%(status)s).")
                           % {**names, "status": whole.get_status_display()}, code="connector_unavailable")
    if number in active:
        _pk, driver = active[number]
        if driver == user.pk:
            return DomainError(_("You are already charging on connector %(number)s.") % names,
                               code="connector_busy")
        return DomainError(_("Connector %(number)s is in use by another vehicle.") % names, code="connector_busy")
    if number in pending:
        if pending[number] == user.pk:
            return DomainError(_("A start is already on its way to connector %(number)s: wait for the "
                                 "charger's answer.") % names, code="start_pending")
        return DomainError(_("Another driver is starting on connector %(number)s.") % names,
                           code="connector_busy")
    if connector.status in OUT_OF_ORDER:
        return DomainError(_("Connector %(number)s is out of service (%(status)s).") % names,
                           code="connector_unavailable")
    if connector.status == Status.FINISHING:
        return DomainError(_("Connector %(number)s is finishing the last session: unplug the cable, then "
                             "plug in again.") % names, code="connector_busy")
    if connector.status in BUSY:
        return DomainError(_("Connector %(number)s is in use (%(status)s).") % names, code="connector_busy")
    if connector.status == Status.RESERVED and holder_id != user.pk:
        return DomainError(_("Connector %(number)s is reserved for another driver.") % names, code="reserved")
    return None


def _plan(*, user, charge_point: ChargePoint, connector_id: int | None, at: datetime) -> StartPlan:
    """Every check but the logbook's, in order; raises the first refusal."""
    connectors = _connectors(charge_point)
    usable = [c for number, c in sorted(connectors.items()) if number >= 1]
    if connector_id is not None and connector_id not in {c.connector_id for c in usable}:
        message = _("%(name)s has no connector %(number)s.") % {
            "name": charge_point.display_name, "number": connector_id}
        raise DomainError(message, code="invalid_connector", fields={"connector_id": [message]})
    if not usable:
        raise DomainError(_("%(name)s has not reported its connectors yet.") % {"name": charge_point.display_name},
                          code="invalid_connector")
    if not ChargePoint.objects.filter(pk=charge_point.pk, is_online=True).exists():
        raise DomainError(_("%(name)s is offline: the start cannot reach it. Check its power and internet "
                            "connection, or try again in a moment.") % {"name": charge_point.display_name},
                          code="charger_offline")
    holder_id = holder_for(charge_point.pk, at)
    if holder_id is not None and holder_id != user.pk:
        raise _hold_refusal(charge_point, holder_id, at)
    active = {
        number: (pk, driver) for pk, number, driver in ChargingSession.objects.filter(
            charge_point=charge_point, status=ChargingSession.Status.ACTIVE,
        ).values_list("pk", "connector_id", "user_id")
    }
    since = at - timedelta(seconds=settings.OCPP_CALL_TIMEOUT + 30)
    pending = dict(
        StartRequest.objects.filter(charge_point=charge_point, session__isnull=True, created_at__gte=since,
                                    operation__status=ChargerOperation.Status.PENDING)
        .values_list("connector_id", "user_id")
    )
    check = {"user": user, "charge_point": charge_point, "whole": connectors.get(0), "holder_id": holder_id,
             "active": active, "pending": pending}
    if connector_id is not None:
        connector = connectors[connector_id]
        if refusal := _connector_refusal(connector=connector, **check):
            raise refusal
    else:
        # The first free connector: one that reported itself free before one never heard of.
        ranked = sorted(usable, key=lambda c: (c.status == Status.UNKNOWN, c.connector_id))
        refusals = [(c, _connector_refusal(connector=c, **check)) for c in ranked]
        connector = next((c for c, refusal in refusals if refusal is None), None)
        if connector is None:
            if len(refusals) == 1:
                raise refusals[0][1]
            raise DomainError(_("No connector of %(name)s is free.") % {"name": charge_point.display_name},
                              code="no_free_connector")
    start_tag = start_tag_for(user=user, charge_point=charge_point, at=at)
    _check_right(charge_point, start_tag.tag, at)
    return StartPlan(charge_point, connector, start_tag)


def _check_right(charge_point: ChargePoint, tag: IdTag, at: datetime) -> None:
    """What the charger's StartTransaction will be answered, asked beforehand (TAG-5).

    A dry run: the tag is known, so ``authorize`` only reads; the savepoint rolled back
    guarantees that nothing it might write stays."""
    with transaction.atomic():
        decision = authorize(charge_point=charge_point, id_tag=tag.id_tag, at=at)
        transaction.set_rollback(True)
    if decision.accepted:
        return
    names = {"tag": str(tag), "name": charge_point.display_name}
    if decision.reason == "reserved":
        raise DomainError(_("%(name)s is reserved for another driver.") % names, code="reserved")
    if decision.reason in ("tag_expired", "share_expired"):
        raise DomainError(_("Your right to charge at %(name)s with %(tag)s has expired.") % names,
                          code="tag_expired")
    if decision.reason == "blocked":
        raise DomainError(_("Your tag %(tag)s is blocked.") % names, code="tag_blocked")
    raise DomainError(_("Your tag %(tag)s may not charge at %(name)s. Ask its owner for access.") % names,
                      code="no_right")


def logbook_clean(*, mileage_km, vehicle_id, required: bool) -> tuple[int | None, str]:
    """The logbook entry (SES-6) as stored: mileage in whole km and the vehicle ID. Accepts what
    a form posts (text) as well as numbers. Refusal: logbook_required, with field errors."""
    errors: dict[str, list[str]] = {}
    mileage = None
    text = "".join(str(mileage_km).split()) if mileage_km is not None else ""
    if text:
        try:
            mileage = int(text)
        except ValueError:
            errors["mileage_km"] = [_("Enter the mileage as a whole number of kilometres.")]
        else:
            if not 0 <= mileage <= MAX_MILEAGE_KM:
                errors["mileage_km"] = [_("Enter a mileage between 0 and %(max)s km.")
                                        % {"max": formats.number_format(MAX_MILEAGE_KM, force_grouping=True)}]
    elif required:
        errors["mileage_km"] = [_("Enter the vehicle's mileage (km).")]
    vehicle = " ".join((vehicle_id or "").split())
    if len(vehicle) > VEHICLE_ID_MAX:
        errors["vehicle_id"] = [_("Enter at most %(max)s characters.") % {"max": VEHICLE_ID_MAX}]
    elif not vehicle and required:
        errors["vehicle_id"] = [_("Enter the vehicle ID, e.g. its number plate or fleet number.")]
    if errors:
        message = (_("This charger keeps a driver logbook: enter the mileage and the vehicle ID.") if required
                   else _("Check the logbook entry."))
        raise DomainError(message, code="logbook_required", fields=errors)
    return mileage, vehicle


# --- The use case ---------------------------------------------------------------------------


def session_request_start(
    *, user, charge_point: ChargePoint, connector_id: int | None, source: str = ChargingSession.Source.APP,
    mileage_km=None, vehicle_id: str = "",
) -> StartRequest:
    """Start charging (SES-1, SES-2, SES-6): check, store the request, send RemoteStartTransaction.

    ``connector_id`` None takes the first free connector. The caller has checked that the
    user may see the charger (charger_get_for_user). Refusals, before anything is sent:
    invalid_connector, charger_offline, connector_unavailable, connector_busy, start_pending,
    no_free_connector, reserved, no_favourite_tag, no_share_tag, tag_blocked, tag_expired,
    no_right, logbook_required (with field errors). The charger's own answer (accepted,
    rejected …) arrives later on the request's operation.
    """
    with transaction.atomic():
        # Starts on one charger are checked one at a time: of two racing for a connector, the
        # second sees the first on its way (start_pending / connector_busy).
        ChargePoint.objects.select_for_update().filter(pk=charge_point.pk).values_list("pk").first()
        at = timezone.now()
        plan = _plan(user=user, charge_point=charge_point, connector_id=connector_id, at=at)
        mileage, vehicle = logbook_clean(mileage_km=mileage_km, vehicle_id=vehicle_id,
                                         required=charge_point.logbook_enabled)
        request = StartRequest.objects.create(
            user=user, charge_point=charge_point, connector_id=plan.connector.connector_id,
            id_tag=plan.tag.tag.id_tag, source=source, vehicle_mileage_km=mileage, vehicle_id=vehicle,
            created_at=at,
        )
        request.operation = operation_request(
            charge_point=charge_point, action="RemoteStartTransaction",
            payload={"connectorId": plan.connector.connector_id, "idTag": plan.tag.tag.id_tag}, acting_user=user,
        )
        request.save(update_fields=["operation"])
    return request


# --- What the start page shows --------------------------------------------------------------


@dataclass(frozen=True)
class LastLogbook:
    vehicle_id: str
    mileage_km: int | None


@dataclass(frozen=True)
class StartInfo:
    charge_point: ChargePoint
    connector: Connector
    tag: StartTag | None
    logbook_required: bool
    last_logbook: LastLogbook | None
    refusal: DomainError | None
    active_session_id: int | None  # my session running on this connector
    pending_request_id: int | None  # my start on its way to this connector

    @property
    def startable(self) -> bool:
        return self.refusal is None


def last_logbook_for(user) -> LastLogbook | None:
    """The vehicle of the driver's last logbook entry, to fill in the next one."""
    row = (
        ChargingSession.objects.filter(user=user).exclude(vehicle_id="").order_by("-started_at")
        .values_list("vehicle_id", "vehicle_mileage_km").first()
    )
    return LastLogbook(*row) if row else None


def start_info(*, user, charge_point: ChargePoint, connector_id: int) -> StartInfo:
    """The start page of one connector (SES-1): its state, the tag that will be used, whether
    the logbook is asked for, and whether a start can work now or why not. 404 for a
    connector the charger does not have."""
    at = timezone.now()
    connector = get_object_or_404(Connector, charge_point=charge_point, connector_id=connector_id,
                                  connector_id__gte=1)
    refusal = tag = None
    try:
        plan = _plan(user=user, charge_point=charge_point, connector_id=connector_id, at=at)
        tag = plan.tag
    except DomainError as error:
        refusal = error
        try:
            tag = start_tag_for(user=user, charge_point=charge_point, at=at)
        except DomainError:
            tag = None
    active = (
        ChargingSession.objects.filter(charge_point=charge_point, connector_id=connector_id, user=user,
                                       status=ChargingSession.Status.ACTIVE).values_list("pk", flat=True).first()
    )
    pending = (
        StartRequest.objects.filter(charge_point=charge_point, connector_id=connector_id, user=user,
                                    session__isnull=True, operation__status=ChargerOperation.Status.PENDING)
        .values_list("pk", flat=True).first()
    )
    return StartInfo(
        charge_point=charge_point, connector=connector, tag=tag, logbook_required=charge_point.logbook_enabled,
        last_logbook=last_logbook_for(user) if charge_point.logbook_enabled else None, refusal=refusal,
        active_session_id=active, pending_request_id=pending,
    )


# --- How a start went -----------------------------------------------------------------------


def start_request_list_for_user(user):
    if not user.is_authenticated:
        return StartRequest.objects.none()
    return StartRequest.objects.filter(user=user).select_related("charge_point", "operation", "session")


def start_request_get_for_user(user, pk) -> StartRequest:
    """One of my start requests, else 404."""
    try:
        return start_request_list_for_user(user).get(pk=pk)
    except (StartRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such start.") from None


@dataclass(frozen=True)
class StartProgress:
    state: str  # pending, accepted, started, no_session, rejected, failed, timed_out, offline
    message: str
    final: bool
    session_id: int | None

    @property
    def session_url(self) -> str | None:
        return reverse("app:session_live", args=[self.session_id]) if self.session_id else None


PROGRESS_STATES = ("pending", "accepted", "started", "no_session", "rejected", "failed", "timed_out", "offline")


def start_progress(request: StartRequest, *, at: datetime | None = None) -> StartProgress:
    """Where a start is: sent, accepted by the charger, charging (the session is open), or
    refused and why. The session may open before the charger's answer is stored: it wins."""
    at = at or timezone.now()
    if request.session_id:
        return StartProgress("started", _("Charging has started."), True, request.session_id)
    operation = request.operation
    status = operation.status if operation else ChargerOperation.Status.FAILED
    name = request.charge_point.display_name
    if status == ChargerOperation.Status.PENDING:
        return StartProgress("pending", _("Sending the start to %(name)s…") % {"name": name}, False, None)
    if status == ChargerOperation.Status.ACCEPTED:
        if at - request.created_at > timedelta(minutes=START_REQUEST_MINUTES):
            return StartProgress("no_session", _(
                "%(name)s accepted the start, but no charging began. Was the vehicle plugged in? Try again."
            ) % {"name": name}, True, None)
        return StartProgress("accepted", _(
            "%(name)s accepted the start. Charging begins as soon as the vehicle is plugged in."
        ) % {"name": name}, False, None)
    if status == ChargerOperation.Status.REJECTED:
        return StartProgress("rejected", _(
            "%(name)s refused to start. Check that the cable is plugged in firmly and that the connector "
            "is free, then try again."
        ) % {"name": name}, True, None)
    if status == ChargerOperation.Status.TIMED_OUT:
        return StartProgress("timed_out", _("%(name)s did not answer. Try again in a moment.") % {"name": name},
                             True, None)
    if status == ChargerOperation.Status.OFFLINE:
        return StartProgress("offline", _("%(name)s went offline: nothing was sent.") % {"name": name}, True, None)
    return StartProgress("failed", _("%(name)s could not carry out the start.") % {"name": name}, True, None)


# --- QR stickers (SES-1) --------------------------------------------------------------------


def connector_start_url(charge_point: ChargePoint, connector_id: int) -> str:
    """The absolute URL a connector's QR sticker encodes: its start page."""
    path = reverse("app:charge_connector", args=[charge_point.charge_point_id, connector_id])
    return settings.SITE_URL + path
