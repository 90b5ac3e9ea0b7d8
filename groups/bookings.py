"""Bookings of a group's chargers (RES-1 … RES-3): the owner's rules, booking with an
automatically assigned charger, cancelling, and the minute job that reserves chargers over
OCPP when a slot begins, releases no-shows, closes finished bookings and sends reminders.

While a booking runs only its holder may start on the charger: ``groups.holds`` answers that
for every Authorize and StartTransaction, whether or not the charger took the reservation.
ReserveNow / CancelReservation make the charger itself show and keep the reservation (OPS-1).

Which connector is reserved: the whole charger (connectorId 0), because a booking holds the
charger and not one of its connectors; except on a charger with exactly one connector, which
gets connectorId 1: the same thing for the driver, and chargers without
ReserveConnectorZeroSupported accept it.

Where the commands are sent from: this module calls ``chargers.services.operation_request``
in whichever process runs it. Pages and the API run in the process holding the charger
sockets (embedded default) or reach them through Redis. The minute job must run where the
sockets are reachable too: in the job cluster with Redis, in the web server's process with
the embedded in-memory channel layer (see ``bookings_tick``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Notification
from accounts.services import notification_create
from chargers.models import ChargePoint, Connector, IdTag
from chargers.services import operation_request
from chargers.sharing import zone_or_default
from wccportal.errors import DomainError
from wccportal.lib.tasks import enqueue_for_chargers_on_commit

from .models import Booking, Group, Membership, WaitlistEntry

log = logging.getLogger(__name__)

# Ranges of the owner's rules (RES-1): (lowest, highest).
MAX_MINUTES_RANGE = (15, 24 * 60)
HORIZON_DAYS_RANGE = (1, 90)
NO_SHOW_MINUTES_RANGE = (5, 120)
MIN_BOOKING_MINUTES = 15
# A slot "starting now" is picked on a form with the time rounded down: a start up to this
# long ago is read as now.
START_GRACE = timedelta(minutes=5)
RESERVE_AHEAD = timedelta(minutes=1)  # ReserveNow goes out when the slot begins within this
REMINDER_AHEAD = timedelta(minutes=15)

BOOKED = Booking.Status.BOOKED

# Notifications to the holder: translated when sent, in the holder's language.
CONFIRMED = (gettext_noop("Booking confirmed: %(charger)s"),
             gettext_noop("%(slot)s in %(group)s. Only you can start charging there during this time."))
CANCELLED_BY_OWNER = (gettext_noop("Booking cancelled: %(charger)s"),
                      gettext_noop("The owner of %(group)s cancelled your booking %(slot)s."))
CANCELLED_MEMBER_LEFT = (gettext_noop("Booking cancelled: %(charger)s"),
                         gettext_noop("You are no longer a member of %(group)s, so your booking %(slot)s "
                                      "was cancelled."))
CANCELLED_CHARGER_LEFT = (gettext_noop("Booking cancelled: %(charger)s"),
                          gettext_noop("%(charger)s is no longer part of %(group)s, so your booking %(slot)s "
                                       "was cancelled."))
RELEASED = (gettext_noop("Booking released: %(charger)s"),
            gettext_noop("Nobody started charging within the first minutes of your booking %(slot)s, so the "
                         "charger was released for others."))
REMINDER = (gettext_noop("Your booking starts soon: %(charger)s"), gettext_noop("%(slot)s in %(group)s."))


def _error(code: str, message: str, field: str | None = None, status: int | None = None) -> DomainError:
    return DomainError(message, code=code, fields={field: [message]} if field else None, status=status)


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def _iso(at: datetime) -> str:
    return at.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds").replace("+00:00", "Z")


def group_zone(group: Group) -> ZoneInfo:
    """The time zone a group's bookings are entered and shown in: its chargers' (the first
    by id), else the platform's."""
    name = (
        ChargePoint.objects.filter(group_link__group=group).order_by("charge_point_id")
        .values_list("time_zone", flat=True).first()
    )
    return zone_or_default(name or settings.TIME_ZONE)


def booking_zone(booking: Booking) -> ZoneInfo:
    return zone_or_default(booking.charge_point.time_zone)


