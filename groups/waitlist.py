"""Waitlist of a group (RES-4): services and reads.

When every charger of a group is busy, a member (or the owner) joins the group's queue.
When a charger frees up, the first driver waiting is *offered* it: the charger is held for
them until ``hold_until`` (``settings.WAITLIST_HOLD_MINUTES``, default 5) and only they are
accepted there (``groups.holds.holder_for``, asked by ``sessions_app.authorization`` for
every Authorize and StartTransaction, TAG-5). Starting a session there serves the entry;
otherwise the hold expires and the next driver in line gets the charger.

Three ways lead to an offer, all through ``waitlist_offer_free`` (idempotent, one group at a
time under a lock on the group's row, so two of them never hand out the same charger):

* ``charger_available``: the gateway saw a connector turn Available (hot path: one
  indexed statement, the offer itself runs after the commit as a job);
* a driver leaves the queue (or the group) while a charger was held for them;
* ``waitlist_tick`` every minute: expired holds, and chargers free while people wait (an
  event that was missed).

A charger is *free* when it is online, active and accepted, its connector 0 is not
Unavailable / Faulted, some connector (1 …) is Available without an open session, and
nobody holds it (a running booking, or a booking that begins before the hold would end,
or a waitlist offer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from chargers.models import ChargePoint, Connector
from sessions_app.models import ChargingSession
from wccportal.errors import DomainError
from wccportal.lib import sql
from wccportal.lib.realtime import live_update_on_commit
from wccportal.lib.tasks import enqueue_for_chargers_on_commit, enqueue_on_commit

from .models import Booking, Group, GroupCharger, Membership, WaitlistEntry

OFFER_JOB = "groups.waitlist.waitlist_offer_job"
BUSY_STATUSES_OF_CHARGER = (Connector.Status.UNAVAILABLE, Connector.Status.FAULTED)  # on connector 0


def hold_minutes() -> int:
    """How long a freed charger is kept for the driver whose turn it is."""
    return int(getattr(settings, "WAITLIST_HOLD_MINUTES", 5))


# --- Which chargers are free ---------------------------------------------------------------------


@dataclass
class GroupState:
    """A group's chargers right now: how many, and which are free for the next driver."""

    group_id: int
    chargers: int = 0
    free: list[int] = field(default_factory=list)  # charge point pks, in a stable order

    @property
    def busy(self) -> bool:
        """Every charger is busy (a group without chargers counts as busy)."""
        return not self.free


def group_states(group_ids, *, at: datetime | None = None, until: datetime | None = None) -> dict[int, GroupState]:
    """The state of each group (two statements, whatever the number of groups).

    A charger held at any time in [at, until] is not free: an offer made now must not run
    into a booking that begins before its hold ends."""
    at = at or timezone.now()
    until = until or at
    group_ids = [int(pk) for pk in group_ids]
    states = {pk: GroupState(pk) for pk in group_ids}
    if not group_ids:
        return states
    open_session = ChargingSession.objects.filter(
        charge_point_id=OuterRef("charge_point_id"), connector_id=OuterRef("connector_id"),
        status=ChargingSession.Status.ACTIVE,
    )
    available = Connector.objects.filter(
        charge_point_id=OuterRef("charge_point_id"), connector_id__gte=1, status=Connector.Status.AVAILABLE,
    ).exclude(Exists(open_session))
    down = Connector.objects.filter(
        charge_point_id=OuterRef("charge_point_id"), connector_id=0, status__in=BUSY_STATUSES_OF_CHARGER,
    )
    rows = (
        GroupCharger.objects.filter(group_id__in=group_ids)
        .annotate(available=Exists(available), down=Exists(down))
        .values_list("group_id", "charge_point_id", "charge_point__is_online", "charge_point__is_active",
                     "charge_point__registration_status", "available", "down")
        .order_by("group_id", "charge_point__name", "charge_point_id")
    )
    candidates: list[tuple[int, int]] = []
    for group_id, cp_pk, online, active, registration, has_available, is_down in rows:
        states[group_id].chargers += 1
        if online and active and registration == ChargePoint.Registration.ACCEPTED and has_available and not is_down:
            candidates.append((group_id, cp_pk))
    held = _held([cp_pk for _group, cp_pk in candidates], at, until)
    for group_id, cp_pk in candidates:
        if cp_pk not in held:
            states[group_id].free.append(cp_pk)
    return states


