"""Charging-session use cases: start, meter values, stop, events and pricing (SES, TAR-3).

Called by the OCPP gateway's transaction handlers. Retried StartTransaction /
StopTransaction / MeterValues are recognised by their content and answered alike, never
stored twice (DESIGN.md §5).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from billing.pricing import TariffSnapshot
from chargers.models import ChargePoint
from chargers.services import parse_timestamp
from groups import waitlist
from wccportal.lib import sql
from wccportal.lib.realtime import live_update_on_commit

from . import authorization, hotpath
from .events import session_started_events
from .models import ChargingSession, MeterValue, SessionEvent, UnmatchedStop
from .start_requests import start_request_for

log = logging.getLogger(__name__)

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
SOC = "SoC"


def tariff_snapshot_for(charge_point: ChargePoint) -> TariffSnapshot | None:
    """The tariff in force at a charger now: its group's (TAR-3)."""
    tariff_id = ChargePoint.objects.filter(pk=charge_point.pk).values_list(
        "group_link__group__tariff_id", flat=True).first()
    return tariff_snapshot_for_id(tariff_id, charge_point_pk=charge_point.pk)


def tariff_snapshot_for_id(tariff_id: int | None, *, charge_point_pk: int | None = None) -> TariffSnapshot | None:
    """A tariff as copied onto a session at its start (TAR-1, TAR-3): its prices, its time-of-use
    periods and the charger's time zone (the site's, for the periods). One query (the zone and
    whether there are periods come with the tariff); a second one only when it has periods."""
    from groups.models import Tariff, TariffPeriod

    if not tariff_id:
        return None
    site_zone = ChargePoint.objects.filter(pk=charge_point_pk).values("time_zone")[:1]
    tariff = (
        Tariff.objects.filter(pk=tariff_id)
        .annotate(site_time_zone=Subquery(site_zone),
                  has_periods=Exists(TariffPeriod.objects.filter(tariff_id=OuterRef("pk"))))
        .first()
    )
    if tariff is None:
        return None
    periods = list(tariff.periods.all()) if tariff.has_periods else []
    return TariffSnapshot.from_tariff(tariff, periods=periods, time_zone=tariff.site_time_zone or settings.TIME_ZONE)


def session_start(*, charge_point_pk: int, payload: dict, source: str | None = None) -> dict:
    """Handle StartTransaction; returns the StartTransaction.conf payload.

    A retried start (same connector, tag, start time and meter start) is answered with the
    transaction it created. A transaction still open on the connector lost its stop: it is
    closed at the new start. Both are found by one query.
    """
    started_at = parse_timestamp(payload["timestamp"]) or timezone.now()
    connector_id, id_tag, meter_start = payload["connectorId"], payload["idTag"], payload["meterStart"]
    with transaction.atomic(savepoint=False):
        # No savepoint of its own: the same start racing in from another worker makes the
        # unique fingerprint fail; the gateway then replays this job and finds it here.
        rows = hotpath.open_or_same_sessions(charge_point_pk, connector_id, id_tag, started_at, meter_start)
        for pk, _status, auth_status, same in rows:
            if same:
                return {"transactionId": pk, "idTagInfo": {"status": auth_status}}
        if rows:
            for stale in ChargingSession.objects.filter(pk__in=[row[0] for row in rows]):
                _close_superseded(stale, started_at)
        facts, tariff_id, connector_state = hotpath.start_facts(charge_point_pk, connector_id)
        decision = authorization.authorize(charge_point=facts, id_tag=id_tag, at=started_at)
        tariff = tariff_snapshot_for_id(tariff_id, charge_point_pk=charge_point_pk)
        request = start_request_for(charge_point_pk, connector_id, id_tag)
        if request is not None:
            source = request.source
        elif source is None:
            source = ChargingSession.Source.FREE if decision.reason == "free_charging" else ChargingSession.Source.RFID
        session = ChargingSession(
            charge_point_id=charge_point_pk, connector_id=connector_id, id_tag=id_tag, started_at=started_at,
            meter_start=meter_start, tag_id=decision.tag_id, user_id=decision.user_id, source=source,
            authorization_status=decision.status, reservation_id=payload.get("reservationId"),
            last_meter_wh=meter_start, received_start_at=timezone.now(),
            tariff_snapshot=tariff.to_dict() if tariff else None, currency=tariff.currency if tariff else "",
            vehicle_mileage_km=request.vehicle_mileage_km if request else None,
            vehicle_id=request.vehicle_id if request else "",
        )
        sql.insert(session)  # the ORM's create compiles the INSERT every time (wccportal.lib.sql)
        if request is not None:
            request.session_id = session.pk
            sql.update(request, ["session"])
        session_started_events(session, connector_state)
    _push_session(session)
    return {"transactionId": session.pk, "idTagInfo": decision.id_tag_info()}


