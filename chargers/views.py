"""Pages of "My chargers" in the driver app (CP-1 … CP-4): tabs, claim, detail, settings,
start, restart, delete and the claim QR code. Thin: access through the selectors, every
change through chargers.services."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework.throttling import ScopedRateThrottle

from chargers import services
from chargers.firmware import firmware_updates_for
from chargers.forms import ClaimForm, SettingsForm
from chargers.models import ChargerOperation, Connector
from chargers.qr import qr_svg
from chargers.selectors import (
    charger_can_manage,
    charger_get_for_user,
    charger_tab_keys_for_user,
    charger_tabs_for_user,
    favourite_pks_for_user,
    operation_list_for_user,
)
from wccportal.errors import DomainError

TABS = [
    ("residential", gettext_lazy("Residentials")),
    ("commercial", gettext_lazy("Commercial")),
    ("shared", gettext_lazy("Shared")),
    ("favourites", gettext_lazy("Favourites")),
]
# How a charger's answer reads (OCPP statuses; ChangeConfiguration may say NotSupported).
CHARGER_ANSWERS = {
    "Accepted": gettext_lazy("Accepted"),
    "Rejected": gettext_lazy("Rejected"),
    "NotSupported": gettext_lazy("Not supported"),
    "RebootRequired": gettext_lazy("Accepted, applies after a restart"),
}


def _live_labels() -> dict[str, str]:
    """Labels the page's script needs for live updates, in the page's language."""
    labels = {s.value: str(s.label) for s in ChargerOperation.Status}
    labels |= {s.value: str(s.label) for s in Connector.Status}
    return labels | {key: str(label) for key, label in CHARGER_ANSWERS.items()}


def _answer(operation) -> str:
    status = (operation.response or {}).get("status")
    if status:
        return str(CHARGER_ANSWERS.get(status, status))
    return operation.error


@login_required
def chargers(request):
    keys = charger_tab_keys_for_user(request.user)
    tab = request.GET.get("tab", keys[0])
    if tab not in keys:
        tab = keys[0]
    qs = charger_tabs_for_user(request.user)[tab].prefetch_related("connectors").order_by(
        "name", "charge_point_id"
    )
    chargers_list = list(qs)
    favourites = favourite_pks_for_user(request.user, chargers_list)
    updates = firmware_updates_for(chargers_list)
    manageable = {
        cp.pk for cp in chargers_list if tab == "residential" or charger_can_manage(request.user, cp)
    }
    for cp in chargers_list:
        cp.is_favourite = cp.pk in favourites
        cp.update_available = cp.pk in updates
        cp.can_manage = cp.pk in manageable
        cp.via_share = tab == "shared"
    return render(request, "app/chargers/list.html", {
        "nav": "chargers", "tab": tab, "tabs": [(k, label) for k, label in TABS if k in keys],
        "chargers": chargers_list, "here": request.get_full_path(),
    })


@login_required
@require_POST
def charger_favourite(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id)
    cp.is_favourite = services.favourite_set(
        user=request.user, charge_point=cp, favourite=request.POST.get("favourite") == "1"
    )
    if request.htmx:
        return render(request, "app/chargers/includes/star.html", {"cp": cp})
    return _back(request, cp)


def _claim_throttle(request) -> bool:
    """The API's "claim" throttle, so that page and API attempts count in one bucket."""
    throttle = ScopedRateThrottle()
    return throttle.allow_request(request, SimpleNamespace(throttle_scope=services.CLAIM_THROTTLE_SCOPE))


