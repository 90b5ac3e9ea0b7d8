"""Reads and access decisions for groups, invitations, tariffs, bookings and the waitlist
(DESIGN.md §4). Every page and API goes through these; no access means 404, never 403."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import Booking, Group, Invitation, Tariff, WaitlistEntry


def _get(qs: QuerySet, what: str, **lookup):
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {what}.") from None


def group_list_for_user(user) -> QuerySet[Group]:
    """Groups the user owns or belongs to (staff: all)."""
    if not user.is_authenticated:
        return Group.objects.none()
    if user.is_staff:
        return Group.objects.all()
    return Group.objects.filter(Q(owner=user) | Q(memberships__user=user)).distinct()


def group_get_for_user(user, pk, *, owner: bool = False) -> Group:
    """A group the user belongs to or owns; with ``owner`` only one they own (staff: any)."""
    qs = group_list_for_user(user)
    if owner and not user.is_staff:
        qs = Group.objects.filter(owner=user)
    return _get(qs, "group", pk=pk)


def owned_group_list(user) -> QuerySet[Group]:
    if not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(owner=user)


def invitation_list_for_user(user, *, at=None) -> QuerySet[Invitation]:
    """Pending, unexpired invitations addressed to the user's e-mail (GRP-3)."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    return Invitation.objects.filter(
        email__iexact=user.email, status=Invitation.Status.PENDING, expires_at__gt=at or timezone.now()
    ).select_related("group", "group__owner", "invited_by")


def invitation_get_for_user(user, pk) -> Invitation:
    return _get(invitation_list_for_user(user), "invitation", pk=pk)


def tariff_list_for_user(user) -> QuerySet[Tariff]:
    """Tariffs the user may see and change: their own (staff: all)."""
    if not user.is_authenticated:
        return Tariff.objects.none()
    if user.is_staff:
        return Tariff.objects.all()
    return Tariff.objects.filter(owner=user)


def tariff_get_for_user(user, pk) -> Tariff:
    return _get(tariff_list_for_user(user), "tariff", pk=pk)


def booking_list_for_user(user) -> QuerySet[Booking]:
    """The user's own bookings, and those on groups they own (staff: all)."""
    if not user.is_authenticated:
        return Booking.objects.none()
    qs = Booking.objects.select_related("group", "charge_point", "user")
    if user.is_staff:
        return qs
    return qs.filter(Q(user=user) | Q(group__owner=user))


def booking_get_for_user(user, pk) -> Booking:
    return _get(booking_list_for_user(user), "booking", pk=pk)


def waitlist_list_for_user(user) -> QuerySet[WaitlistEntry]:
    """The user's own waitlist entries (staff: all)."""
    if not user.is_authenticated:
        return WaitlistEntry.objects.none()
    qs = WaitlistEntry.objects.select_related("group", "offered_charge_point")
    return qs if user.is_staff else qs.filter(user=user)


def waitlist_get_for_user(user, pk) -> WaitlistEntry:
    return _get(waitlist_list_for_user(user), "waitlist entry", pk=pk)
