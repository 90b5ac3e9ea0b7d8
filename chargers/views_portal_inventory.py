"""Portal pages of Maintenance > Inventory (CP-9): the list of managed chargers, the access code
revealed on click (JSON), and one charger's inventory data whose passwords are revealed after
re-entering one's own account password. Every reveal is audited (``chargers.inventory``)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from wccportal.errors import DomainError
from wccportal.group_context import in_group_context
from wccportal.pagination import PAGE_SIZES, page_size

from . import inventory
from .forms_inventory import RevealPasswordsForm
from .selectors import charger_get_for_user

NAV = "maintenance"


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_required
def inventory_list(request):
    qs = in_group_context(request, inventory.inventory_list_for_user(request.user))
    inventory_filter = inventory.InventoryFilter(request.GET or None, queryset=qs)
    for bound in inventory_filter.form:
        bound.field.widget.attrs["class"] = "form-control"
    table = inventory.InventoryTable(inventory_filter.qs)
    RequestConfig(request, paginate=False).configure(table)  # sorting
    try:
        table.paginate(page=request.GET.get("page", 1), per_page=page_size(request))
    except (PageNotAnInteger, EmptyPage):
        table.paginate(page=1, per_page=page_size(request))
    return render(request, "portal/maintenance/inventory.html", {
        "nav": NAV, "filter": inventory_filter, "table": table, "page_sizes": PAGE_SIZES,
        "per_page": page_size(request),
    })


@never_cache
@login_required
@require_POST
def inventory_reveal_code(request, charge_point_id):
    """The charger's access code as JSON, for those who manage it (others: 404); audited."""
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    code = inventory.charger_reveal_access_code(charge_point=cp, acting_user=request.user,
                                                ip_address=_client_ip(request))
    return JsonResponse({"access_code": code})


@never_cache
@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def inventory_detail(request, charge_point_id):
    """The inventory data; POST with the user's own password shows the OCPP and master
    passwords in this response only."""
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    form = RevealPasswordsForm(request.POST or None)
    revealed, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            revealed = inventory.charger_reveal_passwords(
                charge_point=cp, acting_user=request.user, password=form.cleaned_data["password"],
                ip_address=_client_ip(request),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status if exc.code == "throttled" else 200
        else:
            form = RevealPasswordsForm()
    return render(request, "portal/maintenance/inventory_detail.html", {
        "nav": NAV, "cp": cp, "form": form, "revealed": revealed,
        "reveals": inventory.credential_reveal_list(charge_point=cp),
    }, status=status)
