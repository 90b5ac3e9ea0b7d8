"""Tabs of the portal's charge point page (CP-7) and what they post.

Every page starts from ``charger_page_context`` (404 unless the user sees the charger, and for
the managers' tabs manages it); every POST from ``managed_charger`` (404 unless the user
manages it), then calls one service of ``chargers.charger_details`` / ``chargers.firmware``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wccportal.errors import DomainError
from wccportal.pagination import PAGE_SIZES, page_size

from . import charger_details as details
from . import services
from .firmware import firmware_install, firmware_state_for
from .forms_portal_detail import (
    ConfigurationChangeForm,
    FirmwareInstallForm,
    LogbookSwitchForm,
    PictureForm,
    SiteForm,
    TimeZoneForm,
)
from .models import ChargerOperation, ChargerPicture
from .portal_detail import (
    charger_group,
    charger_page_context,
    charger_sessions_for_user,
    managed_charger,
    session_rows,
)
from .selectors import charger_get_for_user

FIRMWARE_CARD = "portal/charger/_firmware.html"
CONFIGURATION_PANEL = "portal/charger/_configuration_panel.html"
CONNECTOR_TABLE = "portal/charger/_connectors_table.html"


def _tab_url(name: str, cp) -> str:
    return reverse(f"portal:{name}", args=[cp.charge_point_id])


def _back(request, default: str) -> HttpResponseRedirect:
    """To the page the form came from (``next``), if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _page(request, qs):
    return Paginator(qs, page_size(request)).get_page(request.GET.get("page"))


# --- Overview ----------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request, charge_point_id):
    context = charger_page_context(request, charge_point_id, "overview")
    return _overview(request, context)


def _overview(request, context, *, site_form=None):
    cp = context["cp"]
    can_write = context["can_write"]
    editing = can_write and (site_form is not None or request.GET.get("edit") == "site")
    firmware_open = False
    if can_write:
        state = firmware_state_for(user=request.user, charge_point=cp)
        firmware_open = state.show_progress or request.GET.get("firmware") == "check"
    context.update({
        "editing": editing,
        "site_form": (site_form or SiteForm.for_charger(cp)) if editing else None,
        "country_name": details.country_name(cp.country) if cp.country else "",
        "group": charger_group(cp),
        "firmware_open": firmware_open,
        "connector_count": cp.connectors.filter(connector_id__gt=0).count(),
    })
    return render(request, "portal/charger/overview.html", context)


@login_required
@require_POST
def site_update(request, charge_point_id):
    """The Edit form of the overview: description and installation site."""
    cp = managed_charger(request, charge_point_id)
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            details.charger_site_update(charge_point=cp, site=form.site(), acting_user=request.user)
        except DomainError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The description and address are saved."))
            return redirect(_tab_url("charger_detail", cp))
    context = charger_page_context(request, charge_point_id, "overview")
    return _overview(request, context, site_form=form)


@login_required
@require_POST
def logbook_switch(request, charge_point_id):
    cp = managed_charger(request, charge_point_id)
    form = LogbookSwitchForm(request.POST)
    form.is_valid()  # a BooleanField without the box ticked is simply False
    enabled = bool(form.cleaned_data.get("enabled"))
    details.charger_logbook_set(charge_point=cp, enabled=enabled, acting_user=request.user)
    if enabled:
        messages.success(request, _("Logbook on: drivers enter their mileage and vehicle ID before each start."))
    else:
        messages.success(request, _("Logbook off: drivers start without a logbook entry."))
    return _back(request, _tab_url("charger_detail", cp))


@login_required
@require_POST
def assignment_remove(request, charge_point_id):
    cp = managed_charger(request, charge_point_id)
    services.charger_unclaim(charge_point=cp, acting_user=request.user)
    messages.success(request, _("%(charger)s is no longer assigned to the account. It can be claimed again with "
                                "its new claim code.") % {"charger": cp.charge_point_id})
    return redirect("portal:chargers")


@login_required
@require_GET
def firmware_card(request, charge_point_id):
    """The firmware panel of the boot configuration ("Check for update"), for those who manage."""
    cp = managed_charger(request, charge_point_id)
    return render(request, FIRMWARE_CARD, {"cp": cp})


