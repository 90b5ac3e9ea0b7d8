"""Driver-app pages of tariffs (TAR-1, TAR-2, GRP-6): list with search, create, detail with
the groups using it, edit with time-of-use periods, preview of an example session, remove."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from wccportal.errors import DomainError

from . import tariffs as services
from .forms_tariffs import (
    WEEKDAYS,
    PeriodFormSet,
    PreviewForm,
    TariffForm,
    add_domain_error,
    live_period_forms,
    period_initial,
    tariff_initial,
)
from .selectors import tariff_get_for_user, tariff_list_for_user

NAV = "tariffs"
PREVIEW_PARTIAL = "app/tariffs/includes/preview_result.html"


def _price(amount, currency):
    return services.format_price(amount, currency)


def _weekday_names(digits: str) -> str:
    names = dict(WEEKDAYS)
    if digits == "0123456":
        return _("Every day")
    if digits == "01234":
        return _("Mon–Fri")
    if digits == "56":
        return _("Sat–Sun")
    return ", ".join(str(names[d]) for d in digits)


def _card(tariff) -> dict:
    """What a tariff shows in the list and on its page, with prices formatted."""
    cur = tariff.currency
    return {
        "tariff": tariff,
        "price_per_kwh": _price(tariff.price_per_kwh, cur),
        "connection_fee": _price(tariff.connection_fee, cur),
        "time_fee_per_hour": _price(tariff.time_fee_per_hour, cur) if tariff.time_fee_per_hour else "",
        "parking_fee_per_hour": _price(tariff.parking_fee_per_hour, cur) if tariff.parking_fee_per_hour else "",
        "min_price": _price(tariff.min_price, cur) if tariff.min_price is not None else "",
        "max_price": _price(tariff.max_price, cur) if tariff.max_price is not None else "",
    }


def _periods(tariff, periods=None) -> list[dict]:
    cur = tariff.currency
    return [
        {"weekdays": _weekday_names(p.weekdays), "start": p.start_time, "end": p.end_time,
         "price_per_kwh": _price(p.price_per_kwh, cur),
         "time_fee_per_hour": _price(p.time_fee_per_hour, cur) if p.time_fee_per_hour is not None else ""}
        for p in (periods if periods is not None else tariff.periods.all())
    ]


@login_required
def tariff_list(request):
    query = (request.GET.get("q") or "").strip()
    qs = tariff_list_for_user(request.user).filter(owner=request.user)
    if query:
        qs = qs.filter(name__icontains=query)
    qs = qs.annotate(group_count=Count("groups", distinct=True), period_count=Count("periods", distinct=True))
    return render(request, "app/tariffs/list.html", {
        "nav": NAV, "cards": [_card(t) for t in qs.order_by("name", "pk")], "query": query,
    })


# --- Preview --------------------------------------------------------------------------------


def _preview_form(request, zone, data=None) -> PreviewForm:
    return PreviewForm(data, prefix="preview", today=timezone.localtime(timezone.now(), zone).date())


def _run_preview(form: PreviewForm, tariff, zone, periods=None):
    """The breakdown of the form's example session, or None with the form's errors."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.tariff_preview(
            tariff=tariff, periods=periods, energy_kwh=data["energy_kwh"],
            started_at=datetime.combine(data["start_date"], data["start_time"]),
            duration_minutes=data["charging_minutes"], parked_minutes=data["parked_minutes"], time_zone=zone,
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None


def _preview_response(request, form, preview, tariff_errors=()):
    # 200 even for bad input: htmx swaps in only successful answers, and the errors are the answer.
    return render(request, PREVIEW_PARTIAL, {"preview_form": form, "preview": preview,
                                             "tariff_errors": tariff_errors, "partial": True})


def _all_errors(form, formset) -> list[str]:
    """The tariff form's errors as sentences, for the preview panel that sits beside it."""
    out = []
    kept = [f for f in formset.forms if not formset._should_delete_form(f)]
    for f, row in [(form, None)] + [(f, i + 1) for i, f in enumerate(kept)]:
        for name, errors in f.errors.items():
            label = str(f.fields[name].label) if name in f.fields else ""
            if row is not None:
                label = _("Period %(row)d") % {"row": row} + (f" · {label}" if label else "")
            out.extend(f"{label}: {e}" if label else str(e) for e in errors)
    out.extend(str(e) for e in formset.non_form_errors())
    return out


