"""Pages to start charging (SES-1 Scan & Charge, SES-2 1-Click Remote Start and Start from a
charger's actions, SES-6 logbook): the Charge page, a charger's connectors, and the start
page of one connector, which a connector's QR sticker opens. Thin: access through the
selectors, every start through sessions_app.starting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chargers.models import ChargePoint, Connector
from chargers.selectors import (
    charger_get_for_user,
    charger_list_for_user,
    favourite_pks_for_user,
    member_q,
    owned_q,
    shared_q,
)
from wccportal.errors import DomainError

from . import starting
from .models import ChargingSession

# Bootstrap badge colour of a connector state (as includes/connector_status.html).
STATUS_BADGES = {
    Connector.Status.AVAILABLE.value: "text-bg-success", Connector.Status.CHARGING.value: "text-bg-primary",
    Connector.Status.FAULTED.value: "text-bg-danger", Connector.Status.UNAVAILABLE.value: "text-bg-secondary",
    Connector.Status.UNKNOWN.value: "text-bg-secondary",
}


def _badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-warning")


def _status_labels() -> dict[str, str]:
    """Connector states in the page's language, for its live updates."""
    return {status.value: str(status.label) for status in Connector.Status}


def _connectors_prefetch():
    return Prefetch("connectors", queryset=Connector.objects.filter(connector_id__gte=1).order_by("connector_id"))


def _active_sessions(user):
    return list(
        ChargingSession.objects.filter(user=user, status=ChargingSession.Status.ACTIVE)
        .select_related("charge_point").order_by("-started_at")
    )


def _chargers_to_charge_at(user):
    """The chargers the Charge page offers. Staff see every charger but charge at their own,
    their groups', those shared with them and their favourites, like everybody else."""
    chargers = charger_list_for_user(user)
    if not user.is_staff:
        return chargers
    usable = [ChargePoint.objects.filter(q).values("pk")
              for q in (owned_q(user), member_q(user), shared_q(user), Q(favourited_by__user=user))]
    return chargers.filter(Q(pk__in=usable[0]) | Q(pk__in=usable[1]) | Q(pk__in=usable[2]) | Q(pk__in=usable[3]))


@login_required
def charge(request):
    """The Charge page: scan a sticker or type a charger ID, 1-Click Remote Start of a favourite,
    the other chargers I may use, and my session running."""
    if "charge_point_id" in request.GET:
        return _lookup(request)
    chargers = list(
        _chargers_to_charge_at(request.user).prefetch_related(_connectors_prefetch())
        .order_by("name", "charge_point_id")
    )
    favourite_pks = favourite_pks_for_user(request.user, chargers)
    for cp in chargers:
        connectors = list(cp.connectors.all())
        cp.free_count = sum(c.status in (Connector.Status.AVAILABLE, Connector.Status.PREPARING) for c in connectors)
        cp.connector_count = len(connectors)
    favourites = [cp for cp in chargers if cp.pk in favourite_pks]
    last = starting.last_logbook_for(request.user) if any(cp.logbook_enabled for cp in favourites) else None
    return render(request, "app/charge/charge.html", {
        "nav": "charge", "favourites": favourites, "last_vehicle_id": last.vehicle_id if last else "",
        "others": [cp for cp in chargers if cp.pk not in favourite_pks],
        "active_sessions": _active_sessions(request.user),
        "here": request.get_full_path(), "status_labels": _status_labels(),
    })


def _lookup(request):
    """A charger ID typed in by hand (or read from a sticker that is not ours)."""
    typed = " ".join(request.GET["charge_point_id"].split())
    cp = charger_list_for_user(request.user).filter(charge_point_id__iexact=typed).first() if typed else None
    if cp is not None:
        return redirect("app:charge_charger", cp.charge_point_id)
    if typed:
        messages.error(request, _("No charger with the ID %(id)s is available to you. Check the ID on the "
                                  "charger's sticker.") % {"id": typed})
    else:
        messages.error(request, _("Enter the charger's ID."))
    return redirect("app:charge")


@login_required
def charge_charger(request, charge_point_id):
    """A charger's connectors to choose from; a charger with one connector goes straight to it."""
    cp = charger_get_for_user(request.user, charge_point_id)
    connectors = list(cp.connectors.filter(connector_id__gte=1).order_by("connector_id"))
    if len(connectors) == 1:
        return redirect("app:charge_connector", cp.charge_point_id, connectors[0].connector_id)
    for connector in connectors:
        connector.badge = _badge(connector.status)
    return render(request, "app/charge/charger.html", {
        "nav": "charge", "cp": cp, "connectors": connectors, "badges": STATUS_BADGES,
        "status_labels": _status_labels(),
    })


