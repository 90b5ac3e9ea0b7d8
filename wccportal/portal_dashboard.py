"""The portal dashboard (DASH-2): station status, sessions and reservations per day, current
charging power, the connectors' status and the account's combined charging power over a day.

Every read goes through the access selectors: the chargers the user may see
(``charger_list_for_user``), the sessions they may see on those chargers
(``session_list_for_user``) and their bookings (``booking_list_for_user``). The figures are
aggregated in SQL; Python only fills in the empty days and quarter hours.

The page (``dashboard_page``) and its JSON twin (``dashboard_data``, polled every 30 s and
after live events) read the same figures (``dashboard_figures``). This module is also the
URLconf of the JSON endpoint, included by wccportal/urls_portal.py.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import ExtractMinute, Floor, TruncDate, TruncHour
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chargers.models import ChargePoint, Connector
from chargers.selectors import charger_list_for_user, connector_list_for_user
from groups.models import Booking
from groups.selectors import booking_list_for_user
from sessions_app.history import PHASE_SETS, POWER, WHOLE_CHARGER
from sessions_app.models import ChargingSession, MeterValue
from sessions_app.selectors import session_list_for_user
from wccportal.group_context import group_context, in_group_context

DEFAULT_DAYS = 14
MAX_DAYS = 366
BUCKET_MINUTES = 15
POLL_SECONDS = 30
CONNECTOR_ROWS = 100  # the connector table shows this many; the rest are counted


# --- Input -----------------------------------------------------------------------------------


class DashboardForm(forms.Form):
    """The ranges the dashboard's charts cover; every field optional (defaults below)."""

    sessions_from = forms.DateField(label=_("From"), required=False)
    sessions_to = forms.DateField(label=_("To"), required=False)
    reservations_from = forms.DateField(label=_("From"), required=False)
    reservations_to = forms.DateField(label=_("To"), required=False)
    power_day = forms.DateField(label=_("Day"), required=False)

    RANGES = (("sessions_from", "sessions_to"), ("reservations_from", "reservations_to"))

    def clean(self):
        data = super().clean()
        for start_name, end_name in self.RANGES:
            start, end = data.get(start_name), data.get(end_name)
            if start and end:
                if end < start:
                    self.add_error(end_name, _("The end date must not be before the start date."))
                elif (end - start).days + 1 > MAX_DAYS:
                    self.add_error(end_name, _("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        return data


@dataclass(frozen=True)
class Ranges:
    sessions: tuple[date, date]
    reservations: tuple[date, date]
    power_day: date


def _range(data: dict, start_name: str, end_name: str, today: date) -> tuple[date, date]:
    """The range asked for; a missing end is today (or start + 13 days), a missing start the
    13 days before the end. A field with an error is missing here (the form shows the error)."""
    start, end = data.get(start_name), data.get(end_name)
    if end is None:
        end = min(start + timedelta(days=DEFAULT_DAYS - 1), today) if start else today
        end = max(end, start) if start else end
    if start is None or start > end or (end - start).days + 1 > MAX_DAYS:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    return start, end


def dashboard_ranges(form: DashboardForm) -> Ranges:
    """The ranges to show: the valid parts of the form, defaults for the rest."""
    today = timezone.localdate()
    form.is_valid()  # a field with an error is left out of cleaned_data
    data = dict(form.cleaned_data)
    for names in form.RANGES:  # half a range is no range: both ends fall back to the default
        if any(name in form.errors for name in names):
            for name in names:
                data.pop(name, None)
    return Ranges(
        sessions=_range(data, "sessions_from", "sessions_to", today),
        reservations=_range(data, "reservations_from", "reservations_to", today),
        power_day=data.get("power_day") or today,
    )


# --- Figures ---------------------------------------------------------------------------------


def station_status(chargers: QuerySet[ChargePoint]) -> dict[str, int]:
    """Online, offline (seen before, silent now), unknown (never seen)."""
    return chargers.aggregate(
        online=Count("pk", filter=Q(is_online=True)),
        offline=Count("pk", filter=Q(is_online=False, last_seen_at__isnull=False)),
        unknown=Count("pk", filter=Q(is_online=False, last_seen_at__isnull=True)),
    )


def visible_sessions(user, chargers: QuerySet[ChargePoint]) -> QuerySet[ChargingSession]:
    """The sessions the user may see, on the chargers the dashboard covers."""
    return session_list_for_user(user).filter(charge_point__in=chargers.values("pk"))


def _local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), tz),
        timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz),
    )