def _slot_text(booking: Booking) -> str:
    zone = booking_zone(booking)
    start, end = timezone.localtime(booking.starts_at, zone), timezone.localtime(booking.ends_at, zone)
    until = date_format(end, "TIME_FORMAT" if start.date() == end.date() else "SHORT_DATETIME_FORMAT")
    return _("%(start)s – %(end)s") % {"start": date_format(start, "SHORT_DATETIME_FORMAT"), "end": until}


def _notify(booking: Booking, kind: str, message: tuple[str, str]) -> None:
    """Tell the holder, in their language: ``message`` is one of the (title, body) above."""
    title, body = message
    user = booking.user
    with translation.override(user.language):
        values = {"charger": booking.charge_point.display_name, "slot": _slot_text(booking),
                  "group": booking.group.name}
        notification_create(user=user, kind=kind, title=_(title) % values, body=_(body) % values,
                            link=reverse("app:booking_detail", args=[booking.pk]))


# --- Rules (RES-1) -----------------------------------------------------------------------------


def _check_range(value, bounds: tuple[int, int], field: str, label: str) -> int:
    low, high = bounds
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise _error("invalid_rules", _("%(label)s must be between %(low)s and %(high)s.")
                     % {"label": label, "low": low, "high": high}, field)
    return number


@transaction.atomic
def booking_rules_update(
    *, group: Group, acting_user, enabled: bool, max_minutes: int, horizon_days: int, no_show_minutes: int
) -> Group:
    """The owner switches bookings on or off and sets the rules (RES-1). Only a premium
    owner can switch them on. Switching them off stops new bookings; those already made stay
    (the owner can cancel them one by one)."""
    if group.owner_id != acting_user.pk and not acting_user.is_staff:
        raise _error("not_group_owner", _("Only the group's owner can change its booking rules."), status=403)
    max_minutes = _check_range(max_minutes, MAX_MINUTES_RANGE, "max_minutes", _("The longest booking"))
    horizon_days = _check_range(horizon_days, HORIZON_DAYS_RANGE, "horizon_days", _("Days ahead"))
    no_show_minutes = _check_range(no_show_minutes, NO_SHOW_MINUTES_RANGE, "no_show_minutes",
                                   _("The no-show release"))
    if enabled and not group.owner.is_premium:
        raise _error("premium_required", _("Bookings are part of the Premium plan."), "enabled")
    group.bookings_enabled = bool(enabled)
    group.booking_max_minutes = max_minutes
    group.booking_horizon_days = horizon_days
    group.booking_no_show_minutes = no_show_minutes
    group.save(update_fields=["bookings_enabled", "booking_max_minutes", "booking_horizon_days",
                              "booking_no_show_minutes", "updated_at"])
    return group


# --- Who may book where --------------------------------------------------------------------------


def bookable_groups(user) -> QuerySet[Group]:
    """Groups the user may book in: owned or joined, with bookings on (RES-1)."""
    if not user.is_authenticated:
        return Group.objects.none()
    return (
        Group.objects.filter(Q(owner=user) | Q(memberships__user=user), bookings_enabled=True)
        .distinct().order_by("name")
    )


def _is_member(user, group: Group) -> bool:
    return group.owner_id == user.pk or Membership.objects.filter(group=group, user=user).exists()


def _connector_for(charge_point: ChargePoint) -> int:
    """1 on a charger with exactly one connector, else 0 (the whole charger): module docstring."""
    count = Connector.objects.filter(charge_point=charge_point, connector_id__gt=0).count()
    return 1 if count == 1 else 0


def _overlapping(starts_at: datetime, ends_at: datetime) -> Q:
    return Q(status=BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at)