def _close_superseded(stale: ChargingSession, at: datetime) -> None:
    stale.status = ChargingSession.Status.COMPLETED
    stale.stopped_at = max(at, stale.started_at)
    stale.meter_stop = stale.last_meter_wh if stale.last_meter_wh is not None else stale.meter_start
    stale.stop_reason = "Superseded"
    _price(stale, save=False)
    stale.save(update_fields=["status", "stopped_at", "meter_stop", "stop_reason", "currency", "cost_energy",
                              "cost_time", "cost_connection", "cost_parking", "total_cost", "priced_at",
                              "updated_at"])


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def meter_rows(
    *, charge_point_pk: int, connector_id: int, session_id: int | None, meter_value: Iterable[dict],
    received_at: datetime, default_context: str = "",
) -> list[hotpath.Sample]:
    """Rows to store for every sampled value (every measurand, phase, unit and context)."""
    rows = []
    for sample in meter_value:
        at = parse_timestamp(sample.get("timestamp")) or received_at
        for sv in sample.get("sampledValue", []):
            number = _number(sv.get("value"))
            rows.append(hotpath.Sample(
                charge_point_pk, connector_id, session_id, at, sv.get("measurand") or ENERGY, sv.get("phase", ""),
                sv.get("unit", ""), sv.get("context", default_context), sv.get("location", ""), number,
                "" if number is not None else str(sv.get("value", ""))[:2000], received_at,
            ))
    return rows


def _in_wh(row: hotpath.Sample) -> float | None:
    if row.value is None:
        return None
    return row.value * 1000 if row.unit == "kWh" else row.value


def _in_w(row: hotpath.Sample) -> float | None:
    if row.value is None:
        return None
    return row.value * 1000 if row.unit == "kW" else row.value


def _live_values(rows: list[hotpath.Sample]) -> dict:
    """The latest register, power (phases summed when only phases are given) and SoC."""
    latest: dict = {}
    if not rows:
        return latest
    last_at = max(r.timestamp for r in rows)
    current = [r for r in rows if r.timestamp == last_at and r.location in ("", "Outlet")]
    energy = [r for r in current if r.measurand == ENERGY and not r.phase]
    if energy and _in_wh(energy[0]) is not None:
        latest["last_meter_wh"] = int(_in_wh(energy[0]))
    power = [r for r in current if r.measurand == POWER]
    total = [r for r in power if not r.phase]
    if total:
        latest["current_power_w"] = _in_w(total[0])
    elif power:
        values = [_in_w(r) for r in power if r.phase in ("L1", "L2", "L3") and _in_w(r) is not None]
        if values:
            latest["current_power_w"] = sum(values)
    soc = [r for r in current if r.measurand == SOC and r.value is not None]
    if soc:
        latest["soc_percent"] = soc[0].value
    latest["at"] = last_at
    return latest


# What meter_values_store reads and _push_session sends: loaded at once, never deferred.
_LIVE_FIELDS = ("pk", "charge_point_id", "user_id", "status", "meter_start", "meter_stop", "last_meter_wh",
                "current_power_w", "max_power_w", "soc_percent", "updated_at")