# --- Pages ----------------------------------------------------------------------------------


@login_required
def tariff_detail(request, pk):
    """The tariff, the groups using it and a preview of an example session (POST: price it)."""
    tariff = tariff_get_for_user(request.user, pk)
    zone = services.tariff_time_zone(tariff)
    preview = None
    if request.method == "POST":
        preview_form = _preview_form(request, zone, request.POST)
        preview = _run_preview(preview_form, tariff, zone)
        if request.htmx:
            return _preview_response(request, preview_form, preview)
    else:
        preview_form = _preview_form(request, zone)
    return render(request, "app/tariffs/detail.html", {
        "nav": NAV, "card": _card(tariff), "tariff": tariff, "periods": _periods(tariff),
        "groups": services.tariff_groups(tariff), "preview_form": preview_form, "preview": preview,
        "time_zone": zone.key,
    }, status=400 if request.method == "POST" and preview is None else 200)


def _edit(request, tariff=None):
    """Create (no tariff) or edit: one form with the periods formset. A POST with
    ``_preview`` prices the values as typed without saving them."""
    zone = services.tariff_time_zone(tariff) if tariff else services.zone_or_default(None)
    if request.method == "POST":
        form = TariffForm(request.POST)
        formset = PeriodFormSet(request.POST, prefix="periods")
    else:
        form = TariffForm(initial=tariff_initial(tariff) if tariff else None)
        formset = PeriodFormSet(prefix="periods", initial=period_initial(tariff) if tariff else None)
    preview_form = _preview_form(request, zone, request.POST if "_preview" in request.POST else None)
    preview = None
    status = 200
    if request.method == "POST":
        status = 400
        form_valid, formset_valid = form.is_valid(), formset.is_valid()  # both: all errors at once
        if form_valid and formset_valid:
            rows = live_period_forms(formset)
            periods = [f.period() for f in rows]
            try:
                if "_preview" in request.POST:
                    draft, draft_periods = services.tariff_build(
                        owner=request.user, periods=periods, **form.cleaned_data)
                    preview = _run_preview(preview_form, draft, zone, draft_periods)
                elif tariff is None:
                    saved = services.tariff_create(owner=request.user, periods=periods, acting_user=request.user,
                                                   **form.cleaned_data)
                    messages.success(request, _("The tariff %(name)s was created.") % {"name": saved.name})
                    return redirect("app:tariff_detail", pk=saved.pk)
                else:
                    saved = services.tariff_update(tariff=tariff, periods=periods, acting_user=request.user,
                                                   **form.cleaned_data)
                    messages.success(request, _("The tariff %(name)s was saved.") % {"name": saved.name})
                    return redirect("app:tariff_detail", pk=saved.pk)
            except DomainError as exc:
                add_domain_error(form, rows, exc)
        if "_preview" in request.POST and preview is None and not preview_form.errors:
            preview_form.add_error(None, _("Correct the tariff's errors first."))
        if request.htmx and "_preview" in request.POST:
            return _preview_response(request, preview_form, preview,
                                     tariff_errors=_all_errors(form, formset) if preview is None else ())
        if preview is not None:
            status = 200
    return render(request, "app/tariffs/form.html", {
        "nav": NAV, "tariff": tariff, "form": form, "formset": formset, "preview_form": preview_form,
        "preview": preview, "time_zone": zone.key, "weekdays": WEEKDAYS, "preview_hx_post": request.path,
    }, status=status)


@login_required
def tariff_create(request):
    return _edit(request)


@login_required
def tariff_edit(request, pk):
    return _edit(request, tariff_get_for_user(request.user, pk))


@login_required
@require_POST
def tariff_delete(request, pk):
    tariff = tariff_get_for_user(request.user, pk)
    name = tariff.name
    detached = services.tariff_delete(tariff=tariff, acting_user=request.user)
    if detached:
        messages.success(request, ngettext(
            "The tariff %(name)s was removed; %(count)d group no longer has a tariff.",
            "The tariff %(name)s was removed; %(count)d groups no longer have a tariff.", len(detached),
        ) % {"name": name, "count": len(detached)})
    else:
        messages.success(request, _("The tariff %(name)s was removed.") % {"name": name})
    return redirect("app:tariffs")
