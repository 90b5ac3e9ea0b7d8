"""Reads and access decisions for chargers (CP-2, DESIGN.md §4).

Every page, API and operation path that returns or changes a charger goes through
``charger_get_for_user`` / ``charger_list_for_user``. No access means 404, never 403.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import ChargePoint, ChargerOperation, Connector, IdTag, TagEnrolment


def _is_org_user(user) -> bool:
    return bool(getattr(user, "organisation_id", None)) and user.is_organisation_user


def owned_q(user) -> Q:
    q = Q(owner=user)
    if _is_org_user(user):
        q |= Q(organisation_id=user.organisation_id)
    return q


def member_q(user) -> Q:
    # Expressed through reverse relations so this app need not import `groups`.
    return Q(group_link__group__memberships__user=user) | Q(group_link__group__owner=user)


def shared_q(user, at=None) -> Q:
    at = at or timezone.now()
    return Q(
        Q(shares__recipient=user) | Q(shares__email__lower=user.email.lower()),
        shares__revoked_at__isnull=True,
        shares__expires_at__gt=at,
    )


def charger_list_for_user(user, *, write: bool = False) -> QuerySet[ChargePoint]:
    """Chargers the user may see (or change, with ``write``)."""
    if not user.is_authenticated:
        return ChargePoint.objects.none()
    qs = ChargePoint.objects.all()
    if user.is_staff:
        return qs
    owned = ChargePoint.objects.filter(owned_q(user)).values("pk")
    if write:
        return qs.filter(pk__in=owned)
    member = ChargePoint.objects.filter(member_q(user)).values("pk")
    shared = ChargePoint.objects.filter(shared_q(user)).values("pk")
    return qs.filter(Q(pk__in=owned) | Q(pk__in=member) | Q(pk__in=shared))


def charger_get_for_user(user, charge_point_id: str, *, write: bool = False) -> ChargePoint:
    """The charger with this id if the user has the right, else 404."""
    try:
        return charger_list_for_user(user, write=write).get(charge_point_id=charge_point_id)
    except ChargePoint.DoesNotExist:
        raise Http404("No such charger.") from None


def charger_tabs_for_user(user) -> dict[str, QuerySet[ChargePoint]]:
    """CP-2 tabs: Residentials (mine), Commercial (groups), Shared, Favourites."""
    return {
        "residential": ChargePoint.objects.filter(owned_q(user)).distinct(),
        "commercial": ChargePoint.objects.filter(member_q(user)).exclude(owner=user).distinct(),
        "shared": ChargePoint.objects.filter(shared_q(user)).distinct(),
        "favourites": charger_list_for_user(user).filter(favourited_by__user=user),
    }


def connector_list_for_user(user) -> QuerySet[Connector]:
    return Connector.objects.filter(charge_point__in=charger_list_for_user(user)).select_related(
        "charge_point"
    )


def operation_list_for_user(user) -> QuerySet[ChargerOperation]:
    return ChargerOperation.objects.filter(
        charge_point__in=charger_list_for_user(user, write=True)
    ).select_related("charge_point", "requested_by")


def tag_list_for_user(user) -> QuerySet[IdTag]:
    if user.is_staff:
        return IdTag.objects.all()
    return IdTag.objects.filter(user=user)


# --- My chargers (CP-2 … CP-4) ---------------------------------------------------------------

TAB_KEYS = ("residential", "commercial", "shared", "favourites")


def charger_tab_keys_for_user(user) -> tuple[str, ...]:
    """The tabs a user gets: a guest (ACC-3) only ever has chargers shared with them."""
    return ("shared",) if getattr(user, "is_guest", False) else TAB_KEYS


def charger_can_manage(user, charge_point: ChargePoint) -> bool:
    """Owner rights (settings, restart, delete, QR): what ``write=True`` grants."""
    return charger_list_for_user(user, write=True).filter(pk=charge_point.pk).exists()


def favourite_pks_for_user(user, charge_points) -> set[int]:
    from .models import Favourite

    return set(
        Favourite.objects.filter(user=user, charge_point__in=[cp.pk for cp in charge_points])
        .values_list("charge_point_id", flat=True)
    )


def tag_get_for_user(user, pk: int) -> IdTag:
    """One of the user's tags (staff: any), else 404."""
    return get_object_or_404(tag_list_for_user(user), pk=pk)


def own_tag_list(user) -> QuerySet[IdTag]:
    """The user's own tags, favourite first (staff too: their own only)."""
    return IdTag.objects.filter(user=user).order_by("-is_favourite", "alias", "id_tag")


def enrolment_get_for_user(user, pk: int) -> TagEnrolment:
    """One of the user's card enrolments (TAG-1), else 404."""
    return get_object_or_404(
        TagEnrolment.objects.filter(user=user).select_related("charge_point", "id_tag"), pk=pk
    )
