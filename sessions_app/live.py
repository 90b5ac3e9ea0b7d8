"""The live session (SES-3) and the dashboard (DASH-1): what a running session looks like
now, stopping it from the app or portal, and the dashboard's figures.

Reads start from ``selectors.session_list_for_user`` (another user's session is a 404);
the running values are the latest meter samples, fresher than the session row (written
at most every ``services.LIVE_PERSIST_SECONDS``); costs come from ``costs.session_cost``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chargers.models import ChargePoint, ChargerOperation, Connector
from chargers.selectors import owned_q
from chargers.services import operation_request
from wccportal.errors import DomainError
from wccportal.lib.money import format_money

from .costs import SessionCost, session_cost
from .models import ChargingSession, MeterValue, SessionEvent
from .selectors import LogEntry, session_list_for_user, session_log
from .services import ENERGY, _in_wh, _live_values

STOP_ACTION = "RemoteStopTransaction"
# A stop the charger accepted shows "stopping" this long; a StopTransaction normally follows
# within seconds. After it the page offers Stop again.
STOP_ACCEPTED_SECONDS = 120
ACTIVE_LIMIT = 10  # active sessions on the dashboard bar and in the API
DASHBOARD_DAYS = (7, 30)
SCOPES = ("all", "mine")


# --- Stop (SES-3) --------------------------------------------------------------------------


def session_can_stop(user, session: ChargingSession) -> bool:
    """Who may end a session from the app: its driver, the charger's owner (or the users of
    the organisation owning it) and staff. Group owners and others who only see it may not."""
    if not user.is_authenticated:
        return False
    if user.is_staff or (session.user_id is not None and session.user_id == user.pk):
        return True
    return ChargePoint.objects.filter(owned_q(user), pk=session.charge_point_id).exists()


def stop_operation_for(session: ChargingSession) -> ChargerOperation | None:
    """The latest RemoteStopTransaction asked for this session (server times on both sides)."""
    return (
        ChargerOperation.objects.filter(
            charge_point_id=session.charge_point_id, action=STOP_ACTION,
            created_at__gte=session.received_start_at, payload__transactionId=session.pk,
        ).order_by("-created_at", "-pk").first()
    )


def _stop_pending(operation: ChargerOperation, now: datetime) -> bool:
    if operation.status == ChargerOperation.Status.PENDING:
        return True
    return (operation.status == ChargerOperation.Status.ACCEPTED and operation.completed_at is not None
            and now - operation.completed_at < timedelta(seconds=STOP_ACCEPTED_SECONDS))


@transaction.atomic
def session_request_stop(*, user, session: ChargingSession) -> ChargerOperation:
    """Stop a running session from the app or portal (SES-3): RemoteStopTransaction for its
    transaction, recorded as a ``remote_stop_requested`` event of its log (SES-9).

    Refusals: someone who may not stop it gets a 404 (as if it did not exist); a session
    that ended already ``session_not_active``; an offline charger ``charger_offline``
    (nothing is queued, DESIGN.md §7). A stop still waiting for the charger's answer is
    returned again instead of sending a second one. The charger's answer arrives later on
    the operation (accepted, rejected, timed out), then its StopTransaction ends the session.
    """
    if not session_can_stop(user, session):
        raise Http404("No such session.")
    status = ChargingSession.objects.filter(pk=session.pk).values_list("status", flat=True).first()
    if status != ChargingSession.Status.ACTIVE:
        raise DomainError(_("This charging session has already ended."), code="session_not_active", status=409)
    now = timezone.now()
    previous = stop_operation_for(session)
    if (previous is not None and previous.status == ChargerOperation.Status.PENDING
            and now - previous.created_at < timedelta(seconds=settings.OCPP_CALL_TIMEOUT + 30)):
        return previous  # asked already: the charger's answer is on its way
    charge_point = session.charge_point
    if not ChargePoint.objects.filter(pk=charge_point.pk, is_online=True).exists():
        raise DomainError(
            _("%(charger)s is offline: the session can only be ended at the charger (or by unplugging) "
              "until it is back online.") % {"charger": charge_point.display_name},
            code="charger_offline", status=409,
        )
    operation = operation_request(charge_point=charge_point, action=STOP_ACTION,
                                  payload={"transactionId": session.pk}, acting_user=user)
    SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.REMOTE_STOP_REQUESTED,
                                at=operation.created_at, detail=user.get_full_name()[:300])
    return operation


# --- Live state (SES-3) --------------------------------------------------------------------


@dataclass(frozen=True)
class StopRequest:
    """The latest stop asked for a session and what the page says about it."""

    operation_id: int
    status: str
    pending: bool  # sent and not refused: the page shows "stopping"
    message: str
    requested_at: datetime


@dataclass(frozen=True)
class LiveState:
    """A session as its live page shows it now: the running values, the cost so far (or the
    final one), the charger's state, the stop asked for, the log."""

    session: ChargingSession
    state: str  # charging, preparing, suspended_ev, suspended_evse, faulted, stopping, completed
    state_label: str
    connector_status: str
    online: bool
    energy_wh: int
    power_w: float | None
    max_power_w: float | None
    soc_percent: float | None
    elapsed: timedelta
    cost: SessionCost | None
    stop: StopRequest | None
    can_stop: bool
    log: list[LogEntry]
    sampled_at: datetime | None  # the latest meter sample

    @property
    def id(self) -> int:
        return self.session.pk

    @property
    def active(self) -> bool:
        return self.session.status == ChargingSession.Status.ACTIVE

    @property
    def energy_kwh(self) -> float:
        return self.energy_wh / 1000

    @property
    def power_kw(self) -> float | None:
        return None if self.power_w is None else self.power_w / 1000

    @property
    def max_power_kw(self) -> float | None:
        return None if self.max_power_w is None else self.max_power_w / 1000

    @property
    def elapsed_seconds(self) -> int:
        return int(self.elapsed.total_seconds())

    @property
    def elapsed_display(self) -> str:
        return duration_clock(self.elapsed)

    @property
    def charger(self) -> ChargePoint:
        return self.session.charge_point


