"""Portal pages of charging sessions: the table (SES-7) with its filters, columns, page sizes
and export, the actions (remote stop / start, logbook entry) and a session's detail (SES-8).

Every session comes through ``selectors.session_list_for_user`` / ``session_get_for_user``
(another tenant's session is a 404); starting and logbook entries only on chargers the user
manages (``charger_list_for_user(write=True)``).
"""

from __future__ import annotations

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from chargers.selectors import charger_list_for_user
from wccportal.errors import DomainError
from wccportal.group_context import in_group_context

from . import history, portal
from .costs import session_cost
from .live import session_can_stop, session_request_stop
from .models import ChargingSession, MeterValue, SessionEvent
from .selectors import session_get_for_user, session_list_for_user
from .starting import logbook_clean, session_request_start

METER_PAGE_SIZE = 25


def _managed_ids(user) -> set[int]:
    return set(charger_list_for_user(user, write=True).values_list("pk", flat=True))


def _filtered(request):
    qs = portal.table_queryset(in_group_context(request, session_list_for_user(request.user), "charge_point_id"))
    return portal.SessionFilter(request.GET or None, queryset=qs, request=request)


def _per_page(request, prefs: portal.TablePrefs) -> int:
    """The page size asked for (and then remembered), else the remembered one."""
    try:
        asked = int(request.GET.get("per_page", ""))
    except ValueError:
        return prefs.per_page
    if asked not in portal.PAGE_SIZES:
        return prefs.per_page
    if asked != prefs.per_page:
        portal.prefs_save(request.user, per_page=asked)
    return asked


@login_required
def session_list(request):
    prefs = portal.prefs_get(request.user)
    per_page = _per_page(request, prefs)
    flt = _filtered(request)
    valid = flt.is_valid() if flt.is_bound else True
    qs = flt.qs if valid else ChargingSession.objects.none()
    table = portal.session_table(qs, columns=prefs.columns, request=request, managed_ids=_managed_ids(request.user))
    RequestConfig(request, paginate={"per_page": per_page, "paginator_class": LazyPaginator}).configure(table)
    export_query = request.GET.copy()
    for key in ("page", "per_page"):
        export_query.pop(key, None)
    return render(request, "portal/sessions/list.html", {
        "nav": "sessions", "table": table, "filter": flt, "valid": valid, "per_page": per_page,
        "page_sizes": portal.PAGE_SIZES, "columns_form": portal.ColumnsForm(initial={"columns": prefs.columns}),
        "export_query": export_query.urlencode(), "can_start": bool(_managed_ids(request.user)),
    })


@login_required
@require_POST
def columns_save(request):
    form = portal.ColumnsForm(request.POST)
    if form.is_valid():
        columns = list(portal.DEFAULT_COLUMNS) if form.cleaned_data["reset"] else form.cleaned_data["columns"]
        portal.prefs_save(request.user, columns=columns)
        messages.success(request, _("The table's columns are saved."))
    else:
        messages.error(request, _("Choose at least one column."))
    return _back(request, reverse("portal:sessions"))


@login_required
def export(request, fmt: str):
    """The sessions shown (current filters, sorting and columns, every page) as CSV or XLSX."""
    prefs = portal.prefs_get(request.user)
    flt = _filtered(request)
    if flt.is_bound and not flt.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect("portal:sessions")
    table = portal.session_table(flt.qs, columns=prefs.columns, request=request, managed_ids=set())
    RequestConfig(request, paginate=False).configure(table)
    sessions = table.data.data.iterator(chunk_size=500)  # the table's queryset, sorted as shown
    specs = portal.export_columns(prefs.columns)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(portal.csv_lines(specs, sessions), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="charging-sessions-{stamp}.csv"'
        return response
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        portal.write_xlsx(spool, specs, sessions)
        spool.seek(0)
        return FileResponse(
            spool, as_attachment=True, filename=f"charging-sessions-{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise Http404("No such format.")


def _back(request, default: str):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


# --- Actions ------------------------------------------------------------------------------


@login_required
@require_POST
def session_stop(request, pk: int):
    session = session_get_for_user(request.user, pk)
    try:
        session_request_stop(user=request.user, session=session)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Stop sent to the charger: the session ends when the charger confirms."))
    return _back(request, reverse("portal:session_detail", args=[pk]))


class StartForm(forms.Form):
    charger = forms.ModelChoiceField(label=gettext_lazy("Charge point"), queryset=None,
                                     to_field_name="charge_point_id", empty_label=None)
    connector = forms.IntegerField(label=gettext_lazy("Connector"), required=False, min_value=1,
                                   help_text=gettext_lazy("Leave empty to take the first free connector."))
    mileage_km = forms.CharField(label=gettext_lazy("Mileage (km)"), required=False)
    vehicle_id = forms.CharField(label=gettext_lazy("Vehicle ID"), required=False, max_length=50)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charger"].queryset = charger_list_for_user(user, write=True).order_by("charge_point_id")


@login_required
def session_start(request):
    """Remote start (SES-7 action) on a charger the user manages, through session_request_start."""
    user = request.user
    if request.method == "POST":
        form = StartForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                started = session_request_start(
                    user=user, charge_point=data["charger"], connector_id=data["connector"],
                    source=ChargingSession.Source.PORTAL, mileage_km=data["mileage_km"] or None,
                    vehicle_id=data["vehicle_id"],
                )
            except DomainError as exc:
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Start sent to %(charger)s (connector %(connector)s): the session "
                                            "appears here once the charger has started it.") % {
                    "charger": data["charger"].display_name, "connector": started.connector_id})
                return redirect("portal:sessions")
    else:
        form = StartForm(user=user, initial={"charger": request.GET.get("charger")})
    return render(request, "portal/sessions/start.html", {"nav": "sessions", "form": form})