def _per_day(qs: QuerySet, field: str, first: date, last: date) -> list[dict]:
    """How many rows of ``qs`` have ``field`` on each local day from first to last."""
    since, until = _local_bounds(first, last)
    counts = dict(
        qs.filter(**{f"{field}__gte": since, f"{field}__lt": until})
        .annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
        .order_by().values("day").annotate(n=Count("pk")).values_list("day", "n")
    )
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [{"day": d.isoformat(), "count": counts.get(d, 0)} for d in days]


def sessions_per_day(sessions: QuerySet[ChargingSession], first: date, last: date) -> list[dict]:
    """Sessions started on each day (local time)."""
    return _per_day(sessions, "started_at", first, last)


def reservations_per_day(bookings: QuerySet[Booking], first: date, last: date) -> list[dict]:
    """Bookings starting on each day; cancelled ones don't count."""
    return _per_day(bookings.exclude(status=Booking.Status.CANCELLED), "starts_at", first, last)


def current_power_w(sessions: QuerySet[ChargingSession]) -> float:
    """The sum of the active sessions' last reported power."""
    active = sessions.filter(status=ChargingSession.Status.ACTIVE)
    return float(active.aggregate(p=Sum("current_power_w"))["p"] or 0)


def power_over_day(sessions: QuerySet[ChargingSession], day: date) -> list[dict]:
    """The combined charging power (kW) of the sessions over one local day, per quarter hour.

    Each session's Power.Active.Import samples are averaged per quarter hour in SQL (whole
    charger's value, W or kW, per phase); here the whole-charger value is taken when sent,
    else its phases summed (as the session's own power curve does), and the sessions added
    up. The samples are found through the sessions that overlap the day, so the
    (session, timestamp) index does the work. Quarters after now are None."""
    since, until = _local_bounds(day, day)
    overlapping = sessions.filter(started_at__lt=until).filter(
        Q(stopped_at__isnull=True) | Q(stopped_at__gte=since)
    )
    # Quarter hours counted in UTC: they line up with every local quarter hour, DST included.
    utc = UTC
    rows = (
        MeterValue.objects.filter(
            session__in=overlapping.values("pk"), timestamp__gte=since, timestamp__lt=until,
            measurand=POWER, location__in=WHOLE_CHARGER, value__isnull=False,
        )
        .annotate(
            hour=TruncHour("timestamp", tzinfo=utc),
            quarter=Floor(ExtractMinute("timestamp", tzinfo=utc) / Value(BUCKET_MINUTES),
                          output_field=IntegerField()),
        )
        .order_by().values("session_id", "hour", "quarter", "phase", "unit").annotate(avg=Avg("value"))
    )
    per_bucket: dict[tuple[int, datetime], dict[str, float]] = {}
    for row in rows:
        start = row["hour"] + timedelta(minutes=BUCKET_MINUTES * int(row["quarter"]))
        watts = row["avg"] * 1000 if row["unit"] == "kW" else row["avg"]
        phases = per_bucket.setdefault((row["session_id"], start.astimezone(utc)), {})
        phases[row["phase"]] = phases.get(row["phase"], 0.0) + watts
    totals: dict[datetime, float] = {}
    for (_session, start), phases in per_bucket.items():
        if "" in phases:
            watts = phases[""]
        else:
            watts = next((sum(phases[p] for p in names if p in phases) for names in PHASE_SETS
                          if any(p in phases for p in names)), 0.0)
        totals[start] = totals.get(start, 0.0) + max(watts, 0.0)
    now = timezone.now()
    points, at = [], since
    while at < until:
        key = at.astimezone(utc)
        kw = round(totals.get(key, 0.0) / 1000, 3) if at <= now else None
        points.append({"t": timezone.localtime(at).strftime("%H:%M"), "kw": kw})
        at = (key + timedelta(minutes=BUCKET_MINUTES))
    return points


def connector_rows(user, chargers: QuerySet[ChargePoint] | None = None) -> tuple[list[Connector], int]:
    """The connectors (not connector 0) of the chargers the user may see (of ``chargers`` when
    given: the group context), and how many in all."""
    qs = connector_list_for_user(user).exclude(connector_id=0)
    if chargers is not None:
        qs = qs.filter(charge_point__in=chargers.values("pk"))
    qs = qs.order_by(
        "charge_point__charge_point_id", "connector_id"
    )
    rows = list(qs[:CONNECTOR_ROWS])
    total = len(rows) if len(rows) < CONNECTOR_ROWS else qs.count()
    return rows, total