def _held(cp_pks: list[int], at: datetime, until: datetime) -> set[int]:
    """Chargers held by a booking or a waitlist offer at some time in [at, until] (one statement)."""
    if not cp_pks:
        return set()
    bookings = Booking.objects.filter(
        charge_point_id__in=cp_pks, status=Booking.Status.BOOKED, starts_at__lte=until, ends_at__gt=at,
    ).values_list("charge_point_id").order_by()
    offers = WaitlistEntry.objects.filter(
        offered_charge_point_id__in=cp_pks, status=WaitlistEntry.Status.OFFERED, hold_until__gt=at,
    ).values_list("offered_charge_point_id").order_by()
    return {pk for (pk,) in bookings.union(offers)}


def group_busy(group: Group, at: datetime | None = None) -> bool:
    """Every charger of the group is busy right now: charging, not Available, held for
    someone (booking, waitlist) or offline (RES-4)."""
    return group_states([group.pk], at=at)[group.pk].busy


# --- Reads ---------------------------------------------------------------------------------------


def waitlist_position(entry: WaitlistEntry) -> int | None:
    """1 for the next driver in line; None when the entry is not waiting (any more)."""
    if entry.status != WaitlistEntry.Status.WAITING:
        return None
    ahead = WaitlistEntry.objects.filter(group_id=entry.group_id, status=WaitlistEntry.Status.WAITING).filter(
        Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk)
    )
    return ahead.count() + 1


def position_text(position: int | None) -> str:
    if position is None:
        return ""
    if position == 1:
        return _("You are next in line")
    return _("You are number %(position)d in line") % {"position": position}


def queue_length(group_id: int) -> int:
    return WaitlistEntry.objects.filter(group_id=group_id, status=WaitlistEntry.Status.WAITING).count()


def groups_joinable_by(user):
    """Groups whose queue the user may join: those they own or belong to (not staff's all)."""
    if not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(Q(owner=user) | Q(memberships__user=user)).distinct()


def may_join(user, group: Group) -> bool:
    return group.owner_id == user.pk or Membership.objects.filter(group=group, user=user).exists()


# --- Join and leave ------------------------------------------------------------------------------


@dataclass(frozen=True)
class JoinResult:
    entry: WaitlistEntry
    position: int


def _already_waiting() -> DomainError:
    return DomainError(_("You are already in this group's queue."), code="already_waiting", status=409)


def waitlist_join(*, user, group: Group, at: datetime | None = None) -> JoinResult:
    """Queue the user for the group's next free charger (RES-4).

    Only members and the owner may; refused while a charger of the group is free (go and
    charge there) and for a group without chargers. One open entry per user and group: a
    database rule, so that two quick clicks give one entry and one ``already_waiting``."""
    at = at or timezone.now()
    if not may_join(user, group):
        raise DomainError(_("Only members of the group can join its queue."), code="not_member", status=403)
    try:
        with transaction.atomic():
            # The group's row is the queue's lock: offers take it too.
            Group.objects.select_for_update().filter(pk=group.pk).values_list("pk", flat=True).first()
            if WaitlistEntry.objects.filter(group=group, user=user, status__in=WaitlistEntry.OPEN).exists():
                raise _already_waiting()
            state = group_states([group.pk], at=at)[group.pk]
            if not state.chargers:
                raise DomainError(_("This group has no chargers yet."), code="no_chargers", status=409)
            if state.free:
                raise DomainError(
                    _("A charger of this group is free right now: go and charge there."),
                    code="charger_free", status=409,
                )
            entry = WaitlistEntry.objects.create(group=group, user=user)
    except IntegrityError:
        raise _already_waiting() from None
    return JoinResult(entry, waitlist_position(entry))


def _close_open(qs, *, at: datetime) -> list[tuple[int, int, str]]:
    """Cancel the open entries of ``qs``; (pk, group, former status) of those it changed."""
    rows = list(qs.filter(status__in=WaitlistEntry.OPEN).values_list("pk", "group_id", "status"))
    changed = []
    for pk, group_id, status in rows:
        # Conditional: an offer or the tick may have moved it meanwhile.
        if WaitlistEntry.objects.filter(pk=pk, status=status).update(
            status=WaitlistEntry.Status.CANCELLED, closed_at=at, updated_at=at,
        ):
            changed.append((pk, group_id, status))
    for group_id in {group_id for _pk, group_id, status in changed}:
        _push_queue(group_id)
    for group_id in {group_id for _pk, group_id, status in changed if status == WaitlistEntry.Status.OFFERED}:
        # The charger held for them is free again: the next one in line gets it.
        enqueue_for_chargers_on_commit(OFFER_JOB, group_id)
    return changed


