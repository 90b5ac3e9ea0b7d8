"""Pages of the B2B portal shell. Every object comes through the access selectors."""


from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render

from accounts.models import LoginEvent
from accounts.selectors import notification_list
from accounts.services import notification_mark_read
from chargers.portal_operations import COMMANDS
from chargers.selectors import (
    charger_get_for_user,
    charger_list_for_user,
    operation_list_for_user,
)
from groups.selectors import group_list_for_user
from sessions_app.selectors import session_list_for_user

# Operations offered on a charge point's page (OPS-1), the charger preselected.
CHARGER_SHORTCUTS = ("get-configuration", "change-availability", "unlock-connector", "reset")


def _page(request, qs, size=20):
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
def charger_detail(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id)
    can_write = charger_list_for_user(request.user, write=True).filter(pk=cp.pk).exists()
    return render(request, "portal/charger_detail.html", {
        "nav": "chargers", "cp": cp, "can_write": can_write,
        "connectors": cp.connectors.order_by("connector_id"),
        "operations": operation_list_for_user(request.user).filter(charge_point=cp)[:10] if can_write else [],
        "operation_links": [(c.slug, c.label) for c in COMMANDS if c.slug in CHARGER_SHORTCUTS],
        "sessions": session_list_for_user(request.user).filter(charge_point=cp)[:10],
    })


@login_required
def reservations(request):
    groups = group_list_for_user(request.user).select_related("tariff")
    return render(request, "portal/reservations.html", {"nav": "reservations", "groups": groups})


@login_required
def settings_page(request):
    logins = LoginEvent.objects.filter(user=request.user)[:10]
    return render(request, "portal/settings.html", {"nav": "settings", "logins": logins})


@login_required
def maintenance(request):
    qs = charger_list_for_user(request.user, write=True).order_by("charge_point_id")
    return render(request, "portal/maintenance.html", {"nav": "maintenance", "page_obj": _page(request, qs)})


@login_required
def notifications(request):
    if request.method == "POST":
        notification_mark_read(user=request.user)
        return redirect("portal:notifications")
    return render(request, "portal/notifications.html", {
        "nav": "notifications", "page_obj": _page(request, notification_list(user=request.user)),
    })


@login_required
def groups(request):
    qs = group_list_for_user(request.user).select_related("tariff", "owner").annotate(
        members=Count("memberships", distinct=True), charger_count=Count("charger_links", distinct=True)
    )
    return render(request, "portal/groups.html", {"nav": "groups", "groups": qs})