@dataclass
class LiveSession:
    """The live values of a running session, as meter_values_store reads and writes them."""

    pk: int
    charge_point_id: int
    user_id: int | None
    status: str
    meter_start: int
    meter_stop: int | None
    last_meter_wh: int | None
    current_power_w: float | None
    max_power_w: float | None
    soc_percent: float | None
    updated_at: datetime
    first_sample: bool = False

    @property
    def energy_wh(self) -> int:
        end = self.meter_stop if self.meter_stop is not None else self.last_meter_wh
        return 0 if end is None else max(0, end - self.meter_start)
# A session's live values are pushed to its pages with every MeterValues but written to its
# row at most this often (the samples themselves are all stored; the stop fixes the totals).
LIVE_PERSIST_SECONDS = 300


def meter_values_store(*, items: list[tuple[int, dict]]) -> int:
    """Store MeterValues of many chargers in one bulk insert (one transaction by the caller).

    ``items`` are (charge point pk, MeterValues payload). Returns the rows offered.
    """
    received_at = timezone.now()
    tx_ids = {p["transactionId"] for _pk, p in items if p.get("transactionId") is not None}
    # Narrow rows, not model instances: this runs for every batch of meter values.
    sessions = {row[0]: LiveSession(*row) for row in hotpath.live_sessions(tx_ids)} if tx_ids else {}
    all_rows: list[MeterValue] = []
    touched: dict[int, ChargingSession] = {}
    for pk, payload in items:
        session = sessions.get(payload.get("transactionId"))
        if session is not None and session.charge_point_id != pk:
            session = None  # another charger's transaction id: keep the data, unlinked
        rows = meter_rows(
            charge_point_pk=pk, connector_id=payload["connectorId"],
            session_id=session.pk if session else None, meter_value=payload["meterValue"],
            received_at=received_at,
        )
        all_rows.extend(rows)
        if session is not None and session.status == ChargingSession.Status.ACTIVE:
            live = _live_values(rows)
            if "last_meter_wh" in live and live["last_meter_wh"] >= (session.last_meter_wh or 0):
                session.last_meter_wh = live["last_meter_wh"]
            if "current_power_w" in live:
                session.first_sample = session.current_power_w is None
                session.current_power_w = live["current_power_w"]
                session.max_power_w = max(session.max_power_w or 0, live["current_power_w"])
            if "soc_percent" in live:
                session.soc_percent = live["soc_percent"]
            touched[session.pk] = session
    hotpath.insert_samples(all_rows)
    stale = received_at - timedelta(seconds=LIVE_PERSIST_SECONDS)
    persist = [s for s in touched.values() if s.updated_at <= stale or getattr(s, "first_sample", False)]
    if persist:
        for session in persist:
            session.updated_at = received_at
        hotpath.store_live_values(persist)
    for session in touched.values():
        _push_session(session)
    return len(all_rows)


_STOP_FIELDS = ["status", "meter_stop", "last_meter_wh", "stopped_at", "received_stop_at", "stop_reason",
                "stop_id_tag", "current_power_w", "max_power_w", "currency", "cost_energy", "cost_time",
                "cost_connection", "cost_parking", "total_cost", "priced_at", "updated_at"]
_STOP_READ = ["charge_point_id", "connector_id", "user_id", "id_tag", "authorization_status", "started_at",
              "meter_start", "tariff_snapshot", "plugged_out_at", "soc_percent", *_STOP_FIELDS]


