"""Diagnostics files (CP-7 Diagnostics tab, Maintenance > Diagnostics) and the charger logs of
security events (CP-10). Only those who manage a charger see its files and events (staff: all);
anything else is a 404."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from wccportal.errors import DomainError
from wccportal.group_context import in_group_context
from wccportal.pagination import PAGE_SIZES, keyset_page, page_size

from . import diagnostics as diag
from . import security_events as sec
from .models import ChargePoint, DiagnosticsFile
from .portal_detail import charger_page_context
from .selectors import charger_list_for_user

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_INPUTS = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _datetime_field(label):
    return forms.DateTimeField(
        label=label, required=False, input_formats=DATETIME_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format=DATETIME_FORMAT),
    )


def _style(form: forms.Form) -> None:
    for bound in form:
        widget = bound.field.widget
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


def _query_without(request, *keys) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


# --- The charger page's Diagnostics tab (CP-7) -----------------------------------------------------


class DiagnosticsRequestForm(forms.Form):
    start_time = _datetime_field(gettext_lazy("From"))
    stop_time = _datetime_field(gettext_lazy("Until"))

    def clean(self):
        data = super().clean()
        for field, errors in diag.diagnostics_request_errors(
            start_time=data.get("start_time"), stop_time=data.get("stop_time")
        ).items():
            for error in errors:
                self.add_error(field, error)
        return data


STATE_BADGES = {
    DiagnosticsFile.Status.REQUESTED: "text-bg-info",
    DiagnosticsFile.Status.UPLOADING: "text-bg-primary",
    DiagnosticsFile.Status.UPLOADED: "text-bg-success",
    DiagnosticsFile.Status.FAILED: "text-bg-danger",
    DiagnosticsFile.Status.EXPIRED: "text-bg-secondary",
}


def _rows(files) -> list[dict]:
    """The table rows: the file with its state's label, badge and (if failed) the reason."""
    return [
        {"file": row, "state": row.state, "label": DiagnosticsFile.Status(row.state).label,
         "badge": STATE_BADGES.get(row.state, "text-bg-secondary"), "reason": diag.failure_reason(row),
         "open": row.state in diag.OPEN}
        for row in files
    ]


def _state(files, cp: ChargePoint) -> dict:
    return {
        "diagnostics_status": cp.diagnostics_status,
        "open": diag.has_open_request(files),
        "files": [{"id": f["pk"], "state": f["state"], "size": f["size"]}
                  for f in files.values("pk", "state", "size")[:10]],
    }


def _charger_files(request, cp: ChargePoint):
    return diag.diagnostics_list_for_user(request.user).filter(charge_point=cp)