class LogbookForm(forms.Form):
    mileage_km = forms.CharField(label=gettext_lazy("Mileage (km)"), required=False)
    vehicle_id = forms.CharField(label=gettext_lazy("Vehicle ID"), required=False)


def _managed_session(user, pk: int) -> ChargingSession:
    session = session_get_for_user(user, pk)
    if not user.is_staff and session.charge_point_id not in _managed_ids(user):
        raise Http404("No such session.")
    return session


@login_required
def logbook(request, pk: int):
    """Correct a session's logbook entry (SES-6): the charger's managers and staff."""
    session = _managed_session(request.user, pk)
    if request.method == "POST":
        form = LogbookForm(request.POST)
        if form.is_valid():
            try:
                mileage, vehicle = logbook_clean(mileage_km=form.cleaned_data["mileage_km"],
                                                 vehicle_id=form.cleaned_data["vehicle_id"], required=False)
            except DomainError as exc:
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field, error)
            else:
                session.vehicle_mileage_km, session.vehicle_id = mileage, vehicle
                session.save(update_fields=["vehicle_mileage_km", "vehicle_id", "updated_at"])
                messages.success(request, _("The logbook entry is saved."))
                return _back(request, reverse("portal:session_detail", args=[pk]))
    else:
        form = LogbookForm(initial={"mileage_km": session.vehicle_mileage_km if session.vehicle_mileage_km
                                    is not None else "", "vehicle_id": session.vehicle_id})
    return render(request, "portal/sessions/logbook.html", {
        "nav": "sessions", "session": session, "form": form, "next": request.GET.get("next", ""),
    })


# --- Detail (SES-8) -------------------------------------------------------------------------


@login_required
def session_detail(request, pk: int):
    session = session_get_for_user(request.user, pk)
    curve = history.power_curve(session)
    peak_w = max(session.max_power_w or 0, (curve.max_kw or 0) * 1000) or None
    meter_values = Paginator(
        MeterValue.objects.filter(session_id=session.pk).order_by("timestamp", "measurand", "phase", "pk"),
        METER_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    errors = SessionEvent.objects.filter(session=session, kind=SessionEvent.Kind.ERROR).order_by("at", "pk")
    managed = request.user.is_staff or session.charge_point_id in _managed_ids(request.user)
    return render(request, "portal/sessions/detail.html", {
        "nav": "sessions",
        "session": session,
        "figures": history.session_figures(session, max_power_w=peak_w),
        "cost": session_cost(session),
        "curve": curve,
        "chart": {"points": [{"t": int(p.t.timestamp() * 1000), "kw": p.kw} for p in curve.points],
                  "source": curve.source},
        "stop_reason": history.stop_reason_label(session.stop_reason),
        "session_duration": portal.display(portal.SPEC_BY_KEY["session_duration"], session),
        "location": portal.display(portal.SPEC_BY_KEY["location"], session),
        "tag_type": portal.display(portal.SPEC_BY_KEY["rfid_tag_type"], session),
        "meter_values": meter_values,
        "errors": errors,
        "log": history.session_log_readable(session),
        "active": session.status == ChargingSession.Status.ACTIVE,
        "can_stop": session.status == ChargingSession.Status.ACTIVE and session_can_stop(request.user, session),
        "managed": managed,
    })