def session_stop(*, charge_point_pk: int, payload: dict) -> dict:
    """Handle StopTransaction: always answered; unknown transactions kept for reconciliation."""
    stopped_at = parse_timestamp(payload["timestamp"]) or timezone.now()
    tx_id = payload["transactionId"]
    id_tag = payload.get("idTag", "")
    with transaction.atomic(savepoint=False):
        found = sql.select(ChargingSession, _STOP_READ, "id = %s AND charge_point_id = %s", [tx_id, charge_point_pk],
                           lock=True)
        session = found[0] if found else None
        if session is None:
            UnmatchedStop.objects.get_or_create(
                charge_point_id=charge_point_pk, transaction_id=tx_id, meter_stop=payload["meterStop"],
                timestamp=stopped_at,
                defaults={"id_tag": id_tag, "reason": payload.get("reason", ""),
                          "transaction_data": payload.get("transactionData")},
            )
            return _stop_answer(charge_point_pk, id_tag)
        if session.status == ChargingSession.Status.COMPLETED and session.stop_reason != "Superseded":
            return _stop_answer(charge_point_pk, id_tag, session)  # a retried stop: same answer
        rows = meter_rows(
            charge_point_pk=charge_point_pk, connector_id=session.connector_id, session_id=session.pk,
            meter_value=payload.get("transactionData") or [], received_at=timezone.now(),
        )
        hotpath.insert_samples(rows)
        session.status = ChargingSession.Status.COMPLETED
        session.meter_stop = payload["meterStop"]
        session.last_meter_wh = payload["meterStop"]
        session.stopped_at = max(stopped_at, session.started_at)
        session.received_stop_at = timezone.now()
        session.stop_reason = payload.get("reason", "Local")
        session.stop_id_tag = id_tag
        session.current_power_w = 0
        session.max_power_w = _max_power_w(session)
        _price(session, save=False)
        sql.update(session, _STOP_FIELDS)
    _push_session(session)
    return _stop_answer(charge_point_pk, id_tag, session)


def _max_power_w(session: ChargingSession) -> float | None:
    """The highest power sampled during the session (whole-charger values, W or kW)."""
    values = [top * (1000 if unit == "kW" else 1) for unit, top in hotpath.max_power_by_unit(session.pk, POWER)
              if top is not None]
    return max([*values, session.max_power_w or 0]) or None


def _stop_answer(charge_point_pk: int, id_tag: str, session: ChargingSession | None = None) -> dict:
    if not id_tag:
        return {}
    if session is not None and id_tag.lower() == session.id_tag.lower():
        # The tag that started the session was decided then; the answer is informative.
        return {"idTagInfo": {"status": session.authorization_status}}
    return tag_authorize(charge_point_pk=charge_point_pk, id_tag=id_tag)


def _energy_samples(session: ChargingSession, end: datetime) -> list[tuple[datetime, Decimal]]:
    """The session's energy register in Wh and time order: the meter start at the start, the
    Energy.Active.Import.Register samples (whole charger, outlet) between, the meter stop at the
    end. Readings are held between the start and stop readings, so the priced energy is the
    session's energy."""
    low = Decimal(session.meter_start)
    high = max(low, Decimal(session.meter_stop if session.meter_stop is not None else session.last_meter_wh or 0))
    points = [(session.started_at, low)]
    rows = (MeterValue.objects.filter(session_id=session.pk, measurand=ENERGY, phase="", location__in=("", "Outlet"),
                                      value__isnull=False, timestamp__gt=session.started_at, timestamp__lt=end)
            .order_by("timestamp").values_list("timestamp", "value", "unit"))
    for at, value, unit in rows:
        wh = Decimal(str(value)) * (1000 if unit == "kWh" else 1)
        points.append((at, min(max(wh, low), high)))
    points.append((end, high))
    return points


def _price(session: ChargingSession, *, save: bool = True) -> None:
    """Price a finished session with the tariff copied at its start and its meter samples (TAR-3)."""
    from .costs import breakdown_for

    breakdown = breakdown_for(session)
    if breakdown is None:
        return
    session.currency = breakdown.currency
    session.cost_energy = breakdown.amount("energy")
    session.cost_time = breakdown.amount("time")
    session.cost_connection = breakdown.amount("connection")
    session.cost_parking = breakdown.amount("parking")
    session.total_cost = breakdown.total  # incl. the minimum / maximum per session
    session.priced_at = timezone.now()
    if save:
        session.save(update_fields=["currency", "cost_energy", "cost_time", "cost_connection",
                                "cost_parking", "total_cost", "priced_at", "updated_at"])


def _reprice_parking(session_pk: int, tariff_snapshot: dict | None) -> None:
    """A vehicle left plugged in after its session stopped pays parking until it is unplugged
    (TAR-1): the session is priced again, with its own snapshot, once the plug-out is known."""
    if tariff_snapshot and Decimal(str(tariff_snapshot.get("parking_fee_per_hour") or 0)) > 0:
        _price(ChargingSession.objects.get(pk=session_pk))


