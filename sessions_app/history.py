"""Reads behind the session history and detail (SES-4): filters (month, charger, tag, whose
sessions), month navigation and totals, the figures of a session as people read them, and
its power curve.

Every queryset starts from ``selectors.session_list_for_user``: a driver sees their own
sessions, an owner the sessions on their chargers, a group owner those on the group's
chargers. Exports of "the filtered view" (SES-5) apply the same ``HistoryFilters``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chargers.models import ChargePoint, IdTag
from chargers.selectors import charger_list_for_user, owned_q, tag_list_for_user
from wccportal.errors import DomainError
from wccportal.lib.money import format_money

from .costs import cost_per_kwh
from .models import ChargingSession, MeterValue
from .selectors import LogEntry, session_list_for_user, session_log

# Whose sessions a history shows: everything the user may see, only their own, or those on
# the chargers they own (directly or through a group they own), whoever charged.
SCOPE_ALL, SCOPE_MINE, SCOPE_CHARGERS = "all", "mine", "chargers"
SCOPES = {
    SCOPE_ALL: gettext_lazy("All"),
    SCOPE_MINE: gettext_lazy("Mine"),
    SCOPE_CHARGERS: gettext_lazy("On my chargers"),
}
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

# OCPP 1.6 StopTransaction reasons (and the platform's own "Superseded") as people read them.
STOP_REASONS = {
    "EmergencyStop": gettext_lazy("Emergency stop"),
    "EVDisconnected": gettext_lazy("Vehicle disconnected"),
    "HardReset": gettext_lazy("Charger restarted (hard reset)"),
    "Local": gettext_lazy("Stopped at the charger"),
    "Other": gettext_lazy("Other"),
    "PowerLoss": gettext_lazy("Power loss"),
    "Reboot": gettext_lazy("Charger rebooted"),
    "Remote": gettext_lazy("Stopped remotely"),
    "SoftReset": gettext_lazy("Charger restarted (soft reset)"),
    "UnlockCommand": gettext_lazy("Connector unlocked remotely"),
    "DeAuthorized": gettext_lazy("Tag no longer authorized"),
    "Superseded": gettext_lazy("Closed by a newer session on the connector"),
}


def stop_reason_label(reason: str) -> str:
    return str(STOP_REASONS.get(reason, reason)) if reason else ""


def session_log_readable(session: ChargingSession) -> list[LogEntry]:
    """The session's timed log (selectors.session_log, SES-9) with the stop reason as text."""
    return [replace(e, detail=stop_reason_label(e.detail)) if e.kind == "stopped" else e for e in session_log(session)]


# --- Filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryFilters:
    """What a history view shows. ``month`` is the first day of a month; None means every month
    (the API without ``month``, an export of all sessions)."""

    month: date | None = None
    charger: ChargePoint | None = None
    tag: IdTag | None = None
    scope: str = SCOPE_ALL

    def as_params(self) -> dict[str, str]:
        """The filters as query / form parameters (the names the API and the exports take)."""
        params = {}
        if self.month:
            params["month"] = self.month.strftime("%Y-%m")
        if self.charger:
            params["charger"] = self.charger.charge_point_id
        if self.tag:
            params["tag"] = str(self.tag.pk)
        if self.scope != SCOPE_ALL:
            params["scope"] = self.scope
        return params


