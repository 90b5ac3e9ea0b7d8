"""The portal's Reservation settings (RES-1): per group I own, bookings on or off and their
rules (``groups.bookings.booking_rules_update``, whose ranges are shown as form errors); the
upcoming and running bookings of my groups' chargers, which the group's owner may cancel
(``booking_cancel``). A member sees the rules of their groups and their own bookings, and
edits nothing here. The portal's group context (ACC-10) narrows both lists to one group."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wccportal.errors import DomainError
from wccportal.group_context import group_context, in_group_context
from wccportal.pagination import PAGE_SIZES, page_size

from . import bookings
from .forms_portal import BookingRulesForm
from .models import Booking
from .selectors import booking_get_for_user, booking_list_for_user, group_get_for_user, group_list_for_user

NAV = "reservations"

def _my_groups(request):
    """Groups I own or am a member of (staff too: only their own here), narrowed by the
    group context."""
    user = request.user
    qs = group_list_for_user(user).filter(Q(owner=user) | Q(memberships__user=user)).distinct()
    chosen = group_context(request)
    if chosen is not None:
        qs = qs.filter(pk=chosen.pk)
    return qs


def _live_bookings(request, groups):
    """Upcoming and running bookings in my groups that I may see: all of the groups I own,
    my own in the others (``booking_list_for_user``); soonest first."""
    qs = booking_list_for_user(request.user).filter(
        group__in=groups.values("pk"), status=Booking.Status.BOOKED, ends_at__gt=timezone.now(),
    )
    return in_group_context(request, qs, "charge_point_id").order_by("starts_at", "pk")


def _page(request, *, status=200, bound=None):
    user = request.user
    groups = _my_groups(request)
    rows = []
    for group in groups.select_related("owner").annotate(
        charger_count=Count("charger_links", distinct=True)
    ).order_by("name", "pk"):
        group.is_mine = group.owner_id == user.pk or user.is_staff
        if group.is_mine:
            group.rules_form = bound if bound is not None and bound.group.pk == group.pk else BookingRulesForm(
                group=group)
        rows.append(group)
    now = timezone.now()
    page_obj = Paginator(_live_bookings(request, groups), page_size(request)).get_page(request.GET.get("page"))
    for booking in page_obj:
        booking.running = booking.starts_at <= now
        booking.can_cancel = booking.group.owner_id == user.pk or user.is_staff
    return render(request, "portal/groups/reservations.html", {
        "nav": NAV, "groups": rows, "page_obj": page_obj, "page_sizes": PAGE_SIZES,
        "per_page": page_size(request),
    }, status=status)


@login_required
def reservations(request):
    return _page(request)


@login_required
@require_POST
def rules_update(request, group_pk):
    """Bookings on or off and the rules of one group I own (RES-1); bad values are refused
    by the service, field by field, and nothing is saved."""
    group = group_get_for_user(request.user, group_pk, owner=True)
    form = BookingRulesForm(request.POST, group=group)
    if form.is_valid():
        try:
            bookings.booking_rules_update(group=group, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            # The rules form uses the service's field names.
            for field, errors in (exc.fields or {None: [exc.message]}).items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            text = (_("The booking rules of %(group)s were saved: bookings are on.") if group.bookings_enabled
                    else _("The booking rules of %(group)s were saved: bookings are off."))
            messages.success(request, text % {"group": group.name})
            return redirect("portal:reservations")
    messages.error(request, _("The booking rules of %(group)s were not saved: check the values.")
                   % {"group": group.name})
    return _page(request, status=400, bound=form)


@login_required
@require_POST
def booking_cancel(request, pk):
    """The group's owner cancels a booking, running or upcoming; its holder is told."""
    booking = booking_get_for_user(request.user, pk)
    if booking.group.owner_id != request.user.pk and not request.user.is_staff:
        raise Http404("No such booking.")
    try:
        bookings.booking_cancel(booking=booking, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The booking of %(name)s on %(charger)s was cancelled.")
                         % {"name": booking.user.get_full_name(), "charger": booking.charge_point.display_name})
    return redirect("portal:reservations")