# Where each state of a start leaves the three steps shown (sent, accepted, charging).
STEP_STATES = {
    "pending": ("done", "active", "todo"), "accepted": ("done", "done", "active"),
    "started": ("done", "done", "done"), "no_session": ("done", "done", "failed"),
    "rejected": ("done", "failed", "todo"), "failed": ("done", "failed", "todo"),
    "timed_out": ("done", "failed", "todo"), "offline": ("failed", "todo", "todo"),
}


def _steps(progress) -> list[tuple[str, str]]:
    labels = [_("Start sent to the charger"), _("Accepted by the charger"), _("Charging")]
    failed = {
        "offline": (0, _("Not sent: the charger is offline")), "rejected": (1, _("Refused by the charger")),
        "timed_out": (1, _("No answer from the charger")), "failed": (1, _("Not carried out by the charger")),
        "no_session": (2, _("No charging began")),
    }
    if progress.state in failed:
        step, label = failed[progress.state]
        labels[step] = label
    return list(zip(labels, STEP_STATES[progress.state], strict=True))


def _progress_request(request, cp, connector_id, info):
    """The start to follow on the page: the one just asked for (?request=), else mine still pending."""
    pk = request.GET.get("request") or info.pending_request_id
    if not pk:
        return None
    try:
        start = starting.start_request_get_for_user(request.user, pk)
    except Http404:  # a stale or foreign id in the address: nothing to follow
        return None
    if start.charge_point_id != cp.pk or start.connector_id != connector_id:
        return None
    start.progress = starting.start_progress(start)
    start.steps = _steps(start.progress)
    return start


@login_required
def charge_connector(request, charge_point_id, connector_id):
    """The start page of one connector (SES-1, what its QR sticker opens): the charger, the
    connector's state live, the tag used, the logbook when the charger keeps one, Start; then
    the start's progress up to the session, or why it was refused."""
    cp = charger_get_for_user(request.user, charge_point_id)
    error = None
    values = {}
    if request.method == "POST":
        values = {"mileage_km": request.POST.get("mileage_km", ""), "vehicle_id": request.POST.get("vehicle_id", "")}
        try:
            start = starting.session_request_start(
                user=request.user, charge_point=cp, connector_id=connector_id,
                source=ChargingSession.Source.APP, **values,
            )
        except DomainError as exc:
            error = exc
        else:
            url = reverse("app:charge_connector", args=[cp.charge_point_id, connector_id])
            return redirect(f"{url}?request={start.pk}")
    info = starting.start_info(user=request.user, charge_point=cp, connector_id=connector_id)
    if not values and info.last_logbook:
        values = {"vehicle_id": info.last_logbook.vehicle_id, "mileage_km": ""}
    start = _progress_request(request, cp, connector_id, info) if error is None else None
    return render(request, "app/charge/connector.html", {
        "nav": "charge", "cp": cp, "info": info, "connector": info.connector, "start": start,
        "error": error, "field_errors": error.fields if error else {}, "values": values,
        "several_connectors": cp.connectors.filter(connector_id__gte=1).count() > 1,
        "status_badge": _badge(info.connector.status), "badges": STATUS_BADGES, "status_labels": _status_labels(),
    }, status=400 if error else 200)


def _back(request, default: str):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def charge_quick_start(request, charge_point_id):
    """1-Click Remote Start (SES-2), confirmed in a dialog, and Start from a charger's actions:
    the given connector or the first free one. Follows on the connector's start page."""
    cp = charger_get_for_user(request.user, charge_point_id)
    connector = request.POST.get("connector_id", "")
    try:
        start = starting.session_request_start(
            user=request.user, charge_point=cp, connector_id=int(connector) if connector.isdigit() else None,
            source=ChargingSession.Source.APP, mileage_km=request.POST.get("mileage_km"),
            vehicle_id=request.POST.get("vehicle_id", ""),
        )
    except DomainError as exc:
        if exc.code == "logbook_required":
            # The logbook entry is asked on the start page (a charger's menu has no fields for it).
            messages.info(request, exc.message)
            return redirect("app:charge_charger", cp.charge_point_id)
        messages.error(request, exc.message, extra_tags=exc.code)
        return _back(request, reverse("app:charge"))
    url = reverse("app:charge_connector", args=[cp.charge_point_id, start.connector_id])
    return redirect(f"{url}?request={start.pk}")