def _free_chargers(*, group: Group, user, starts_at: datetime, ends_at: datetime, now: datetime) -> list[ChargePoint]:
    """The group's chargers free for the slot, best first: no live booking overlapping it,
    not held from the waitlist for someone else when it begins. A slot beginning now prefers
    chargers online with a connector Available; otherwise the order is the charger ids'."""
    chargers = list(
        ChargePoint.objects.filter(group_link__group=group, is_active=True).order_by("charge_point_id")
    )
    pks = [cp.pk for cp in chargers]
    busy = set(
        Booking.objects.filter(_overlapping(starts_at, ends_at), charge_point_id__in=pks)
        .values_list("charge_point_id", flat=True)
    )
    held = set(
        WaitlistEntry.objects.filter(
            status=WaitlistEntry.Status.OFFERED, offered_charge_point_id__in=pks, hold_until__gt=starts_at,
        ).exclude(user=user).values_list("offered_charge_point_id", flat=True)
    )
    free = [cp for cp in chargers if cp.pk not in busy and cp.pk not in held]
    if starts_at <= now + RESERVE_AHEAD and free:
        available = set(
            Connector.objects.filter(
                charge_point_id__in=[cp.pk for cp in free], connector_id__gt=0, status=Connector.Status.AVAILABLE,
            ).values_list("charge_point_id", flat=True)
        )
        free.sort(key=lambda cp: (not cp.is_online, cp.pk not in available))  # stable: ids stay in order
    return free


# --- Booking (RES-2) ---------------------------------------------------------------------------


def _check_slot(group: Group, starts_at: datetime, ends_at: datetime, now: datetime) -> tuple[datetime, datetime]:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise _error("invalid_time", _("The times need a time zone."), "starts_at")
    starts_at, ends_at = _minute(starts_at), _minute(ends_at)
    if ends_at <= starts_at:
        raise _error("invalid_time", _("The end must be after the start."), "ends_at")
    length = (ends_at - starts_at).total_seconds() / 60
    if length < MIN_BOOKING_MINUTES:
        raise _error("booking_too_short", _("A booking lasts at least %(minutes)s minutes.")
                     % {"minutes": MIN_BOOKING_MINUTES}, "ends_at")
    if length > group.booking_max_minutes:
        raise _error("booking_too_long", _("In this group a booking lasts at most %(duration)s.")
                     % {"duration": duration_text(group.booking_max_minutes)}, "ends_at")
    if starts_at < _minute(now) - START_GRACE:
        raise _error("booking_in_past", _("The start is in the past."), "starts_at")
    if starts_at > now + timedelta(days=group.booking_horizon_days):
        raise _error("booking_too_far_ahead", _("In this group you can book at most %(days)s days ahead.")
                     % {"days": group.booking_horizon_days}, "starts_at")
    # A start picked a little before now (rounded down on the form) starts now.
    return max(starts_at, _minute(now)), ends_at


@transaction.atomic
def booking_create(*, user, group: Group, starts_at: datetime, ends_at: datetime) -> Booking:
    """Book a slot in a group: a free charger of the group is assigned (RES-2).

    Concurrent requests for the same slot queue on the group's row lock, so each sees the
    bookings committed before it; on PostgreSQL the exclusion constraint ``booking_no_overlap``
    would refuse an overlap that slipped through anyway. Every refusal is a DomainError with
    its own code, and nothing is written."""
    now = timezone.now()
    if not user.is_premium:
        raise _error("premium_required", _("Bookings are part of the Premium plan."))
    group = Group.objects.select_for_update().get(pk=group.pk)
    if not _is_member(user, group):
        raise _error("not_member", _("You are not a member of this group."), "group", status=403)
    if not group.bookings_enabled:
        raise _error("bookings_disabled", _("Bookings are not enabled in this group."), "group")
    starts_at, ends_at = _check_slot(group, starts_at, ends_at, now)
    if Booking.objects.filter(_overlapping(starts_at, ends_at), user=user).exists():
        raise _error("booking_overlaps_yours", _("You already have a booking at that time."), "starts_at")
    free = _free_chargers(group=group, user=user, starts_at=starts_at, ends_at=ends_at, now=now)
    if not free:
        if not ChargePoint.objects.filter(group_link__group=group, is_active=True).exists():
            raise _error("group_has_no_chargers", _("This group has no chargers to book."), "group")
        raise _no_charger_free()
    charge_point = free[0]
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                group=group, charge_point=charge_point, connector_id=_connector_for(charge_point), user=user,
                starts_at=starts_at, ends_at=ends_at,
                # A slot beginning within the reminder's lead needs no reminder.
                reminded_at=now if starts_at <= now + REMINDER_AHEAD else None,
            )
    except IntegrityError:
        raise _no_charger_free() from None
    booking.charge_point, booking.group, booking.user = charge_point, group, user
    _notify(booking, Notification.Kind.BOOKING, CONFIRMED)
    if starts_at <= now + RESERVE_AHEAD:
        # Reserve at once, from where the chargers' sockets are reachable.
        enqueue_for_chargers_on_commit("groups.bookings.booking_reserve", booking.pk)
    return booking


