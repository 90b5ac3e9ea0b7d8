"""Portal operations (OPS-1, OPS-2): the menu with the history, one page per command, and the
answer of an operation (HTML fragment for the live panel, or JSON)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from wccportal.errors import DomainError
from wccportal.group_context import in_group_context
from wccportal.pagination import PAGE_SIZES, page_size

from . import portal_operations as ops
from .models import ChargerOperation
from .selectors import operation_list_for_user
from .services import operation_request


@login_required
def operations(request):
    """The command menu and the operations history (filters, sorting, pages)."""
    qs = in_group_context(request, operation_list_for_user(request.user), "charge_point_id")
    filterset = ops.OperationFilter(request.GET or None, queryset=qs, user=request.user)
    table = ops.OperationTable(filterset.qs if filterset.is_bound and filterset.is_valid() else qs)
    RequestConfig(request, paginate={"per_page": page_size(request)}).configure(table)
    return render(request, "portal/operations/index.html", {
        "nav": "operations", "sections": ops.menu_sections(), "filter": filterset, "table": table,
        "page_sizes": PAGE_SIZES, "per_page": page_size(request),
    })


@login_required
@require_http_methods(["GET", "POST"])
def operation(request, action):
    """One command: pick a charger, fill in the parameters, Perform; the answer shows below."""
    command = ops.BY_SLUG.get(action)
    if command is None:
        raise Http404("No such command.")
    initial = {}
    if request.GET.get("charger"):
        initial["charge_point"] = request.GET["charger"]
    form = command.form_class(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # A form may perform its command itself (GetDiagnostics: the platform's upload link).
            perform = getattr(form, "request_operation", None)
            op = perform(acting_user=request.user) if perform else operation_request(
                charge_point=form.cleaned_data["charge_point"], action=command.action,
                payload=form.payload(), acting_user=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if op.status == ChargerOperation.Status.OFFLINE:
                messages.warning(request, _("The charge point is offline: nothing was sent."))
            url = reverse("portal:operation", args=[command.slug])
            return redirect(f"{url}?op={op.pk}&charger={op.charge_point.charge_point_id}")
    current = None
    if request.GET.get("op", "").isdigit():
        current = operation_list_for_user(request.user).filter(
            pk=int(request.GET["op"]), action=command.action
        ).first()
    recent = operation_list_for_user(request.user).filter(action=command.action)[:5]
    return render(request, "portal/operations/command.html", {
        "nav": "operations", "command": command, "form": form, "current": current, "recent": recent,
        "current_answer": ops.answer_for(current) if current else None,
        "no_chargers": not form.fields["charge_point"].queryset.exists(),
    })


@login_required
def operation_result(request, pk):
    """The state and answer of one operation: the result panel (HTML) or ``?format=json``."""
    op = get_object_or_404(operation_list_for_user(request.user), pk=pk)
    if request.GET.get("format") == "json":
        return JsonResponse({
            "id": op.pk, "action": op.action, "status": op.status, "status_label": op.get_status_display(),
            "response": op.response, "error": op.error, "charge_point": op.charge_point.charge_point_id,
            "completed": op.status != ChargerOperation.Status.PENDING,
        })
    return render(request, "portal/operations/_result.html", {"op": op, "answer": ops.answer_for(op),
                                                               "command": ops.BY_ACTION.get(op.action)})