def session_status_event(*, charge_point_pk: int, connector_id: int, status: str, previous: str | None,
                         at: datetime, error_code: str = "NoError") -> None:
    """Derive the session log from connector status changes (SES-9, see sessions_app.events).

    Charging (first time in the session: charging started; after a suspension: resumed),
    SuspendedEV / SuspendedEVSE, Faulted or an error code: an event of the open session, at
    the charger's time (not before the start). Available after the session: its plug-out
    time. One query (the open session) for the statuses that log something, none otherwise.
    """
    if connector_id == 0 or status == previous:
        return
    if status == "Available" and previous in ("Finishing", "Charging", "SuspendedEV", "SuspendedEVSE"):
        # Unplugged: the plug-out time of the connector's last session (some chargers skip
        # Finishing when the cable is pulled).
        unplugged = hotpath.set_plugged_out(charge_point_pk, connector_id, at)
        if unplugged is not None:
            _reprice_parking(*unplugged)
        return
    error = error_code if error_code and error_code != "NoError" else ""
    if not (error or status in ("Charging", "SuspendedEV", "SuspendedEVSE", "Faulted")):
        return  # nothing for the session log: spare the query
    Kind = SessionEvent.Kind
    session = hotpath.open_session_for_events(charge_point_pk, connector_id, Kind.CHARGING_STARTED)
    if session is None:
        return
    session_pk, user_id, started_at, charging_seen = session
    at = max(at, started_at)
    kinds = []
    if status == "Charging":
        if not charging_seen:
            kinds.append(Kind.CHARGING_STARTED)
        elif previous in ("SuspendedEV", "SuspendedEVSE"):
            kinds.append(Kind.RESUMED)
    elif status == "SuspendedEV":
        kinds.append(Kind.SUSPENDED_EV)
    elif status == "SuspendedEVSE":
        kinds.append(Kind.SUSPENDED_EVSE)
    if status == "Faulted" or error:
        kinds.append(Kind.ERROR)
    sql.insert_many([
        SessionEvent(session_id=session_pk, kind=kind, at=at, detail=error if kind == Kind.ERROR else "")
        for kind in kinds
    ])
    # The session's pages show what the charger is doing (paused, charging again, fault).
    message = {"type": "live.event", "event": "session", "id": session_pk, "connector_status": status}
    live_update_on_commit(f"live.charger.{charge_point_pk}", message)
    if user_id:
        live_update_on_commit(f"live.user.{user_id}", message)


def _push_session(session: ChargingSession) -> None:
    """The live values of a session for its pages (SES-3): energy, power, state of charge.
    Called for every MeterValues: it reads nothing from the database."""
    message = {
        "type": "live.event", "event": "session", "id": session.pk, "status": session.status,
        "energy_wh": session.energy_wh, "power_w": session.current_power_w, "soc": session.soc_percent,
    }
    live_update_on_commit(f"live.charger.{session.charge_point_id}", message)
    if session.user_id:
        live_update_on_commit(f"live.user.{session.user_id}", message)


def tag_authorize(*, charge_point_pk: int, id_tag: str) -> dict:
    """Handle Authorize (TAG-5); returns the Authorize.conf payload."""
    facts, _tariff_id = hotpath.charger_facts(charge_point_pk)
    return {"idTagInfo": authorization.authorize(charge_point=facts, id_tag=id_tag).id_tag_info()}


def status_notification(*, charge_point_pk: int, payload: dict, previous: str | None = None) -> bool:
    """Handle StatusNotification: the connector's state, then the session log it implies.

    Returns whether the report was applied (a late one is stored nowhere but the frame log).
    """
    from chargers.services import connector_status_update

    applied, previous = connector_status_update(pk=charge_point_pk, payload=payload, previous=previous)
    if applied:
        session_status_event(
            charge_point_pk=charge_point_pk, connector_id=payload["connectorId"], status=payload["status"],
            previous=previous, at=parse_timestamp(payload.get("timestamp")) or timezone.now(),
            error_code=payload["errorCode"],
        )
        if payload["status"] == "Available" and previous != "Available":
            waitlist.charger_available(charge_point_pk=charge_point_pk)  # RES-4
    return applied