@login_required
def charger_claim(request):
    if request.method == "POST":
        form = ClaimForm(request.POST, user=request.user)
        if form.is_valid():
            if not _claim_throttle(request):
                form.add_error(None, _("Too many claim attempts. Try again in an hour."))
                return render(request, "app/chargers/claim.html", {"nav": "chargers", "form": form},
                              status=429)
            data = form.cleaned_data
            try:
                cp_id, code = (
                    services.claim_qr_parse(data["qr"]) if data.get("qr")
                    else (data["charge_point_id"], data["claim_code"])
                )
                cp = services.charger_claim(
                    user=request.user, charge_point_id=cp_id, claim_code=code,
                    name=data.get("name", ""), group=data.get("group"),
                )
            except DomainError as error:
                field = next((f for f in error.fields if f in form.fields), None)
                form.add_error(field, error.message)
            else:
                messages.success(request, _("%(name)s is now yours.") % {"name": cp.display_name})
                return redirect("app:charger_detail", cp.charge_point_id)
    else:
        # Opening the URL of a charger's QR code prefills the form.
        form = ClaimForm(initial={
            "charge_point_id": request.GET.get("cp", ""), "claim_code": request.GET.get("code", ""),
        }, user=request.user)
    return render(request, "app/chargers/claim.html", {"nav": "chargers", "form": form})


def _detail_context(request, cp, settings_form=None):
    can_manage = charger_can_manage(request.user, cp)
    cp.is_favourite = bool(favourite_pks_for_user(request.user, [cp]))
    cp.update_available = cp.pk in firmware_updates_for([cp])
    operations = []
    if can_manage:
        operations = list(operation_list_for_user(request.user).filter(charge_point=cp)[:10])
        for operation in operations:
            operation.answer = _answer(operation)
        if settings_form is None:
            settings_form = SettingsForm(initial={
                "name": cp.name, "free_charging": cp.free_charging,
                "led_brightness": cp.led_brightness,
            })
    return {
        "nav": "chargers", "cp": cp, "can_manage": can_manage, "operations": operations,
        "connectors": [c for c in cp.connectors.all() if c.connector_id >= 1],
        "settings_form": settings_form, "labels": _live_labels(),
        "here": request.get_full_path(),
    }


@login_required
def charger_detail(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id)
    return render(request, "app/chargers/detail.html", _detail_context(request, cp))


@login_required
@require_POST
def charger_settings(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    form = SettingsForm(request.POST, initial={
        "name": cp.name, "free_charging": cp.free_charging, "led_brightness": cp.led_brightness,
    })
    if form.is_valid():
        # Only what the owner changed: an untouched setting is not sent to the charger again.
        changes = {k: form.cleaned_data[k] for k in form.changed_data}
        changes = {k: v for k, v in changes.items() if not (k == "led_brightness" and v is None)}
        try:
            operations = services.charger_settings_update(
                charge_point=cp, acting_user=request.user, **changes
            )
        except DomainError as error:
            for field, errors in error.fields.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            if operations:
                messages.info(request, _("Settings saved. The charger's answer appears below."))
            else:
                messages.success(request, _("Settings saved."))
            return redirect("app:charger_detail", cp.charge_point_id)
    context = _detail_context(request, cp, settings_form=form)
    return render(request, "app/chargers/detail.html", context, status=400)


@login_required
@require_POST
def charger_restart(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    try:
        operation = services.charger_restart(
            charge_point=cp, acting_user=request.user, confirm=request.POST.get("confirm") == "1"
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        _operation_message(request, operation, _("Restart requested."))
    return _back(request, cp)


@login_required
@require_POST
def charger_delete(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Confirm the removal."))
        return redirect("app:charger_detail", cp.charge_point_id)
    name = cp.display_name
    services.charger_unclaim(charge_point=cp, acting_user=request.user)
    messages.success(request, _("%(name)s was removed from your account.") % {"name": name})
    return redirect("app:chargers")


@login_required
def charger_qr(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    if not cp.claim_code:
        raise Http404("No claim code.")
    url = services.charger_claim_url(charge_point=cp)
    if request.GET.get("format") == "svg":
        response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
        response["Content-Disposition"] = f'inline; filename="{cp.charge_point_id}-qr.svg"'
        return response
    return render(request, "app/chargers/qr.html", {
        "nav": "chargers", "cp": cp, "svg": qr_svg(url, inline=True), "claim_url": url,
    })


def _operation_message(request, operation, sent: str):
    if operation.status == ChargerOperation.Status.OFFLINE:
        messages.warning(request, _("The charger is offline: nothing was sent."))
    else:
        messages.info(request, sent)


def _back(request, cp):
    """Back to the page the action came from (a tab or the detail page)."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("app:charger_detail", args=[cp.charge_point_id]))
