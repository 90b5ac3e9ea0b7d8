"""Pages of the running session (SES-3) and the dashboard (DASH-1) in the driver app.

The live page and the dashboard's active-session bar update over /ws/live/ (session events
on live.user.<id>, the charger's on live.charger.<pk>) with the JSON live state
(api-session-live) or the bar's HTML as fallback and for the cost so far; see
static/js/session_live.js.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chargers.models import ChargePoint, ChargerOperation
from chargers.selectors import owned_q
from wccportal.errors import DomainError

from . import live
from .selectors import session_get_for_user

# Chargers a dashboard follows live so that sessions starting there appear at once.
LIVE_CHARGERS_LIMIT = 20


def _scope(request) -> str:
    scope = request.GET.get("scope", "all")
    return scope if scope in live.SCOPES else "all"


def _followed_chargers(user, board: live.Dashboard) -> list[str]:
    """The charge point ids whose sessions the bar shows without being the driver's own
    (those come on the user's group anyway): chargers of running sessions, chargers owned."""
    ids = {state.charger.charge_point_id for state in board.active}
    if board.scope == "all" and board.has_chargers:
        owned = ChargePoint.objects.filter(owned_q(user) | Q(group_link__group__owner=user)).order_by("pk")
        ids.update(owned.values_list("charge_point_id", flat=True)[:LIVE_CHARGERS_LIMIT])
    return sorted(ids)


@login_required
@require_GET
def dashboard(request):
    """DASH-1: energy over 7 / 30 days with its total kWh and cost, the last session, the
    running sessions as a bar, shortcuts to export, tags and groups."""
    days = 7 if request.GET.get("days") == "7" else 30
    board = live.dashboard_for(request.user, days=days, scope=_scope(request))
    chart = {
        "labels": [dateformat.format(d.day, "j M") for d in board.per_day],
        "kwh": [d.kwh for d in board.per_day],
        "label": _("Energy (kWh)"),
    }
    return render(request, "app/dashboard.html", {
        "nav": "dashboard", "board": board, "chart": chart, "active": board.active,
        "followed_chargers": _followed_chargers(request.user, board),
        "back": request.get_full_path(),
    })


@login_required
@require_GET
def active_sessions_bar(request):
    """The dashboard's bar of running sessions as HTML: the page swaps it in when a session
    starts or ends (live event) and every little while as fallback."""
    states = live.active_sessions(request.user, _scope(request))
    back = request.GET.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("app:dashboard")
    return render(request, "app/live/_active_fragment.html", {"active": states, "back": back})


@login_required
@require_GET
def session_live(request, pk):
    """SES-3: the session while it runs (energy, power, time, cost so far, Stop) and its
    final numbers once it has ended."""
    session = session_get_for_user(request.user, pk)
    state = live.live_state(session, user=request.user)
    return render(request, "app/live/session.html", {
        "nav": "charge", "state": state, "session": session,
        "state_url": reverse("api-session-live", args=[session.pk]),
    })


@login_required
@require_POST
def session_stop(request, pk):
    """The Stop confirmation's POST: RemoteStopTransaction, then back to the page it came
    from (the live page by default), which follows the charger's answer."""
    session = session_get_for_user(request.user, pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("app:session_live", args=[session.pk])
    try:
        operation = live.session_request_stop(user=request.user, session=session)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if operation.status == ChargerOperation.Status.OFFLINE:
            messages.error(request, _("The charger is offline: the stop could not be sent."))
        else:
            messages.success(request, _("Stop sent to %(charger)s: the session ends as soon as the charger "
                                        "confirms.") % {"charger": session.charge_point.display_name})
    return redirect(back)