@transaction.atomic
def waitlist_leave(*, entry: WaitlistEntry, user, at: datetime | None = None) -> WaitlistEntry:
    """The driver leaves the queue (or gives back a charger held for them)."""
    if entry.user_id != user.pk and not user.is_staff:
        raise Http404("No such waitlist entry.")
    at = at or timezone.now()
    if not _close_open(WaitlistEntry.objects.filter(pk=entry.pk), at=at):
        raise DomainError(_("This entry is no longer in the queue."), code="not_waiting", status=409)
    entry.refresh_from_db()
    return entry


@transaction.atomic
def waitlist_leave_group(*, group: Group, user, at: datetime | None = None) -> int:
    """Remove the user from the group's queue (they left or were removed from the group)."""
    return len(_close_open(WaitlistEntry.objects.filter(group=group, user=user), at=at or timezone.now()))


# --- Offers --------------------------------------------------------------------------------------


def charger_available(*, charge_point_pk: int) -> None:
    """A connector of the charger has just become Available (called from StatusNotification,
    inside the gateway's database transaction; must stay cheap).

    One indexed statement: is anybody waiting in this charger's group? Only then is the offer
    scheduled, as a job after the commit, in the process that holds the chargers' and pages'
    sockets when the channel layer is in memory."""
    row = sql.fetchone(
        f"SELECT gc.group_id FROM {GroupCharger._meta.db_table} gc "  # noqa: S608 - fixed names
        f"WHERE gc.charge_point_id = %s AND EXISTS (SELECT 1 FROM {WaitlistEntry._meta.db_table} w "
        f"WHERE w.group_id = gc.group_id AND w.status = %s)",
        [charge_point_pk, WaitlistEntry.Status.WAITING],
    )
    if row is not None:
        enqueue_for_chargers_on_commit(OFFER_JOB, row[0])


def waitlist_offer_job(group_id: int) -> int:
    """Job: offer the group's free chargers to the drivers waiting."""
    return len(waitlist_offer_free(group_id=group_id))


def waitlist_offer_free(*, group_id: int, at: datetime | None = None) -> list[WaitlistEntry]:
    """Offer each free charger of the group to the next driver waiting, in the order they
    joined; each charger is then held for them until ``hold_until``. Idempotent: a charger
    held already is not free, and nobody is offered twice."""
    at = at or timezone.now()
    hold_until = at + timedelta(minutes=hold_minutes())
    offered: list[WaitlistEntry] = []
    with transaction.atomic():
        group = Group.objects.select_for_update().filter(pk=group_id).first()
        if group is None:
            return []
        free = group_states([group_id], at=at, until=hold_until)[group_id].free
        if not free:
            return []
        member = Membership.objects.filter(group_id=group_id, user_id=OuterRef("user_id"))
        waiting = (
            WaitlistEntry.objects.filter(group_id=group_id, status=WaitlistEntry.Status.WAITING)
            .annotate(member=Exists(member))
            .select_related("user")
            .order_by("created_at", "pk")
        )
        for entry in waiting[: len(free) + 20]:
            if not free:
                break
            if (not entry.member and entry.user_id != group.owner_id) or not entry.user.is_active:
                # Removed from the group without the queue being told: their turn lapses.
                WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistEntry.Status.WAITING).update(
                    status=WaitlistEntry.Status.CANCELLED, closed_at=at, updated_at=at)
                continue
            cp_pk = free[0]
            if not WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistEntry.Status.WAITING).update(
                status=WaitlistEntry.Status.OFFERED, offered_charge_point_id=cp_pk, offered_at=at,
                hold_until=hold_until, updated_at=at,
            ):
                continue  # left the queue meanwhile
            free.pop(0)
            entry.status = WaitlistEntry.Status.OFFERED
            entry.offered_charge_point = ChargePoint.objects.get(pk=cp_pk)
            entry.offered_at, entry.hold_until = at, hold_until
            _notify_offer(entry, group)
            offered.append(entry)
        if offered:
            _push_queue(group_id)
    return offered


