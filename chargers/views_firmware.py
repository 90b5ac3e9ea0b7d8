"""Firmware pages of the driver app (CP-5): the firmware page, its card and the install."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wccportal.errors import DomainError

from .firmware import firmware_install
from .models import ChargerOperation
from .selectors import charger_get_for_user

CARD = "app/chargers/includes/firmware_card.html"


class FirmwareInstallForm(forms.Form):
    release = forms.IntegerField(required=False, min_value=1)


@login_required
def charger_firmware(request, charge_point_id):
    charge_point = charger_get_for_user(request.user, charge_point_id)
    return render(request, "app/chargers/firmware.html", {
        "nav": "chargers", "charge_point": charge_point,
    })


@login_required
def charger_firmware_card(request, charge_point_id):
    """The card alone, for the page to refresh after the charger restarted."""
    charge_point = charger_get_for_user(request.user, charge_point_id)
    return render(request, CARD, {"charge_point": charge_point})


@login_required
@require_POST
def charger_firmware_install(request, charge_point_id):
    """Send the update. Answers the card itself to the page's script (header X-Firmware-Card),
    else redirects back with a message."""
    charge_point = charger_get_for_user(request.user, charge_point_id, write=True)
    form = FirmwareInstallForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("This firmware release does not exist for this charger's model.")
    else:
        try:
            operation = firmware_install(
                charge_point=charge_point, release_id=form.cleaned_data["release"],
                acting_user=request.user,
            )
        except DomainError as exc:
            error = exc.message
        else:
            if operation.status == ChargerOperation.Status.OFFLINE:
                error = _("The charger is offline: the update was not sent. Connect the charger "
                          "to the Internet and try again.")
    if request.headers.get("X-Firmware-Card"):
        charge_point.refresh_from_db()
        return render(request, CARD, {"charge_point": charge_point, "firmware_error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The update was sent to the charger. Follow its progress here."))
    return redirect(_back(request, charge_point))


def _back(request, charge_point) -> str:
    page = reverse("app:charger_firmware", args=[charge_point.charge_point_id])
    target = request.POST.get("next", "")
    card = reverse("app:charger_firmware_card", args=[charge_point.charge_point_id])
    if target and not target.startswith(card) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return page
