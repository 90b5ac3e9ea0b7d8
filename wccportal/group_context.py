"""The portal's group context (ACC-10): choose one of my groups and the portal's charge point,
connector, session, operation, log and dashboard views show only that group's chargers until
"leave group".

The choice lives in the browser session. It only ever narrows what the access selectors
already allow: a group the user no longer belongs to is dropped silently.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from groups.models import Group, GroupCharger
from groups.selectors import group_list_for_user

SESSION_KEY = "portal_group_id"
_UNSET = object()


def group_context(request) -> Group | None:
    """The group the portal is narrowed to, or None (all my chargers)."""
    cached = getattr(request, "_portal_group", _UNSET)
    if cached is not _UNSET:
        return cached
    group = None
    pk = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if pk is not None and request.user.is_authenticated:
        group = group_list_for_user(request.user).filter(pk=pk).first()
        if group is None:
            request.session.pop(SESSION_KEY, None)
    request._portal_group = group
    return group


def in_group_context(request, qs: QuerySet, field: str = "pk") -> QuerySet:
    """``qs`` narrowed to the chargers of the chosen group; ``field`` leads to a charge point's pk."""
    group = group_context(request)
    if group is None:
        return qs
    chargers = GroupCharger.objects.filter(group=group).values("charge_point_id")
    return qs.filter(**{f"{field}__in": chargers})


def in_group_context_by_id(request, qs: QuerySet, field: str = "charge_point_id") -> QuerySet:
    """Like ``in_group_context`` for rows that name a charger by its charge point ID (the OCPP
    frame and heartbeat logs)."""
    group = group_context(request)
    if group is None:
        return qs
    ids = GroupCharger.objects.filter(group=group).values("charge_point__charge_point_id")
    return qs.filter(**{f"{field}__in": ids})


@login_required
@require_POST
def group_context_set(request):
    """Choose a group (``group``) or leave it (no ``group``); back to the page it came from."""
    pk = request.POST.get("group", "")
    if pk.isdigit() and group_list_for_user(request.user).filter(pk=int(pk)).exists():
        request.session[SESSION_KEY] = int(pk)
    else:
        request.session.pop(SESSION_KEY, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = ""
    return redirect(target or "portal:dashboard")


def context(request) -> dict:
    """For the portal shell's switch: the chosen group and the groups to choose from."""
    if not request.path.startswith("/portal/") or not request.user.is_authenticated:
        return {}
    group = group_context(request)
    return {
        "group_context": group,
        "group_context_name": group.name if group else "",
        "group_context_choices": list(group_list_for_user(request.user).order_by("name").values("pk", "name")[:50]),
    }