def month_parse(value: str) -> date:
    """"2026-03" → date(2026, 3, 1); DomainError ``invalid_filter`` otherwise."""
    match = MONTH_RE.match(value.strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and 2000 <= year <= 2999:
            return date(year, month, 1)
    raise DomainError(_("The month is not valid: use YYYY-MM, e.g. 2026-03."), code="invalid_filter",
                      fields={"month": [_("Use the form YYYY-MM.")]})


def history_filters_parse(user, data: Mapping[str, str]) -> HistoryFilters:
    """The filters of a request (query parameters month, charger, tag, scope), checked against
    what the user may see. An unknown charger or tag is refused (``invalid_filter``) without
    telling whether it exists."""
    errors: dict[str, list[str]] = {}
    month = charger = tag = None
    if data.get("month"):
        try:
            month = month_parse(data["month"])
        except DomainError as exc:
            errors.update(exc.fields)
    scope = data.get("scope") or SCOPE_ALL
    if scope not in SCOPES:
        errors["scope"] = [_("Choose one of: %(scopes)s.") % {"scopes": ", ".join(SCOPES)}]
    if data.get("charger"):
        charger = _charger_option(user, data["charger"].strip())
        if charger is None:
            errors["charger"] = [_("No such charger among your sessions.")]
    if data.get("tag"):
        tag = _tag_option(user, data["tag"])
        if tag is None:
            errors["tag"] = [_("No such tag among your sessions.")]
    if errors:
        raise DomainError(_("The filter is not valid."), code="invalid_filter", fields=errors)
    return HistoryFilters(month=month, charger=charger, tag=tag, scope=scope)


def _charger_option(user, charge_point_id: str) -> ChargePoint | None:
    # A charger seen through its sessions (a guest's expired share) or through today's rights.
    visible = session_list_for_user(user).filter(charge_point__charge_point_id=charge_point_id)
    return (
        ChargePoint.objects.filter(charge_point_id=charge_point_id)
        .filter(Q(pk__in=visible.values("charge_point_id")) | Q(pk__in=charger_list_for_user(user).values("pk")))
        .first()
    )


def _tag_option(user, value: str) -> IdTag | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    visible = session_list_for_user(user).filter(tag_id=pk)
    return (
        IdTag.objects.filter(pk=pk)
        .filter(Q(pk__in=visible.values("tag_id")) | Q(pk__in=tag_list_for_user(user).values("pk")))
        .first()
    )


def _my_chargers_q(user) -> Q:
    return Q(charge_point__in=ChargePoint.objects.filter(owned_q(user)).values("pk")) | Q(
        charge_point__group_link__group__owner=user
    )


def user_has_chargers(user) -> bool:
    """Whether "On my chargers" means anything to the user (an owner, an organisation user or
    a group owner)."""
    return ChargePoint.objects.filter(owned_q(user) | Q(group_link__group__owner=user)).exists()


def history_sessions(user, filters: HistoryFilters) -> QuerySet[ChargingSession]:
    """The sessions of a history view, newest first (every month when ``filters.month`` is None)."""
    qs = session_list_for_user(user)
    if filters.scope == SCOPE_MINE:
        qs = qs.filter(user=user)
    elif filters.scope == SCOPE_CHARGERS:
        qs = qs.filter(_my_chargers_q(user))
    if filters.charger is not None:
        qs = qs.filter(charge_point=filters.charger)
    if filters.tag is not None:
        qs = qs.filter(tag=filters.tag)
    if filters.month is not None:
        start, end = month_bounds(filters.month)
        qs = qs.filter(started_at__gte=start, started_at__lt=end)
    return qs.order_by("-started_at", "-pk")


@dataclass(frozen=True)
class FilterOptions:
    chargers: list[ChargePoint]
    tags: list[IdTag]
    scopes: list[tuple[str, str]]


def history_filter_options(user) -> FilterOptions:
    """What the filter selects offer: the chargers and tags of the sessions the user can see,
    and the scopes (only with chargers of one's own does "On my chargers" mean anything)."""
    visible = session_list_for_user(user)
    chargers = list(
        ChargePoint.objects.filter(pk__in=visible.values("charge_point_id")).order_by("name", "charge_point_id")
    )
    tags = list(IdTag.objects.filter(pk__in=visible.values("tag_id")).select_related("user"))
    tags.sort(key=lambda t: (t.user_id != user.pk, (t.alias or t.id_tag).lower()))
    scopes = list(SCOPES.items()) if user_has_chargers(user) else []
    return FilterOptions(chargers=chargers, tags=tags, scopes=[(k, str(v)) for k, v in scopes])


# --- Months ----------------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as an aware [start, end) in the current time zone."""
    tz = timezone.get_current_timezone()
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (datetime(month.year, month.month, 1, tzinfo=tz), datetime(following.year, following.month, 1, tzinfo=tz))


def history_months(qs: QuerySet[ChargingSession]) -> list[date]:
    """The months that have sessions, newest first (one query)."""
    tz = timezone.get_current_timezone()
    return [d.date() for d in qs.order_by().datetimes("started_at", "month", order="DESC", tzinfo=tz)]


@dataclass(frozen=True)
class MonthNavigation:
    month: date
    months: list[date]  # what the month select offers, newest first
    previous: date | None
    next: date | None


def month_navigation(months_with_sessions: list[date], month: date | None, *, today: date | None = None
                     ) -> MonthNavigation:
    """The month to show (the one asked for; by default the current month, or the latest with
    sessions when the current one has none) and its neighbours among the months with sessions
    (and the current month)."""
    today = today or timezone.localdate()
    current = today.replace(day=1)
    if month is None:
        month = current if not months_with_sessions or current in months_with_sessions else months_with_sessions[0]
    months = sorted({*months_with_sessions, current, month}, reverse=True)
    older = [m for m in months if m < month]
    newer = [m for m in months if month < m <= current]
    return MonthNavigation(month=month, months=months, previous=older[0] if older else None,
                           next=newer[-1] if newer else None)


# --- Figures ---------------------------------------------------------------------------------


def _kwh(wh: int | float | None, places: int = 3) -> Decimal | None:
    if wh is None:
        return None
    return (Decimal(str(wh)) / 1000).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SessionFigures:
    """One session's SES-4 figures: plug-in / plug-out, energy, meter readings, power, costs."""

    plug_in: datetime
    plug_out: datetime | None  # the plug-out time, else the stop; None while charging
    duration: timedelta
    energy_kwh: Decimal
    meter_start_kwh: Decimal
    meter_stop_kwh: Decimal | None
    max_power_kw: Decimal | None
    average_power_kw: Decimal | None
    currency: str
    total_cost: Decimal | None
    total_cost_display: str
    cost_per_kwh: Decimal | None
    cost_per_kwh_display: str
    active: bool

    @property
    def duration_text(self) -> str:
        return duration_text(self.duration)


def duration_text(duration: timedelta) -> str:
    """"2 h 05 min", "45 min" (whole minutes, rounded down)."""
    minutes = max(int(duration.total_seconds() // 60), 0)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def session_figures(session: ChargingSession, *, max_power_w: float | None = None) -> SessionFigures:
    """The figures of one session, from its row alone (no query). Costs are those stored at the
    stop; a running session has none yet (its running cost comes from costs.session_cost)."""
    active = session.status == ChargingSession.Status.ACTIVE
    duration = session.duration
    energy_wh = session.energy_wh
    hours = Decimal(duration.total_seconds()) / 3600
    average = (
        (Decimal(energy_wh) / 1000 / hours).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if hours > 0 and energy_wh else None
    )
    top = max_power_w if max_power_w is not None else session.max_power_w
    if average is not None and top and average > Decimal(str(top)) / 1000:
        # Charger clocks off (samples timed later than the stop): the average can't exceed the peak.
        average = None
    total = session.total_cost if not active else None
    per_kwh = cost_per_kwh(total, energy_wh, session.currency) if total is not None else None
    return SessionFigures(
        plug_in=session.started_at,
        plug_out=None if active else (session.plugged_out_at or session.stopped_at),
        duration=duration,
        energy_kwh=_kwh(energy_wh),
        meter_start_kwh=_kwh(session.meter_start),
        meter_stop_kwh=_kwh(session.meter_stop),
        max_power_kw=_kwh(top, 2) if top else None,
        average_power_kw=average,
        currency=session.currency,
        total_cost=total,
        total_cost_display=format_money(total, session.currency) if total is not None else "–",
        cost_per_kwh=per_kwh,
        cost_per_kwh_display=f"{format_money(per_kwh, session.currency)}/kWh" if per_kwh is not None else "–",
        active=active,
    )


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    amount: Decimal
    display: str


@dataclass(frozen=True)
class HistoryTotals:
    sessions: int
    energy_kwh: Decimal
    costs: list[CurrencyTotal] = field(default_factory=list)  # one per currency, priced sessions only
    active: int = 0  # running sessions: their energy so far counts, their cost not yet
    energy_wh: int = 0


def history_totals(qs: QuerySet[ChargingSession]) -> HistoryTotals:
    """Count, energy and cost per currency of ``qs``, summed in Python (money stays Decimal:
    SQLite keeps decimals as floats) over narrow rows."""
    rows = qs.order_by().values_list("status", "meter_start", "meter_stop", "last_meter_wh", "total_cost", "currency")
    count = active = 0
    energy_wh = 0
    costs: dict[str, Decimal] = {}
    for status, meter_start, meter_stop, last_meter_wh, total, currency in rows.iterator(chunk_size=2000):
        count += 1
        end = meter_stop if meter_stop is not None else last_meter_wh
        energy_wh += max(0, end - meter_start) if end is not None else 0
        if status == ChargingSession.Status.ACTIVE:
            active += 1
        elif total is not None and currency:
            costs[currency] = costs.get(currency, Decimal(0)) + Decimal(str(total))
    return HistoryTotals(
        sessions=count, energy_kwh=_kwh(energy_wh), active=active, energy_wh=energy_wh,
        costs=[CurrencyTotal(cur, amount, format_money(amount, cur)) for cur, amount in sorted(costs.items())],
    )


# --- Power curve -----------------------------------------------------------------------------

POWER = "Power.Active.Import"
ENERGY = "Energy.Active.Import.Register"
# The whole charger's reading: not the grid side of an inlet, the car's own, or a cable's.
WHOLE_CHARGER = ("", "Outlet")
PHASE_SETS = (("L1", "L2", "L3"), ("L1-N", "L2-N", "L3-N"))
MAX_POINTS = 720


@dataclass(frozen=True)
class PowerPoint:
    t: datetime
    kw: float


@dataclass(frozen=True)
class PowerCurve:
    points: list[PowerPoint]
    source: str  # "power": Power.Active.Import samples; "energy": derived from the register; "" none

    @property
    def max_kw(self) -> float | None:
        return max((p.kw for p in self.points), default=None)


def _w(value: float, unit: str) -> float:
    return value * 1000 if unit == "kW" else value


def _power_at_each_time(rows) -> list[PowerPoint]:
    """One power value per sample time: the whole charger's value when sent, else the sum of
    its phases (L1–L3, or L1-N–L3-N)."""
    by_time: dict[datetime, dict[str, float]] = {}
    for at, phase, unit, value in rows:
        by_time.setdefault(at, {})[phase] = _w(value, unit)
    points = []
    for at, phases in by_time.items():
        if "" in phases:
            watts = phases[""]
        else:
            watts = next((sum(phases[p] for p in names if p in phases) for names in PHASE_SETS
                          if any(p in phases for p in names)), None)
            if watts is None:
                continue
        points.append(PowerPoint(at, round(max(watts, 0) / 1000, 3)))
    return sorted(points, key=lambda p: p.t)


def _power_from_register(session: ChargingSession, rows) -> list[PowerPoint]:
    """Average power between consecutive energy register readings (meter start and stop
    included), each placed at the end of its interval."""
    sampled = [(at, value * 1000 if unit == "kWh" else value) for at, unit, value in rows if at > session.started_at]
    if not sampled:
        return []  # the meter start and stop alone give the average power, not a curve
    readings = [(session.started_at, float(session.meter_start)), *sampled]
    end = session.meter_stop if session.meter_stop is not None else None
    if session.stopped_at and end is not None and session.stopped_at > readings[-1][0]:
        readings.append((session.stopped_at, float(end)))
    points = []
    for (t0, wh0), (t1, wh1) in zip(readings, readings[1:], strict=False):
        hours = (t1 - t0).total_seconds() / 3600
        if hours > 0:
            points.append(PowerPoint(t1, round(max(wh1 - wh0, 0) / 1000 / hours, 3)))
    if points:
        # The first interval starts at the session's start: drawn as steps, it needs that point.
        points.insert(0, PowerPoint(readings[0][0], points[0].kw))
    return points


def _thin(points: list[PowerPoint], limit: int) -> list[PowerPoint]:
    """At most ``limit`` points: consecutive samples averaged in equal runs (a chart on a phone
    has no use for 10,000 points)."""
    if len(points) <= limit:
        return points
    size = -(-len(points) // limit)
    out = []
    for i in range(0, len(points), size):
        run = points[i:i + size]
        out.append(PowerPoint(run[-1].t, round(sum(p.kw for p in run) / len(run), 3)))
    return out


def power_curve(session: ChargingSession, *, max_points: int = MAX_POINTS) -> PowerCurve:
    """The session's charging power over time in kW (SES-4): from its Power.Active.Import
    samples (W or kW; phases summed when only phases are sent), else derived from consecutive
    energy register readings. Two queries at most."""
    base = MeterValue.objects.filter(session_id=session.pk, location__in=WHOLE_CHARGER, value__isnull=False)
    power = base.filter(measurand=POWER).order_by("timestamp").values_list("timestamp", "phase", "unit", "value")
    points = _power_at_each_time(power)
    if points:
        return PowerCurve(_thin(points, max_points), "power")
    energy = (base.filter(measurand=ENERGY, phase="").order_by("timestamp")
              .values_list("timestamp", "unit", "value"))
    points = _power_from_register(session, energy)
    return PowerCurve(_thin(points, max_points), "energy" if points else "")
