"""Reads of charging sessions with their access rules (SES-4, SES-7).

A driver sees their own sessions; an owner (or organisation user) sees every session on
their chargers; a group owner sees the sessions on the group's chargers; staff see all.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from chargers.selectors import owned_q

from .models import ChargingSession, SessionEvent


def session_list_for_user(user) -> QuerySet[ChargingSession]:
    if not user.is_authenticated:
        return ChargingSession.objects.none()
    qs = ChargingSession.objects.select_related("charge_point", "user", "tag")
    if user.is_staff:
        return qs
    owned = Q(charge_point__in=_owned_charger_ids(user))
    group_owned = Q(charge_point__group_link__group__owner=user)
    return qs.filter(Q(user=user) | owned | group_owned)


def _owned_charger_ids(user):
    from chargers.models import ChargePoint

    return ChargePoint.objects.filter(owned_q(user)).values("pk")


def session_get_for_user(user, session_id: int) -> ChargingSession:
    try:
        return session_list_for_user(user).get(pk=session_id)
    except (ChargingSession.DoesNotExist, ValueError, TypeError):
        raise Http404("No such session.") from None


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    kind: str
    label: str
    detail: str = ""


# Same time, this order: how a session unfolds.
_LOG_ORDER = {"vehicle_connected": 0, "authorized": 1, "charging_started": 2, "remote_stop_requested": 4,
              "stopped": 5, "vehicle_disconnected": 6}


def session_log(session: ChargingSession) -> list[LogEntry]:
    """The session's timed log (SES-9): what the session row says (authorized, stopped,
    plugged out) merged with the events derived from the charger's status reports and
    people's requests (sessions_app.events). Charging started comes from the charger's
    Charging status; a charger that reports none (and sessions from before these events)
    started charging with the transaction, unless it reported a suspension instead."""
    kinds = dict(SessionEvent.Kind.choices)
    events = list(session.events.all())
    entries = [
        LogEntry(session.started_at, "authorized", kinds["authorized"],
                 f"{session.id_tag}: {session.authorization_status}"),
    ]
    seen = {e.kind for e in events}
    if not seen & {SessionEvent.Kind.CHARGING_STARTED, SessionEvent.Kind.SUSPENDED_EV,
                   SessionEvent.Kind.SUSPENDED_EVSE}:
        entries.append(LogEntry(session.started_at, "charging_started", kinds["charging_started"]))
    if session.stopped_at:
        entries.append(LogEntry(session.stopped_at, "stopped", kinds["stopped"], session.stop_reason))
    if session.plugged_out_at:
        entries.append(LogEntry(session.plugged_out_at, "vehicle_disconnected", kinds["vehicle_disconnected"]))
    entries += [LogEntry(e.at, e.kind, e.get_kind_display(), e.detail) for e in events]
    return sorted(entries, key=lambda e: (e.at, _LOG_ORDER.get(e.kind, 3)))


def session_active_for_user(user) -> ChargingSession | None:
    return (
        ChargingSession.objects.select_related("charge_point")
        .filter(user=user, status=ChargingSession.Status.ACTIVE)
        .order_by("-started_at")
        .first()
    )


def energy_by_day(*, user, days: int) -> tuple[list[dict], float, dict]:
    """Energy (kWh) and cost per day of the user's own sessions over the last ``days``."""
    start = (timezone.localdate() - timedelta(days=days - 1))
    sessions = (
        ChargingSession.objects.filter(user=user, started_at__date__gte=start)
        .only("started_at", "meter_start", "meter_stop", "last_meter_wh", "total_cost", "currency")
    )
    per_day = {start + timedelta(days=i): 0.0 for i in range(days)}
    costs: dict[str, object] = {}
    for s in sessions:
        day = timezone.localtime(s.started_at).date()
        if day in per_day:
            per_day[day] += s.energy_kwh
        if s.total_cost is not None:
            costs[s.currency] = costs.get(s.currency, 0) + s.total_cost
    rows = [{"day": d.isoformat(), "kwh": round(v, 2)} for d, v in per_day.items()]
    return rows, round(sum(per_day.values()), 2), costs


def sessions_per_day(*, qs: QuerySet[ChargingSession], start, end) -> list[dict]:
    per_day = {start + timedelta(days=i): 0 for i in range((end - start).days + 1)}
    for started in qs.filter(started_at__date__gte=start, started_at__date__lte=end).values_list(
        "started_at", flat=True
    ):
        day = timezone.localtime(started).date()
        if day in per_day:
            per_day[day] += 1
    return [{"day": d.isoformat(), "count": c} for d, c in per_day.items()]


def total_cost(qs: QuerySet[ChargingSession]):
    return qs.aggregate(total=Sum("total_cost"))["total"]