def duration_clock(value: timedelta) -> str:
    """h:mm:ss, as the live page's clock shows it."""
    seconds = max(0, int(value.total_seconds()))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def duration_text(value: timedelta) -> str:
    """A duration for people: "2 h 05 min", "12 min", "< 1 min"."""
    minutes = max(0, int(value.total_seconds())) // 60
    if minutes < 1:
        return _("< 1 min")
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def _fresh_values(session: ChargingSession) -> datetime | None:
    """Overlay the latest meter samples on a running session (in memory): its register,
    power and state of charge. Returns the time of the latest sample."""
    latest = MeterValue.objects.filter(session_id=session.pk).order_by("-timestamp").values("timestamp")[:1]
    rows = list(MeterValue.objects.filter(session_id=session.pk, timestamp=Subquery(latest)))
    live = _live_values(rows)
    if rows and "last_meter_wh" not in live:
        # The newest sample carries no register (power only): the last one that did.
        register = (MeterValue.objects.filter(session_id=session.pk, measurand=ENERGY, phase="",
                                              location__in=("", "Outlet"), value__isnull=False)
                    .order_by("-timestamp").first())
        if register is not None:
            live["last_meter_wh"] = int(_in_wh(register))
    if live.get("last_meter_wh") is not None:
        session.last_meter_wh = max(session.last_meter_wh or session.meter_start, live["last_meter_wh"])
    if "current_power_w" in live:
        session.current_power_w = live["current_power_w"]
        session.max_power_w = max(session.max_power_w or 0, live["current_power_w"]) or None
    if "soc_percent" in live:
        session.soc_percent = live["soc_percent"]
    return live.get("at")


def _state(session: ChargingSession, connector_status: str, stop: StopRequest | None) -> tuple[str, str]:
    if session.status == ChargingSession.Status.COMPLETED:
        return "completed", _("Completed")
    if (stop is not None and stop.pending) or connector_status == Connector.Status.FINISHING:
        return "stopping", _("Stopping…")
    return {
        Connector.Status.PREPARING: ("preparing", _("Waiting for the vehicle")),
        Connector.Status.SUSPENDED_EV: ("suspended_ev", _("Paused by the vehicle")),
        Connector.Status.SUSPENDED_EVSE: ("suspended_evse", _("Paused by the charger")),
        Connector.Status.FAULTED: ("faulted", _("Charger fault")),
    }.get(connector_status, ("charging", _("Charging")))


def _stop_request(operation: ChargerOperation | None, now: datetime) -> StopRequest | None:
    if operation is None:
        return None
    Status = ChargerOperation.Status
    messages = {
        Status.PENDING: _("Stop sent: waiting for the charger's answer…"),
        Status.ACCEPTED: _("The charger is ending the session…"),
        Status.REJECTED: _("The charger refused to stop the session. Try again, or stop it at the charger."),
        Status.TIMED_OUT: _("The charger did not answer the stop request. Try again, or stop it at the charger."),
        Status.OFFLINE: _("The charger is offline: the stop could not be sent."),
    }
    message = messages.get(operation.status) or _("The stop request failed: %(error)s") % {
        "error": operation.error or operation.status}
    pending = _stop_pending(operation, now)
    if operation.status == Status.ACCEPTED and not pending:
        message = _("The charger accepted the stop but the session is still running. Try again, or stop it "
                    "at the charger.")
    return StopRequest(operation_id=operation.pk, status=operation.status, pending=pending, message=message,
                       requested_at=operation.created_at)


def live_state(session: ChargingSession, *, user) -> LiveState:
    """The session now, for ``user`` (who has already been allowed to see it)."""
    now = timezone.now()
    sampled_at = None
    active = session.status == ChargingSession.Status.ACTIVE
    if active:
        sampled_at = _fresh_values(session)
    connector_status = (
        Connector.objects.filter(charge_point_id=session.charge_point_id, connector_id=session.connector_id)
        .values_list("status", flat=True).first() or Connector.Status.UNKNOWN
    )
    stop = _stop_request(stop_operation_for(session), now) if active else None
    state, label = _state(session, connector_status, stop)
    end = session.stopped_at or now
    return LiveState(
        session=session, state=state, state_label=label, connector_status=connector_status,
        online=session.charge_point.is_online, energy_wh=session.energy_wh,
        power_w=session.current_power_w if active else None, max_power_w=session.max_power_w,
        soc_percent=session.soc_percent, elapsed=max(end - session.started_at, timedelta(0)),
        cost=session_cost(session, at=now), stop=stop, can_stop=active and session_can_stop(user, session),
        log=session_log(session), sampled_at=sampled_at,
    )


