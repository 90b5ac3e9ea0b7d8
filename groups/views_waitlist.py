"""Waitlist pages (RES-4): my groups (busy or free, join the queue), my place in line, the
charger held for me with its countdown, leave the queue."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wccportal.errors import DomainError

from . import waitlist as services
from .models import WaitlistEntry
from .selectors import group_get_for_user, waitlist_get_for_user, waitlist_list_for_user

RECENT = timedelta(hours=24)  # closed entries shown under "Recently"


def _my_entries(user):
    return waitlist_list_for_user(user).filter(user=user)


def _page_state(user) -> dict:
    now = timezone.now()
    entries = list(_my_entries(user).filter(status__in=WaitlistEntry.OPEN).order_by("created_at", "pk"))
    for entry in entries:
        entry.position = services.waitlist_position(entry)
        entry.position_text = services.position_text(entry.position)
    groups = list(services.groups_joinable_by(user).order_by("name", "pk"))
    states = services.group_states([g.pk for g in groups], at=now)
    my_status = {entry.group_id: entry.status for entry in entries}
    for group in groups:
        group.state = states[group.pk]
        group.my_status = my_status.get(group.pk)
    recent = list(
        _my_entries(user).exclude(status__in=WaitlistEntry.OPEN).filter(closed_at__gte=now - RECENT)
        .order_by("-closed_at")[:5]
    )
    return {"entries": entries, "groups": groups, "recent": recent, "now": now}


def _signature(state: dict) -> str:
    """What the page shows that can change without the user doing anything."""
    parts = [f"e{e.pk}:{e.status}:{e.position}:{e.offered_charge_point_id}" for e in state["entries"]]
    parts += [f"g{g.pk}:{int(g.state.busy)}" for g in state["groups"]]
    return "|".join(parts)


@login_required
def waitlist(request):
    state = _page_state(request.user)
    return render(request, "app/waitlist/list.html", {
        "nav": "bookings", **state, "signature": _signature(state),
    })


@login_required
@require_GET
def waitlist_state(request):
    """The page's light poll (and its answer to live events): reload when this changes."""
    state = _page_state(request.user)
    return JsonResponse({
        "signature": _signature(state),
        "entries": [{"id": e.pk, "status": e.status, "position": e.position,
                     "hold_until": e.hold_until.isoformat() if e.hold_until else None} for e in state["entries"]],
    })


@login_required
@require_POST
def waitlist_join(request):
    group = group_get_for_user(request.user, request.POST.get("group"))
    try:
        result = services.waitlist_join(user=request.user, group=group)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You joined the queue of %(group)s. %(position)s.") % {
            "group": group.name, "position": services.position_text(result.position)})
    return redirect("app:waitlist")


@login_required
@require_POST
def waitlist_leave(request, pk):
    entry = waitlist_get_for_user(request.user, pk)
    try:
        services.waitlist_leave(entry=entry, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You left the queue of %(group)s.") % {"group": entry.group.name})
    return redirect("app:waitlist")