def _no_charger_free() -> DomainError:
    return _error("no_charger_free", _("Every charger of the group is booked at that time. Try another time."),
                  "starts_at", status=409)


def duration_text(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": rest}


# --- Cancelling ----------------------------------------------------------------------------------


def _end(booking: Booking, status: str, at: datetime) -> bool:
    """Move a live booking to ``status`` (once, whoever else tries at the same moment) and
    release the charger's reservation if it was made and has not run out."""
    changed = Booking.objects.filter(pk=booking.pk, status=BOOKED).update(
        status=status, ended_at=at, updated_at=timezone.now())
    if not changed:
        return False
    booking.status, booking.ended_at = status, at
    # Read after the update: a ReserveNow that committed meanwhile must be cancelled too.
    booking.reserved_at = Booking.objects.filter(pk=booking.pk).values_list("reserved_at", flat=True).first()
    if booking.reserved_at is not None and booking.ends_at > at:
        operation_request(charge_point=booking.charge_point, action="CancelReservation",
                          payload={"reservationId": booking.pk})
    return True


@transaction.atomic
def booking_cancel(*, booking: Booking, acting_user) -> Booking:
    """The holder or the group's owner cancels a booking, also one already running (the
    charger is free for others at once)."""
    if acting_user.pk not in (booking.user_id, booking.group.owner_id) and not acting_user.is_staff:
        raise _error("not_allowed", _("Only the holder or the group's owner can cancel this booking."), status=403)
    booking = Booking.objects.select_related("charge_point", "group", "user").get(pk=booking.pk)
    if booking.status != BOOKED or booking.ends_at <= timezone.now():
        raise _error("booking_not_live", _("This booking is already over or cancelled."), status=409)
    _end(booking, Booking.Status.CANCELLED, timezone.now())
    if acting_user.pk != booking.user_id:
        _notify(booking, Notification.Kind.BOOKING, CANCELLED_BY_OWNER)
    return booking


def _cancel_all(bookings: QuerySet[Booking], message: tuple[str, str]) -> int:
    now = timezone.now()
    count = 0
    for booking in bookings.filter(status=BOOKED, ends_at__gt=now).select_related("charge_point", "group", "user"):
        if _end(booking, Booking.Status.CANCELLED, now):
            _notify(booking, Notification.Kind.BOOKING, message)
            count += 1
    return count


@transaction.atomic
def bookings_cancel_for_member(*, group: Group, user) -> int:
    """A member left or was removed: their upcoming and running bookings in the group end."""
    return _cancel_all(Booking.objects.filter(group=group, user=user), CANCELLED_MEMBER_LEFT)


@transaction.atomic
def bookings_cancel_for_charger(*, charge_point: ChargePoint) -> int:
    """A charger left its group: its upcoming and running bookings end."""
    return _cancel_all(Booking.objects.filter(charge_point=charge_point), CANCELLED_CHARGER_LEFT)


# --- At the charger (RES-2) --------------------------------------------------------------------


def reservation_tag(booking: Booking) -> IdTag | None:
    """The tag the charger keeps the reservation for: the holder's favourite, else their
    first active one (valid on this charger, not expired), as for a remote start."""
    now = timezone.now()
    return (
        IdTag.objects.filter(user_id=booking.user_id, is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(Q(valid_charge_points__isnull=True) | Q(valid_charge_points=booking.charge_point_id))
        .order_by("-is_favourite", "pk").first()
    )


@transaction.atomic
def booking_reserve(booking_pk: int, at: datetime | None = None) -> bool:
    """Send ReserveNow for a booking whose slot begins (once: a concurrent call does nothing).
    Without a usable tag nothing is sent and the next tick tries again; the charger is held
    for the holder centrally anyway (RES-3)."""
    at = at or timezone.now()
    booking = Booking.objects.select_related("charge_point").filter(
        pk=booking_pk, status=BOOKED, reserved_at__isnull=True, ends_at__gt=at).first()
    if booking is None:
        return False
    tag = reservation_tag(booking)
    if tag is None:
        log.info("booking %s: the holder has no usable tag, no ReserveNow", booking.pk)
        return False
    if not Booking.objects.filter(pk=booking.pk, status=BOOKED, reserved_at__isnull=True).update(reserved_at=at):
        return False
    payload = {"connectorId": booking.connector_id, "expiryDate": _iso(booking.ends_at), "idTag": tag.id_tag,
               "reservationId": booking.pk}
    if tag.parent_id_tag:
        payload["parentIdTag"] = tag.parent_id_tag
    operation_request(charge_point=booking.charge_point, action="ReserveNow", payload=payload)
    return True


# --- The minute job ------------------------------------------------------------------------------


@dataclass
class TickResult:
    completed: int = 0
    no_shows: int = 0
    reserved: int = 0
    reminded: int = 0


def _showed_up(candidates: list[Booking], at: datetime) -> set[int]:
    """Bookings whose holder has a session on the booked charger running at some time between
    the slot's start and its no-show deadline."""
    # By name, not by import: sessions_app builds on groups (DESIGN.md §3).
    session_model = apps.get_model("sessions_app", "ChargingSession")
    if not candidates:
        return set()
    earliest = min(b.starts_at for b in candidates)
    sessions = session_model.objects.filter(
        charge_point_id__in={b.charge_point_id for b in candidates}, user_id__in={b.user_id for b in candidates},
        authorization_status="Accepted", started_at__lte=at,
    ).filter(Q(stopped_at__isnull=True) | Q(stopped_at__gt=earliest)).values_list(
        "charge_point_id", "user_id", "started_at", "stopped_at")
    shown = set()
    for booking in candidates:
        deadline = booking.starts_at + timedelta(minutes=booking.group.booking_no_show_minutes)
        for cp_id, user_id, started, stopped in sessions:
            if (cp_id, user_id) == (booking.charge_point_id, booking.user_id) and started < deadline and (
                stopped is None or stopped > booking.starts_at
            ):
                shown.add(booking.pk)
    return shown


def bookings_tick(at: datetime | None = None) -> TickResult:
    """Every minute (RES-2, RES-3): close finished bookings, release no-shows (with
    CancelReservation), reserve chargers whose slot begins (ReserveNow) and remind holders a
    quarter of an hour ahead. Idempotent: each step changes a booking only from the state it
    read, so a second run, or two at once, send nothing twice. Each step is one indexed query
    (``booking_status_start``) over the few bookings around now.

    It sends commands to chargers, so it must run where their sockets are reachable: in the
    job cluster with Redis; in the embedded default (in-memory channel layer) in the web
    server's process, not in the separate job cluster.
    """
    at = at or timezone.now()
    result = TickResult()
    # Finished: the charger's own reservation has run out with the slot (expiryDate).
    result.completed = Booking.objects.filter(status=BOOKED, ends_at__lte=at).update(
        status=Booking.Status.COMPLETED, ended_at=at, updated_at=timezone.now())

    candidates = list(
        Booking.objects.filter(
            status=BOOKED, starts_at__lte=at - timedelta(minutes=NO_SHOW_MINUTES_RANGE[0]), ends_at__gt=at,
        ).select_related("group", "charge_point", "user")
    )
    due = [b for b in candidates if b.starts_at + timedelta(minutes=b.group.booking_no_show_minutes) <= at]
    shown = _showed_up(due, at)
    for booking in due:
        if booking.pk in shown:
            continue
        with transaction.atomic():
            if _end(booking, Booking.Status.NO_SHOW, at):
                _notify(booking, Notification.Kind.BOOKING, RELEASED)
                result.no_shows += 1

    for pk in Booking.objects.filter(
        status=BOOKED, reserved_at__isnull=True, starts_at__lte=at + RESERVE_AHEAD, ends_at__gt=at,
    ).values_list("pk", flat=True):
        result.reserved += booking_reserve(pk, at)

    for booking in Booking.objects.filter(
        status=BOOKED, reminded_at__isnull=True, starts_at__gt=at, starts_at__lte=at + REMINDER_AHEAD,
    ).select_related("group", "charge_point", "user"):
        with transaction.atomic():
            if Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(reminded_at=at):
                _notify(booking, Notification.Kind.BOOKING_REMINDER, REMINDER)
                result.reminded += 1
    return result


# --- Availability (RES-2) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Availability:
    day: date
    time_zone: str
    chargers: int
    free: list[Interval]  # at least one charger free (from now, within the booking horizon)
    busy: list[dict]  # live bookings that day: starts_at, ends_at, charge_point_id, charger name


def booking_availability(*, group: Group, day: date, at: datetime | None = None) -> Availability:
    """When on ``day`` (in the group's time zone) a booking can still be made, and the live
    bookings of the group's chargers that day (times and chargers only, no names)."""
    at = at or timezone.now()
    zone = group_zone(group)
    day_start = datetime.combine(day, time(0), tzinfo=zone)
    day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    window_start = max(day_start, _minute(at))
    window_end = min(day_end, at + timedelta(days=group.booking_horizon_days))
    chargers = list(ChargePoint.objects.filter(group_link__group=group, is_active=True)
                    .order_by("charge_point_id").values_list("pk", "charge_point_id", "name"))
    bookings = list(
        Booking.objects.filter(_overlapping(day_start, day_end), charge_point_id__in=[c[0] for c in chargers])
        .order_by("starts_at").values_list("charge_point_id", "starts_at", "ends_at")
    )
    names = {pk: (cp_id, name or cp_id) for pk, cp_id, name in chargers}
    busy = [{"starts_at": s, "ends_at": e, "charge_point_id": names[pk][0], "charger": names[pk][1]}
            for pk, s, e in bookings]
    free: list[Interval] = []
    if chargers and window_start < window_end:
        # Sweep over the booking edges: free while fewer bookings run than there are chargers.
        edges = sorted([(max(s, window_start), 1) for _pk, s, e in bookings if e > window_start]
                       + [(min(e, window_end), -1) for _pk, s, e in bookings if e > window_start])
        running, cursor = 0, window_start
        for when, step in edges:
            when = min(max(when, window_start), window_end)
            if running < len(chargers) and when > cursor:
                _append(free, cursor, when)
            cursor = max(cursor, when)
            running += step
        if running < len(chargers) and cursor < window_end:
            _append(free, cursor, window_end)
    return Availability(day, zone.key, len(chargers), free, busy)


def _append(intervals: list[Interval], start: datetime, end: datetime) -> None:
    if intervals and intervals[-1].ends_at == start:
        intervals[-1] = Interval(intervals[-1].starts_at, end)
    else:
        intervals.append(Interval(start, end))


def booking_list_own(user, *, upcoming: bool, at: datetime | None = None) -> QuerySet[Booking]:
    """The user's own bookings: upcoming (live, not over) soonest first, or past latest first."""
    at = at or timezone.now()
    qs = Booking.objects.filter(user=user).select_related("group", "charge_point")
    live = Q(status=BOOKED, ends_at__gt=at)
    return qs.filter(live).order_by("starts_at") if upcoming else qs.exclude(live).order_by("-starts_at")


def booking_list_owned_groups(user, at: datetime | None = None) -> QuerySet[Booking]:
    """Upcoming bookings of others in the groups the user owns (the owner may cancel them)."""
    at = at or timezone.now()
    return (
        Booking.objects.filter(group__owner=user, status=BOOKED, ends_at__gt=at).exclude(user=user)
        .select_related("group", "charge_point", "user").order_by("starts_at")
    )

