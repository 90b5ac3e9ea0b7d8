"""Hand-written SQL of the session services' hottest statements (see wccportal.lib.sql).

Each function has an ORM twin in tests/gateway/test_hotpath.py proving they agree.
"""

from __future__ import annotations

import json
import weakref
from datetime import datetime
from typing import NamedTuple

from django.db import transaction

from chargers.models import ChargePoint, Connector
from groups.models import Group, GroupCharger
from wccportal.lib import sql

from . import authorization
from .models import ChargingSession, MeterValue, SessionEvent, StartRequest

SESSIONS = ChargingSession._meta.db_table
CHARGERS = ChargePoint._meta.db_table


def open_or_same_sessions(cp_pk: int, connector_id: int, id_tag: str, started_at: datetime, meter_start: int):
    """Sessions open on the connector, or with this start's fingerprint, locked:
    rows of (pk, status, authorization_status, is_the_same_start)."""
    started = sql.dt_param(started_at)
    rows = sql.fetchall(
        f"SELECT id, status, authorization_status, "  # noqa: S608 - table names from the models
        f"CASE WHEN id_tag = %s AND started_at = %s AND meter_start = %s THEN 1 ELSE 0 END "
        f"FROM {SESSIONS} WHERE charge_point_id = %s AND connector_id = %s "
        f"AND (status = %s OR (id_tag = %s AND started_at = %s AND meter_start = %s)){sql.for_update()}",
        [id_tag, started, meter_start, cp_pk, connector_id, ChargingSession.Status.ACTIVE, id_tag, started,
         meter_start],
    )
    return [(pk, status, auth, bool(same)) for pk, status, auth, same in rows]


_FACTS = (
    f"SELECT cp.owner_id, cp.organisation_id, cp.free_charging, g.tariff_id{{connector}} FROM {CHARGERS} cp "  # noqa: S608
    f"LEFT JOIN {GroupCharger._meta.db_table} gc ON gc.charge_point_id = cp.id "
    f"LEFT JOIN {Group._meta.db_table} g ON g.id = gc.group_id{{join}} WHERE cp.id = %s"
)


def charger_facts(cp_pk: int) -> tuple[authorization.ChargerFacts, int | None]:
    """What authorization needs of a charger, and the tariff of its group."""
    row = sql.fetchone(_FACTS.format(connector="", join=""), [cp_pk])
    if row is None:
        raise ChargePoint.DoesNotExist(cp_pk)
    owner_id, organisation_id, free_charging, tariff_id = row
    return authorization.ChargerFacts(cp_pk, owner_id, organisation_id, bool(free_charging)), tariff_id


def start_facts(cp_pk: int, connector_id: int):
    """charger_facts and, in the same query, the connector's status and since when (or None
    when the connector is unknown): everything a StartTransaction reads of its charger."""
    row = sql.fetchone(
        _FACTS.format(connector=", c.status, c.status_timestamp, c.id",
                      join=f" LEFT JOIN {Connector._meta.db_table} c ON c.charge_point_id = cp.id "
                           "AND c.connector_id = %s"),
        [connector_id, cp_pk],
    )
    if row is None:
        raise ChargePoint.DoesNotExist(cp_pk)
    owner_id, organisation_id, free_charging, tariff_id, status, since, connector_pk = row
    facts = authorization.ChargerFacts(cp_pk, owner_id, organisation_id, bool(free_charging))
    return facts, tariff_id, (None if connector_pk is None else (status, sql.dt_value(since)))


def open_session_for_events(cp_pk: int, connector_id: int, charging_started: str):
    """The connector's open session for its event log: (pk, user_id, started_at, whether
    charging has started in it), or None."""
    row = sql.fetchone(
        f"SELECT s.id, s.user_id, s.started_at, EXISTS (SELECT 1 FROM {SessionEvent._meta.db_table} e "  # noqa: S608
        f"WHERE e.session_id = s.id AND e.kind = %s) FROM {SESSIONS} s "
        f"WHERE s.charge_point_id = %s AND s.connector_id = %s AND s.status = %s ORDER BY s.id LIMIT 1",
        [charging_started, cp_pk, connector_id, ChargingSession.Status.ACTIVE],
    )
    if row is None:
        return None
    return row[0], row[1], sql.dt_value(row[2]), bool(row[3])


def start_request_for(cp_pk: int, connector_id: int, id_tag: str, since: datetime):
    """The app's or portal's unanswered start request for this connector and tag since ``since``."""
    found = sql.select(
        StartRequest, ["source", "vehicle_mileage_km", "vehicle_id"],
        "charge_point_id = %s AND connector_id = %s AND UPPER(id_tag) = UPPER(%s) AND session_id IS NULL "
        "AND created_at >= %s ORDER BY created_at DESC LIMIT 1",
        [cp_pk, connector_id, id_tag, sql.dt_param(since)],
    )
    return found[0] if found else None


def set_plugged_out(cp_pk: int, connector_id: int, at: datetime):
    """Plug-out time of the connector's latest session, if it is finished and has none.
    Returns (pk, tariff snapshot) of the session it was set on, or None."""
    statement = (
        f"UPDATE {SESSIONS} SET plugged_out_at = %s WHERE id = ("  # noqa: S608
        f"SELECT id FROM {SESSIONS} WHERE charge_point_id = %s AND connector_id = %s "
        f"ORDER BY started_at DESC LIMIT 1) AND status = %s AND plugged_out_at IS NULL"
    )
    params = [sql.dt_param(at), cp_pk, connector_id, ChargingSession.Status.COMPLETED]
    if not sql.connection.features.can_return_columns_from_insert:  # no UPDATE … RETURNING either
        if not sql.execute(statement, params):
            return None
        latest = ChargingSession.objects.filter(charge_point_id=cp_pk, connector_id=connector_id)
        return latest.order_by("-started_at").values_list("pk", "tariff_snapshot").first()
    row = sql.fetchone(statement + " RETURNING id, tariff_snapshot", params)
    if row is None:
        return None
    snapshot = row[1]
    return row[0], json.loads(snapshot) if isinstance(snapshot, str | bytes) else snapshot


