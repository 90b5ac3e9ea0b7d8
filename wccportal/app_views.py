"""Pages of the driver app (mobile-first shell). Every object comes through the selectors."""

from collections import OrderedDict

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.selectors import notification_list
from accounts.services import notification_mark_read
from chargers.selectors import charger_list_for_user
from sessions_app.models import ChargingSession
from sessions_app.selectors import energy_by_day, session_active_for_user


@login_required
def dashboard(request):
    days = 7 if request.GET.get("days") == "7" else 30
    rows, total_kwh, costs = energy_by_day(user=request.user, days=days)
    last = (
        ChargingSession.objects.filter(user=request.user, status=ChargingSession.Status.COMPLETED)
        .select_related("charge_point").order_by("-started_at").first()
    )
    chart = {"labels": [r["day"][5:] for r in rows], "kwh": [r["kwh"] for r in rows]}
    return render(request, "app/dashboard.html", {
        "nav": "dashboard", "days": days, "total_kwh": total_kwh, "costs": costs, "last": last,
        "active": session_active_for_user(request.user), "chart": chart,
    })


@login_required
def charge(request):
    chargers_qs = charger_list_for_user(request.user).prefetch_related("connectors").order_by("name")
    return render(request, "app/charge.html", {
        "nav": "charge", "chargers": chargers_qs, "active": session_active_for_user(request.user),
    })


@login_required
def sessions(request):
    qs = (
        ChargingSession.objects.filter(user=request.user).select_related("charge_point")
        .order_by("-started_at")[:300]
    )
    months: OrderedDict = OrderedDict()
    for session in qs:
        key = timezone.localtime(session.started_at).strftime("%Y-%m")
        months.setdefault(key, []).append(session)
    return render(request, "app/sessions.html", {"nav": "sessions", "months": months})


@login_required
def notifications(request):
    if request.method == "POST":
        notification_mark_read(user=request.user)
        return redirect("app:notifications")
    return render(request, "app/notifications.html", {
        "nav": "notifications", "notifications": notification_list(user=request.user)[:100],
    })