def connector_json(c: Connector) -> dict:
    return {
        "charger": c.charge_point_id,
        "charge_point_id": c.charge_point.charge_point_id,
        "name": c.charge_point.display_name,
        "connector": c.connector_id,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "error_code": c.error_code,
        "error_label": "" if c.error_code == Connector.ErrorCode.NO_ERROR else str(c.get_error_code_display()),
        "since": c.status_changed_at.isoformat() if c.status_changed_at else None,
    }


def dashboard_figures(user, ranges: Ranges, chargers: QuerySet[ChargePoint] | None = None) -> dict:
    """Everything the dashboard shows, JSON-ready (connectors as model rows under "_rows"), of
    the user's chargers or of ``chargers`` (a narrower set: the group context, ACC-10)."""
    narrowed = chargers is not None
    chargers = chargers if narrowed else charger_list_for_user(user)
    sessions = visible_sessions(user, chargers)
    bookings = booking_list_for_user(user).filter(charge_point__in=chargers.values("pk"))
    status = station_status(chargers)
    connectors, connector_total = connector_rows(user, chargers if narrowed else None)
    return {
        "status": status,
        "power_w": current_power_w(sessions),
        "sessions": {"from": ranges.sessions[0].isoformat(), "to": ranges.sessions[1].isoformat(),
                     "days": sessions_per_day(sessions, *ranges.sessions)},
        "reservations": {"from": ranges.reservations[0].isoformat(), "to": ranges.reservations[1].isoformat(),
                         "days": reservations_per_day(bookings, *ranges.reservations)},
        "power_day": {"day": ranges.power_day.isoformat(), "points": power_over_day(sessions, ranges.power_day)},
        "connectors": [connector_json(c) for c in connectors],
        "connector_total": connector_total,
        "updated_at": timezone.now().isoformat(),
        "_rows": connectors,
    }


# --- Views -----------------------------------------------------------------------------------


def _form(request) -> DashboardForm:
    return DashboardForm(request.GET or None)


def _chargers_in_context(request) -> QuerySet[ChargePoint] | None:
    """The chargers of the chosen group (ACC-10), or None for all of the user's."""
    if group_context(request) is None:
        return None
    return in_group_context(request, charger_list_for_user(request.user))


@login_required
def dashboard_page(request):
    """The dashboard page (portal:dashboard, DASH-2)."""
    form = _form(request)
    figures = dashboard_figures(request.user, dashboard_ranges(form) if form.is_bound else _defaults(),
                                chargers=_chargers_in_context(request))
    connectors = figures.pop("_rows")
    chargers_live = sorted({c.charge_point.charge_point_id for c in connectors})
    return render(request, "portal/dashboard.html", {
        "nav": "dashboard", "form": form if form.errors else DashboardForm(initial=_initial(figures)),
        "figures": figures, "status": figures["status"], "power_kw": figures["power_w"] / 1000,
        "connectors": connectors, "live_chargers": chargers_live,
        "sessions_total": sum(d["count"] for d in figures["sessions"]["days"]),
        "reservations_total": sum(d["count"] for d in figures["reservations"]["days"]),
        "dashboard_config": _config(),
    })


def _config() -> dict:
    """What the page's script needs: where to poll, how often, and its words."""
    return {
        "data_url": reverse("portal:dashboard_data"),
        "poll_ms": POLL_SECONDS * 1000,
        "detail_url": reverse("portal:charger_detail", args=["__id__"]),
        "labels": {
            "online": str(_("Online")), "offline": str(_("Offline")), "unknown": str(_("Unknown")),
            "sessions": str(_("Sessions")), "reservations": str(_("Reservations")),
            "power": str(_("Charging power (kW)")), "no_error": "–",
            "showing": str(_("Showing %(shown)s of %(total)s connectors.")),
        },
        "status_labels": {value: str(label) for value, label in Connector.Status.choices},
        "error_labels": {value: str(label) for value, label in Connector.ErrorCode.choices},
    }


def _defaults() -> Ranges:
    return dashboard_ranges(DashboardForm({}))


def _initial(figures: dict) -> dict:
    return {
        "sessions_from": figures["sessions"]["from"], "sessions_to": figures["sessions"]["to"],
        "reservations_from": figures["reservations"]["from"], "reservations_to": figures["reservations"]["to"],
        "power_day": figures["power_day"]["day"],
    }


@login_required
def dashboard_data(request):
    """The dashboard's figures as JSON (portal:dashboard_data); bad ranges: 400 with errors."""
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    figures = dashboard_figures(request.user, dashboard_ranges(form) if form.is_bound else _defaults(),
                                chargers=_chargers_in_context(request))
    figures.pop("_rows")
    return JsonResponse(figures)


urlpatterns = [path("", dashboard_data, name="dashboard_data")]