@login_required
@require_http_methods(["GET", "POST"])
def charger_diagnostics(request, charge_point_id):
    """Request a diagnostics file from the charger and follow it; the charger's files."""
    context = charger_page_context(request, charge_point_id, "diagnostics")
    cp = context["cp"]
    form = DiagnosticsRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            row = diag.diagnostics_request(
                charge_point=cp, acting_user=request.user, start_time=form.cleaned_data.get("start_time"),
                stop_time=form.cleaned_data.get("stop_time"),
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            if row.status == DiagnosticsFile.Status.FAILED:
                messages.error(request, _("The charge point is offline: the request was not sent. "
                                          "Try again once it is online."))
            else:
                messages.success(request, _("Diagnostics requested: the file appears below once the charge "
                                            "point has uploaded it."))
            return redirect("portal:charger_diagnostics", cp.charge_point_id)
    files = _charger_files(request, cp)
    page_obj = Paginator(files, 10).get_page(request.GET.get("page"))
    return render(request, "portal/charger/diagnostics.html", {
        **context, "form": form, "page_obj": page_obj, "rows": _rows(page_obj), "state": _state(files, cp),
        "upload_hours": settings.DIAGNOSTICS_UPLOAD_HOURS,
        "state_url": reverse("portal:charger_diagnostics_state", args=[cp.charge_point_id]),
    })


@login_required
def charger_diagnostics_state(request, charge_point_id):
    """What the tab shows, in short, for its polling while a request is open."""
    cp = charger_page_context(request, charge_point_id, "diagnostics")["cp"]
    return JsonResponse(_state(_charger_files(request, cp), cp))


# --- Maintenance > Diagnostics -----------------------------------------------------------------------


class DiagnosticsFilterForm(forms.Form):
    charge_point = forms.ModelChoiceField(
        label=gettext_lazy("Charge point"), queryset=ChargePoint.objects.none(), required=False,
        to_field_name="charge_point_id", empty_label=gettext_lazy("All charge points"),
    )
    state = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False,
        choices=[("", gettext_lazy("All statuses")), *DiagnosticsFile.Status.choices],
    )
    requested_from = forms.DateField(label=gettext_lazy("Requested from"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    requested_to = forms.DateField(label=gettext_lazy("Requested until"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charge_point"].queryset = charger_list_for_user(user, write=True).order_by("charge_point_id")
        _style(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("requested_from"), data.get("requested_to")
        if start and end and end < start:
            self.add_error("requested_to", _("The end is before the start."))
        return data

    def filter(self, qs):
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data.get("charge_point"):
            qs = qs.filter(charge_point=data["charge_point"])
        if data.get("state"):
            qs = diag.filter_by_state(qs, data["state"])
        if data.get("requested_from"):
            qs = qs.filter(requested_at__date__gte=data["requested_from"])
        if data.get("requested_to"):
            qs = qs.filter(requested_at__date__lte=data["requested_to"])
        return qs


@login_required
def diagnostics_list(request):
    """Every diagnostics request and file of the chargers the user manages."""
    form = DiagnosticsFilterForm(request.GET or None, user=request.user)
    qs = in_group_context(request, diag.diagnostics_list_for_user(request.user), "charge_point_id")
    if form.is_bound:
        qs = form.filter(qs)
    per_page = page_size(request)
    page_obj = Paginator(qs, per_page).get_page(request.GET.get("page"))
    return render(request, "portal/maintenance/diagnostics.html", {
        "nav": "maintenance", "form": form, "page_obj": page_obj,
        "rows": _rows(page_obj),
        "page_sizes": PAGE_SIZES, "per_page": per_page,
    })


@login_required
def diagnostics_download(request, pk):
    row = diag.diagnostics_get_for_user(request.user, pk)
    if not row.file:
        raise Http404("No file.")
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404("No file.") from None
    name = row.file_name or f"diagnostics-{row.charge_point.charge_point_id}-{row.pk}.log"
    return FileResponse(handle, as_attachment=True, filename=name)


# --- Maintenance > CP logs: security events (CP-10) ----------------------------------------------------


class SecurityEventFilterForm(forms.Form):
    charge_point = forms.CharField(label=gettext_lazy("Charge point ID"), required=False, max_length=64)
    type = forms.CharField(label=gettext_lazy("Event"), required=False, max_length=50,
                           widget=forms.TextInput(attrs={"list": "security-event-types"}))
    since = _datetime_field(gettext_lazy("From"))
    until = _datetime_field(gettext_lazy("To"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end is before the start."))
        return data

    def filter(self, qs):
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if value := data.get("charge_point", "").strip():
            qs = qs.filter(charge_point__charge_point_id=value)
        if value := data.get("type", "").strip():
            qs = qs.filter(type=value)
        if value := data.get("since"):
            qs = qs.filter(received_at__gte=value)
        if value := data.get("until"):
            qs = qs.filter(received_at__lte=value)
        return qs


@login_required
def security_events(request):
    form = SecurityEventFilterForm(request.GET)
    qs = form.filter(in_group_context(request, sec.security_event_list_for_user(request.user), "charge_point_id"))
    per_page = page_size(request)
    page = keyset_page(qs, before=request.GET.get("before"), after=request.GET.get("after"), per_page=per_page)
    return render(request, "portal/maintenance/security_events.html", {
        "nav": "maintenance", "form": form, "page": page, "rows": page.rows, "known_types": sec.KNOWN_TYPES,
        "page_sizes": PAGE_SIZES, "per_page": per_page, "query": _query_without(request, "before", "after"),
    })