def _local_time(charge_point: ChargePoint, when: datetime) -> str:
    from chargers.sharing import charger_zone

    return time_format(timezone.localtime(when, charger_zone(charge_point)), "TIME_FORMAT")


def _notify_offer(entry: WaitlistEntry, group: Group) -> None:
    from accounts.models import Notification
    from accounts.services import notification_create

    user, cp = entry.user, entry.offered_charge_point
    language = user.language or settings.LANGUAGE_CODE
    charger_url = reverse("app:charger_detail", args=[cp.charge_point_id])
    with translation.override(language):
        until = _local_time(cp, entry.hold_until)
        notification_create(
            user=user, kind=Notification.Kind.WAITLIST_TURN,
            title=_("Your turn: %(charger)s is free") % {"charger": cp.display_name},
            body=_("It is held for you until %(time)s (%(zone)s). Start charging there before then, "
                   "or the next driver in line gets it.") % {"time": until, "zone": cp.time_zone},
            link=reverse("app:waitlist"),
        )
    enqueue_on_commit(
        "wccportal.lib.emails.send_templated_task", "waitlist_offer", user.email,
        {"name": user.first_name or user.get_full_name(), "group_name": group.name,
         "charger_name": cp.display_name, "charge_point_id": cp.charge_point_id,
         "hold_until": until, "time_zone": cp.time_zone, "minutes": hold_minutes(),
         "charger_url": settings.SITE_URL + charger_url,
         "waitlist_url": settings.SITE_URL + reverse("app:waitlist")},
        language,
    )


def _notify_expired(entry: WaitlistEntry) -> None:
    from accounts.models import Notification
    from accounts.services import notification_create

    user, cp = entry.user, entry.offered_charge_point
    with translation.override(user.language or settings.LANGUAGE_CODE):
        notification_create(
            user=user, kind=Notification.Kind.GENERAL,
            title=_("Your hold on %(charger)s has ended") % {"charger": cp.display_name if cp else "–"},
            body=_("You did not start charging in time, so the charger went to the next driver in line. "
                   "Join the queue again if you still need to charge."),
            link=reverse("app:waitlist"),
        )


def _push_queue(group_id: int) -> None:
    """Tell the pages of everybody in the group's queue that it moved (positions, offers)."""
    user_ids = WaitlistEntry.objects.filter(group_id=group_id, status__in=WaitlistEntry.OPEN).values_list(
        "user_id", flat=True)
    for user_id in user_ids:
        live_update_on_commit(f"live.user.{user_id}", {"type": "live.event", "event": "waitlist", "group": group_id})


# --- Every minute --------------------------------------------------------------------------------


def waitlist_tick(at: datetime | None = None) -> dict:
    """Pass expired holds on to the next driver in line (RES-4).

    Offers whose driver started a session at the charger are served; those whose hold ran
    out unused expire (the driver is told); then every group with drivers waiting and a free
    charger gets its offers, which also catches a charger freed while its event was missed.
    Idempotent; every statement is on an index (the open-entry constraint is a partial index
    on status)."""
    at = at or timezone.now()
    started_there = ChargingSession.objects.filter(
        charge_point_id=OuterRef("offered_charge_point_id"), user_id=OuterRef("user_id"),
    ).filter(Q(started_at__gte=OuterRef("offered_at")) | Q(received_start_at__gte=OuterRef("offered_at")))
    offers = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED)
    served = offers.filter(Exists(started_there)).update(
        status=WaitlistEntry.Status.SERVED, closed_at=at, updated_at=at)

    expired = 0
    for entry in offers.filter(hold_until__lte=at).select_related("user", "offered_charge_point"):
        with transaction.atomic():
            if WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistEntry.Status.OFFERED).update(
                status=WaitlistEntry.Status.EXPIRED, closed_at=at, updated_at=at,
            ):
                expired += 1
                _notify_expired(entry)
                _push_queue(entry.group_id)

    waiting_groups = list(
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING).values_list("group_id", flat=True).distinct()
    )
    until = at + timedelta(minutes=hold_minutes())
    offered = 0
    for group_id, state in group_states(waiting_groups, at=at, until=until).items():
        if state.free:
            offered += len(waitlist_offer_free(group_id=group_id, at=at))
    return {"served": served, "expired": expired, "offered": offered}