@login_required
@require_POST
def firmware_install_view(request, charge_point_id):
    """Install the newer release (after the confirmation). The page's script asks for the panel
    itself (header X-Firmware-Card, static/js/firmware.js); otherwise back to the overview."""
    cp = managed_charger(request, charge_point_id)
    form = FirmwareInstallForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("This firmware release does not exist for this charger's model.")
    else:
        try:
            operation = firmware_install(charge_point=cp, release_id=form.cleaned_data["release"],
                                         acting_user=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            if operation.status == ChargerOperation.Status.OFFLINE:
                error = _("The charge point is offline: the update was not sent. Try again once it is connected.")
    if request.headers.get("X-Firmware-Card"):
        cp.refresh_from_db()
        return render(request, FIRMWARE_CARD, {"cp": cp, "firmware_error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The update was sent to the charge point. Its progress shows below."))
    return redirect(_tab_url("charger_detail", cp) + "?firmware=check#firmware")


# --- Charging sessions, connectors -------------------------------------------------------------


@login_required
@require_GET
def sessions(request, charge_point_id):
    context = charger_page_context(request, charge_point_id, "sessions")
    page = _page(request, charger_sessions_for_user(request.user, context["cp"]))
    context.update({"page_obj": page, "rows": session_rows(page.object_list), "page_sizes": PAGE_SIZES,
                    "per_page": page_size(request)})
    return render(request, "portal/charger/sessions.html", context)


@login_required
@require_GET
def connectors(request, charge_point_id):
    """The connectors' states; the page re-reads the table (``?part=table``) when the charger
    reports a change."""
    context = charger_page_context(request, charge_point_id, "connectors")
    cp = context["cp"]
    context.update({
        "connectors": list(cp.connectors.filter(connector_id__gt=0).order_by("connector_id")),
        "whole": cp.connectors.filter(connector_id=0).first(),
    })
    if request.GET.get("part") == "table":
        return render(request, CONNECTOR_TABLE, context)
    return render(request, "portal/charger/connectors.html", context)


# --- Installation ------------------------------------------------------------------------------


@login_required
@require_GET
def installation(request, charge_point_id):
    context = charger_page_context(request, charge_point_id, "installation")
    return _installation(request, context)


def _installation(request, context, *, form=None):
    cp = context["cp"]
    context.update({
        "time_zone_form": form or TimeZoneForm(initial={"time_zone": cp.time_zone}),
        "editing_time_zone": form is not None or request.GET.get("edit") == "time_zone",
        "country_name": details.country_name(cp.country) if cp.country else "",
        "group": charger_group(cp),
        "connectors": list(cp.connectors.filter(connector_id__gt=0).order_by("connector_id")),
    })
    return render(request, "portal/charger/installation.html", context)


@login_required
@require_POST
def time_zone_update(request, charge_point_id):
    cp = managed_charger(request, charge_point_id)
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        try:
            details.charger_time_zone_set(charge_point=cp, time_zone=form.cleaned_data["time_zone"],
                                          acting_user=request.user)
        except DomainError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The time zone is saved."))
            return redirect(_tab_url("charger_installation", cp))
    context = charger_page_context(request, charge_point_id, "installation")
    return _installation(request, context, form=form)


# --- Configuration -----------------------------------------------------------------------------


def _configuration_context(cp) -> dict:
    return {"cp": cp, "config": details.charger_configuration(cp)}


@login_required
@require_GET
def configuration(request, charge_point_id):
    context = charger_page_context(request, charge_point_id, "configuration")
    return _configuration(request, context)


def _configuration(request, context, *, change_form=None):
    context.update(_configuration_context(context["cp"]))
    context["change_form"] = change_form or ConfigurationChangeForm()
    context["change_open"] = change_form is not None
    return render(request, "portal/charger/configuration.html", context)


@login_required
@require_GET
def configuration_panel(request, charge_point_id):
    """The answer and the keys alone: the page re-reads them when an answer arrives."""
    context = charger_page_context(request, charge_point_id, "configuration")
    return render(request, CONFIGURATION_PANEL, {**context, **_configuration_context(context["cp"])})


def _report_offline(request, operation) -> None:
    if operation.status == ChargerOperation.Status.OFFLINE:
        messages.error(request, _("The charge point is offline: nothing was sent. Try again once it is connected."))


@login_required
@require_POST
def configuration_read(request, charge_point_id):
    cp = managed_charger(request, charge_point_id)
    try:
        operation = details.charger_configuration_read(charge_point=cp, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        _report_offline(request, operation)
    return redirect(_tab_url("charger_configuration", cp))


@login_required
@require_POST
def configuration_change(request, charge_point_id):
    cp = managed_charger(request, charge_point_id)
    form = ConfigurationChangeForm(request.POST)
    if form.is_valid():
        try:
            operation = details.charger_configuration_change(
                charge_point=cp, key=form.cleaned_data["key"], value=form.cleaned_data["value"],
                acting_user=request.user,
            )
        except DomainError as exc:
            form.add_domain_errors(exc)
        else:
            _report_offline(request, operation)
            if operation.status != ChargerOperation.Status.OFFLINE:
                messages.info(request, _("%(key)s sent to the charge point: its answer shows in the table.")
                              % {"key": operation.payload["key"]})
            return redirect(_tab_url("charger_configuration", cp))
    context = charger_page_context(request, charge_point_id, "configuration")
    return _configuration(request, context, change_form=form)


# --- Pictures ----------------------------------------------------------------------------------


def _pictures(request, context, *, form=None):
    cp = context["cp"]
    by_slot = {p.slot: p for p in ChargerPicture.objects.filter(charge_point=cp)}
    context.update({
        "slots": [(value, label, by_slot.get(value)) for value, label in ChargerPicture.Slot.choices],
        "picture_form": form or PictureForm(),
        "form_slot": form.data.get("slot") if form is not None else "",
        "max_mb": details.PICTURE_MAX_BYTES // (1024 * 1024),
    })
    return render(request, "portal/charger/pictures.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pictures(request, charge_point_id):
    """Everyone who sees the charger sees its pictures; those who manage it upload (POST)."""
    if request.method == "POST":
        cp = managed_charger(request, charge_point_id)
        form = PictureForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                details.charger_picture_upload(charge_point=cp, slot=form.cleaned_data["slot"],
                                               file=form.cleaned_data["image"], acting_user=request.user)
            except DomainError as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _("The picture is saved."))
                return redirect(_tab_url("charger_pictures", cp))
        context = charger_page_context(request, charge_point_id, "pictures")
        return _pictures(request, context, form=form)
    return _pictures(request, charger_page_context(request, charge_point_id, "pictures"))


@login_required
@require_GET
def picture(request, charge_point_id, slot):
    """The picture's file, after the same access check as the page."""
    cp = charger_get_for_user(request.user, charge_point_id)
    item = ChargerPicture.objects.filter(charge_point=cp, slot=slot).first()
    if item is None or not item.image:
        raise Http404("No such picture.")
    try:
        handle = item.image.open("rb")
    except FileNotFoundError:
        raise Http404("No such picture.") from None
    response = FileResponse(handle, content_type=details.picture_content_type(item))
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_POST
def picture_delete(request, charge_point_id, slot):
    cp = managed_charger(request, charge_point_id)
    if details.charger_picture_delete(charge_point=cp, slot=slot, acting_user=request.user):
        messages.success(request, _("The picture is deleted."))
    return redirect(_tab_url("charger_pictures", cp))


# --- Logbook -----------------------------------------------------------------------------------


@login_required
@require_GET
def logbook(request, charge_point_id):
    context = charger_page_context(request, charge_point_id, "logbook")
    page = _page(request, charger_sessions_for_user(request.user, context["cp"]))
    context.update({"page_obj": page, "rows": session_rows(page.object_list), "page_sizes": PAGE_SIZES,
                    "per_page": page_size(request)})
    return render(request, "portal/charger/logbook.html", context)