# --- Scope of the dashboard and the active sessions (DASH-1) -------------------------------


def _scope_q(user, scope: str) -> Q:
    """mine: the sessions I charged; all: also those on chargers I own or whose group I own."""
    mine = Q(user=user)
    if scope == "mine":
        return mine
    owned = ChargePoint.objects.filter(owned_q(user)).values("pk")
    return mine | Q(charge_point__in=owned) | Q(charge_point__group_link__group__owner=user)


def sessions_in_scope(user, scope: str = "all") -> QuerySet[ChargingSession]:
    """The dashboard's sessions: the selector's (what the user may see), narrowed to the
    scope, so staff see their own dashboard, not the platform's."""
    return session_list_for_user(user).filter(_scope_q(user, scope if scope in SCOPES else "all"))


def has_chargers(user) -> bool:
    """Whether the scope "all" can differ from "mine": the user owns chargers or groups."""
    if not user.is_authenticated:
        return False
    return ChargePoint.objects.filter(owned_q(user) | Q(group_link__group__owner=user)).exists()


def active_sessions(user, scope: str = "all") -> list[LiveState]:
    """The running sessions of the dashboard's bar (mine first, newest first)."""
    sessions = list(
        sessions_in_scope(user, scope).filter(status=ChargingSession.Status.ACTIVE)
        .order_by("-started_at", "-pk")[:ACTIVE_LIMIT]
    )
    sessions.sort(key=lambda s: s.user_id != user.pk)
    return [live_state(session, user=user) for session in sessions]


# --- Dashboard (DASH-1) --------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyTotal:
    currency: str
    amount: Decimal
    display: str


@dataclass(frozen=True)
class DayEnergy:
    day: date
    kwh: float


@dataclass(frozen=True)
class LastSession:
    session: ChargingSession
    cost_display: str
    duration: timedelta
    duration_display: str


@dataclass(frozen=True)
class Dashboard:
    days: int
    scope: str
    start: date
    end: date
    per_day: list[DayEnergy]
    total_wh: int
    costs: list[MoneyTotal]
    sessions: int
    last: LastSession | None
    active: list[LiveState]
    has_chargers: bool

    @property
    def total_kwh(self) -> float:
        return self.total_wh / 1000


def dashboard_for(user, *, days: int = 30, scope: str = "all") -> Dashboard:
    """Energy per day over the last ``days`` (by the local day a session started), the
    period's total energy and cost per currency (running sessions with their energy and
    cost so far), the last finished session and the running ones."""
    days = days if days in DASHBOARD_DAYS else 30
    scope = scope if scope in SCOPES else "all"
    qs = sessions_in_scope(user, scope)
    active = active_sessions(user, scope)
    running = {state.id: state for state in active}
    end = timezone.localdate()
    start = end - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(start, time.min))
    per_day = {start + timedelta(days=i): 0 for i in range(days)}
    costs: dict[str, Decimal] = {}
    count = 0
    rows = qs.filter(started_at__gte=since).values_list(
        "pk", "started_at", "meter_start", "meter_stop", "last_meter_wh", "total_cost", "currency")
    for pk, started_at, meter_start, meter_stop, last_wh, total, currency in rows.iterator():
        count += 1
        if pk in running:
            state = running[pk]
            energy = state.energy_wh
            total, currency = (state.cost.total, state.cost.currency) if state.cost else (None, currency)
        else:
            stop = meter_stop if meter_stop is not None else last_wh
            energy = max(0, (stop or meter_start) - meter_start)
        day = timezone.localtime(started_at).date()
        if day in per_day:
            per_day[day] += energy
        if total is not None and currency:
            costs[currency] = costs.get(currency, Decimal(0)) + Decimal(total)
    last = qs.filter(status=ChargingSession.Status.COMPLETED).order_by("-started_at", "-pk").first()
    return Dashboard(
        days=days, scope=scope, start=start, end=end,
        per_day=[DayEnergy(day, round(wh / 1000, 3)) for day, wh in per_day.items()],
        total_wh=sum(per_day.values()),
        costs=[MoneyTotal(cur, amount, format_money(amount, cur)) for cur, amount in sorted(costs.items())],
        sessions=count, last=_last_session(last) if last else None, active=active,
        has_chargers=has_chargers(user),
    )


def _last_session(session: ChargingSession) -> LastSession:
    if session.total_cost is not None and session.currency:
        cost = format_money(session.total_cost, session.currency)
    else:
        cost = _("Free")
    duration = (session.stopped_at or session.started_at) - session.started_at
    return LastSession(session=session, cost_display=cost, duration=duration, duration_display=duration_text(duration))
