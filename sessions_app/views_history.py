"""Session history by month and session detail pages (SES-4; the detail's log is SES-9's).

Every session comes through the selectors: another user's session is a 404.
"""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from wccportal.errors import DomainError

from . import history
from .costs import session_cost
from .models import ChargingSession
from .selectors import session_get_for_user

PER_PAGE = 25


def _error_text(exc: DomainError) -> str:
    details = [message for messages_ in exc.fields.values() for message in messages_]
    return " ".join([exc.message, *details])


@login_required
def session_history(request):
    """SES-4: the sessions of one month (switch months, filter by charger and tag, whose
    sessions), each with its figures, and the month's totals."""
    user = request.user
    try:
        filters = history.history_filters_parse(user, request.GET)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return redirect("app:sessions")
    months = history.history_months(history.history_sessions(user, replace(filters, month=None)))
    navigation = history.month_navigation(months, filters.month)
    filters = replace(filters, month=navigation.month)
    month_sessions = history.history_sessions(user, filters)
    page = Paginator(month_sessions.select_related("charge_point", "tag", "user"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = []
    for session in page:
        figures = history.session_figures(session)
        running = session_cost(session) if figures.active else None
        rows.append({"session": session, "figures": figures, "running": running})
    options = history.history_filter_options(user)
    export_params = filters.as_params()
    who = export_params.pop("scope", "")
    return render(request, "app/sessions/history.html", {
        "nav": "sessions",
        "filters": filters,
        "navigation": navigation,
        "page_obj": page,
        "rows": rows,
        "totals": history.history_totals(month_sessions),
        "options": options,
        "filtered": bool(filters.charger or filters.tag or filters.scope != history.SCOPE_ALL),
        "export_params": export_params,
        "export_who": who,
    })


@login_required
def session_detail(request, pk):
    """SES-4 detail: times, energy, meter readings, power (with its curve), the costs written
    out, tag, source, stop reason, logbook, SoC and the session's timed log."""
    session = session_get_for_user(request.user, pk)
    curve = history.power_curve(session)
    peak_w = max(session.max_power_w or 0, (curve.max_kw or 0) * 1000) or None
    figures = history.session_figures(session, max_power_w=peak_w)
    chart = {
        "points": [{"t": int(p.t.timestamp() * 1000), "kw": p.kw} for p in curve.points],
        "source": curve.source,
    }
    return render(request, "app/sessions/detail.html", {
        "nav": "sessions",
        "session": session,
        "figures": figures,
        "cost": session_cost(session),
        "curve": curve,
        "chart": chart,
        "log": history.session_log_readable(session),
        "stop_reason": history.stop_reason_label(session.stop_reason),
        "is_mine": session.user_id == request.user.pk,
        "active": session.status == ChargingSession.Status.ACTIVE,
    })