def live_sessions(pks) -> list[tuple]:
    """Rows of the sessions' live fields, in the order of services.LiveSession: pk,
    charge_point_id, user_id, status, meter_start, meter_stop, last_meter_wh, current_power_w,
    max_power_w, soc_percent, updated_at."""
    pks = list(pks)
    if sql.connection.vendor == "postgresql":
        # One array parameter: the same statement text for every batch size, so it is prepared.
        where, params = "id = ANY(%s::bigint[])", [pks]
    else:
        where, params = f"id IN ({', '.join(['%s'] * len(pks))})", pks
    rows = sql.fetchall(
        f"SELECT id, charge_point_id, user_id, status, meter_start, meter_stop, last_meter_wh, "  # noqa: S608
        f"current_power_w, max_power_w, soc_percent, updated_at FROM {SESSIONS} WHERE {where}",
        params,
    )
    return [(*row[:10], sql.dt_value(row[10])) for row in rows]


def max_power_by_unit(session_pk: int, measurand: str) -> list[tuple[str, float | None]]:
    return sql.fetchall(
        f"SELECT unit, MAX(value) FROM {MeterValue._meta.db_table} "  # noqa: S608
        "WHERE session_id = %s AND measurand = %s AND phase = '' GROUP BY unit",
        [session_pk, measurand],
    )


_LIVE = ("last_meter_wh", "current_power_w", "max_power_w", "soc_percent", "updated_at")


def store_live_values(sessions: list) -> None:
    """Write the live values of many sessions in one statement (the ORM's bulk_update builds
    a CASE per row and field, which costs more than everything else of a MeterValues).
    ``sessions`` have the attributes pk and those of _LIVE."""
    if sql.connection.vendor != "postgresql":
        ChargingSession.objects.bulk_update(
            [ChargingSession(pk=s.pk, **{f: getattr(s, f) for f in _LIVE}) for s in sessions], list(_LIVE)
        )
        return
    # One array per column: the same statement text for every batch size, so it is prepared.
    columns = [[getattr(s, f) for s in sessions] for f in ("pk", *_LIVE)]
    sql.execute(
        f"UPDATE {SESSIONS} AS s SET last_meter_wh = v.wh, current_power_w = v.w, max_power_w = v.mx, "  # noqa: S608
        f"soc_percent = v.soc, updated_at = v.at FROM unnest(%s::bigint[], %s::bigint[], %s::float8[], "
        f"%s::float8[], %s::float8[], %s::timestamptz[]) AS v(id, wh, w, mx, soc, at) WHERE s.id = v.id",
        columns,
    )


_SAMPLE_COLUMNS = ("charge_point_id", "connector_id", "session_id", "timestamp", "measurand", "phase", "unit",
                   "context", "location", "value", "raw_value", "received_at")
_STAGE = "wcc_metervalue_stage"
# Database connections (not ids: a new connection may reuse an old one's id) that have
# their temporary staging table.
_staged_connections: weakref.WeakSet = weakref.WeakSet()


class Sample(NamedTuple):
    """A meter sample to store: MeterValue's columns without a model instance (building one
    costs more than storing it)."""

    charge_point_id: int
    connector_id: int
    session_id: int | None
    timestamp: datetime
    measurand: str
    phase: str
    unit: str
    context: str
    location: str
    value: float | None
    raw_value: str
    received_at: datetime


def insert_samples(rows: list[Sample]) -> None:
    """Insert meter samples, skipping ones already stored (retried MeterValues).

    On PostgreSQL: COPY into a temporary staging table, then one INSERT … ON CONFLICT DO
    NOTHING; binding thousands of parameters costs far more in Python.
    """
    if not rows:
        return
    if sql.connection.vendor != "postgresql":
        MeterValue.objects.bulk_create([MeterValue(**r._asdict()) for r in rows], ignore_conflicts=True,
                                       batch_size=2000)
        return
    columns = ", ".join(_SAMPLE_COLUMNS)
    # COPY and INSERT in one transaction: the staging table empties at every commit, so in
    # autocommit the COPY's rows would be gone before the INSERT (no savepoint when one runs).
    # sql.cursor() binds on the server, so the INSERT … SELECT and the DELETE get prepared.
    with transaction.atomic(savepoint=False), sql.cursor() as cursor:
        if cursor.connection not in _staged_connections:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (charge_point_id bigint, connector_id integer, "
                "session_id bigint, timestamp timestamptz, measurand varchar(48), phase varchar(8), "
                "unit varchar(16), context varchar(24), location varchar(8), value double precision, "
                "raw_value text, received_at timestamptz) ON COMMIT DELETE ROWS"
            )
            # Remembered only once created for good: a rolled-back transaction takes the table with it.
            conn = cursor.connection
            transaction.on_commit(lambda: _staged_connections.add(conn))
        with cursor.copy(f"COPY {_STAGE} ({columns}) FROM STDIN") as copy:
            copy.write(sql.copy_text(
                (r.charge_point_id, r.connector_id, r.session_id, r.timestamp, r.measurand, r.phase, r.unit,
                 r.context, r.location, r.value, r.raw_value, r.received_at) for r in rows))
        cursor.execute(
            f"INSERT INTO {MeterValue._meta.db_table} ({columns}) SELECT {columns} FROM {_STAGE} "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute(f"DELETE FROM {_STAGE}")  # noqa: S608 - the next batch of this transaction starts empty
