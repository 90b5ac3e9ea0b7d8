"""Portal pages of charge points (CP-6: overview, activate / deactivate, Excel export) and
connectors (CP-8). One charger's page and tabs (CP-7) are in ``views_portal_detail``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from wccportal.errors import DomainError
from wccportal.group_context import in_group_context
from wccportal.pagination import PAGE_SIZES, page_size

from . import portal_chargers as pc
from .selectors import charger_list_for_user

NAV = "chargers"


def _paginate(request, table):
    RequestConfig(request, paginate=False).configure(table)  # sorting
    try:
        table.paginate(page=request.GET.get("page", 1), per_page=page_size(request))
    except (PageNotAnInteger, EmptyPage):
        table.paginate(page=1, per_page=page_size(request))


def _filtered_chargers(request):
    charger_filter = pc.ChargerFilter(
        request.GET or None, queryset=in_group_context(request, pc.charger_overview_for_user(request.user))
    )
    pc.bootstrap_form(charger_filter.form)
    return charger_filter, charger_filter.qs


@login_required
def charger_list(request):
    charger_filter, qs = _filtered_chargers(request)
    own_pks = set(charger_list_for_user(request.user, write=True).values_list("pk", flat=True))
    table = pc.ChargerTable(qs, own_pks=own_pks)
    _paginate(request, table)
    return render(request, "portal/chargers/list.html", {
        "nav": NAV, "filter": charger_filter, "table": table, "page_sizes": PAGE_SIZES,
        "per_page": page_size(request), "has_own": bool(own_pks),
        "query": request.GET.urlencode(),
    })


@login_required
def charger_export(request):
    """The current view (filters and sort order, every page) as an Excel workbook."""
    charger_filter, qs = _filtered_chargers(request)
    table = pc.ChargerTable(qs, own_pks=set())
    RequestConfig(request, paginate=False).configure(table)
    ordered = table.data.data if hasattr(table.data, "data") else qs
    name = f"charge-points-{timezone.localdate():%Y-%m-%d}.xlsx"
    return FileResponse(
        pc.chargers_xlsx(ordered), as_attachment=True, filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_POST
def charger_availability(request):
    """Activate or deactivate the ticked own chargers (ChangeAvailability on connector 0)."""
    active = request.POST.get("action") == "activate"
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    try:
        result = pc.chargers_set_availability(
            user=request.user, pks=request.POST.getlist("selection"), active=active
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back or "portal:chargers")
    if result.sent:
        ids = ", ".join(cp.charge_point_id for cp in result.sent)
        if active:
            text = ngettext("Activation sent to %(count)d charge point: %(ids)s.",
                            "Activation sent to %(count)d charge points: %(ids)s.",
                            len(result.sent))
        else:
            text = ngettext("Deactivation sent to %(count)d charge point: %(ids)s.",
                            "Deactivation sent to %(count)d charge points: %(ids)s.",
                            len(result.sent))
        messages.success(request, text % {"count": len(result.sent), "ids": ids})
    if result.offline:
        ids = ", ".join(cp.charge_point_id for cp in result.offline)
        messages.warning(request, ngettext(
            "Offline, nothing sent: %(ids)s.", "Offline, nothing sent: %(ids)s.",
            len(result.offline)) % {"ids": ids})
    messages.info(request, _("The answers appear in the operations history."))
    return redirect(back or "portal:chargers")


@login_required
def connector_list(request):
    connector_filter = pc.ConnectorFilter(
        request.GET or None,
        queryset=in_group_context(request, pc.connector_overview_for_user(request.user), "charge_point_id"),
    )
    pc.bootstrap_form(connector_filter.form)
    table = pc.ConnectorTable(connector_filter.qs)
    _paginate(request, table)
    return render(request, "portal/chargers/connectors.html", {
        "nav": NAV, "filter": connector_filter, "table": table, "page_sizes": PAGE_SIZES,
        "per_page": page_size(request), "status_labels": pc.status_labels(),
        "error_labels": pc.error_labels(),
    })
