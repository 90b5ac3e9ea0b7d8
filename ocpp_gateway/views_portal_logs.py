"""Portal log pages (CP-10): the CS-CP frame log and the heartbeat log, paginated by cursor."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from wccportal.group_context import in_group_context_by_id
from wccportal.pagination import PAGE_SIZES, keyset_page, page_size

from . import portal_logs as pl

NAV = "maintenance"  # the seed files the CS-CP and heartbeat logs under Maintenance


def _query_without_cursor(request) -> str:
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return query.urlencode()


@login_required
def frame_log(request):
    form = pl.LogFilterForm(request.GET)
    qs = form.filter(in_group_context_by_id(request, pl.frame_list_for_user(request.user)))
    per_page = page_size(request)
    page = keyset_page(qs, before=request.GET.get("before"), after=request.GET.get("after"),
                          per_page=per_page)
    rows = [(frame, pl.summary(frame), pl.pretty_payload(frame)) for frame in page.rows]
    return render(request, "portal/logs/frames.html", {
        "nav": NAV, "form": form, "page": page, "rows": rows, "page_sizes": PAGE_SIZES,
        "per_page": per_page, "query": _query_without_cursor(request),
    })


@login_required
def heartbeat_log(request):
    form = pl.LogFilterForm(request.GET, heartbeat=True)
    qs = form.filter(in_group_context_by_id(request, pl.heartbeat_list_for_user(request.user)))
    per_page = page_size(request)
    page = keyset_page(qs, before=request.GET.get("before"), after=request.GET.get("after"),
                          per_page=per_page)
    return render(request, "portal/logs/heartbeats.html", {
        "nav": NAV, "form": form, "page": page, "rows": pl.heartbeat_intervals(page.rows),
        "page_sizes": PAGE_SIZES, "per_page": per_page,
        "query": _query_without_cursor(request),
    })
