"""Hand-written SQL for the gateway's hottest statements.

The ORM costs 400–550 µs of CPU per statement on these machines (200 µs to compile it);
the same statement through a cursor costs about 60 µs. The few statements that run for
every status report and transaction are therefore written here by hand, portable between
PostgreSQL and SQLite, each checked against its ORM equivalent in the tests. Business rules
stay in the services; only data access lives here.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import cache

from django.db import (
    DEFAULT_DB_ALIAS,
    connection,  # noqa: F401 - re-exported for the hot-path modules
    connections,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def dt_param(value: datetime | None):
    """A datetime as the backend stores it (SQLite keeps naive UTC text)."""
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def dt_value(value) -> datetime | None:
    """A datetime read back through a raw cursor (SQLite hands back text)."""
    if value is None or isinstance(value, datetime):
        if value is not None and timezone.is_naive(value):
            return timezone.make_aware(value, UTC)
        return value
    parsed = parse_datetime(value)
    return timezone.make_aware(parsed, UTC) if timezone.is_naive(parsed) else parsed


def for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def cursor():
    """A cursor for hand-written SQL in the current transaction, as a context manager.

    On PostgreSQL it binds parameters on the server: Django's cursors quote every parameter
    into the SQL text in Python (client-side binding, for poolers that cannot hold prepared
    statements), which cost the gateway a tenth of its database threads' time; psycopg's
    server-side binding adapts them in C. Errors still become Django's (IntegrityError …),
    and the connection and its transaction are Django's own. A statement that has run a few
    times on a connection is prepared there (settings: DATABASE_PREPARE_THRESHOLD), so
    statements should keep one text whatever their data (arrays rather than lists of
    placeholders). One psycopg cursor is kept per connection and reused (making and closing
    one per statement, through a generator context manager, cost as much again as a round
    trip to the database): read a statement's rows before the next statement runs."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return db.cursor()
    return _ServerBound(db)


class _ServerBound:
    __slots__ = ("db",)

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        db = self.db
        db.ensure_connection()  # also refuses to run in an event loop, as Django's cursors do
        if db.needs_rollback:
            db.validate_no_broken_transaction()
        raw = getattr(db, "_wcc_cursor", None)
        if raw is None or raw.connection is not db.connection or raw.closed:
            import psycopg

            raw = db._wcc_cursor = psycopg.Cursor(db.connection)
        db.wrap_database_errors.__enter__()
        return _LoggedCursor(raw, db) if db.queries_logged else raw

    def __exit__(self, exc_type, exc_value, traceback):
        # Django's error translation (psycopg's errors become django.db's).
        return self.db.wrap_database_errors.__exit__(exc_type, exc_value, traceback)


class _LoggedCursor:
    """Records statements in connection.queries like Django's debug cursor (DEBUG, and the
    tests' query counts)."""

    def __init__(self, raw, db):
        self._raw = raw
        self._db = db

    def __getattr__(self, name):
        return getattr(self._raw, name)

    def execute(self, sql, params=None):
        start = time.monotonic()
        try:
            return self._raw.execute(sql, params)
        finally:
            self._db.queries_log.append({"sql": f"{sql} -- {params!r}",
                                           "time": f"{time.monotonic() - start:.3f}"})


def fetchone(sql: str, params: list):
    with cursor() as c:
        c.execute(sql, params)
        return c.fetchone()


def fetchall(sql: str, params: list):
    with cursor() as c:
        c.execute(sql, params)
        return c.fetchall()


def execute(sql: str, params: list) -> int:
    with cursor() as c:
        c.execute(sql, params)
        return c.rowcount


# -- model rows without the ORM's query compiler --------------------------------------------------
# The statements below are built once per model and field list from the model's metadata, and
# values go through the fields' own conversions (get_db_prep_save, from_db_value), so they stay
# right when a model changes. They skip what the gateway does not use: signals, model
# validation and multi-table inheritance.


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _insert_statement(model, returning: bool) -> tuple[str, tuple]:
    fields = tuple(f for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created))
    columns = ", ".join(_quote(f.column) for f in fields)
    sql = f"INSERT INTO {_quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    if returning:
        sql += f" RETURNING {_quote(model._meta.pk.column)}"
    return sql, fields


def insert(obj) -> None:
    """INSERT one model instance (defaults, auto_now and JSON as the ORM would); sets its pk."""
    returning = connection.features.can_return_columns_from_insert
    statement, fields = _insert_statement(type(obj), returning)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with cursor() as c:
        c.execute(statement, params)
        obj.pk = c.fetchone()[0] if returning else c.lastrowid
    obj._state.adding = False
    obj._state.db = connection.alias


def insert_many(objs: list) -> None:
    """INSERT several instances of one model in one statement (their pks are not read back)."""
    if not objs:
        return
    statement, fields = _insert_statement(type(objs[0]), False)
    head, _, row = statement.partition(" VALUES ")
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    execute(f"{head} VALUES {', '.join([row] * len(objs))}", params)


@cache
def _update_statement(model, names: tuple[str, ...]) -> tuple[str, tuple]:
    fields = tuple(model._meta.get_field(name) for name in names)
    sets = ", ".join(f"{_quote(f.column)} = %s" for f in fields)
    table, pk = _quote(model._meta.db_table), _quote(model._meta.pk.column)
    return f"UPDATE {table} SET {sets} WHERE {pk} = %s", fields  # noqa: S608 - names from the model


def update(obj, names: list[str] | tuple[str, ...]) -> int:
    """UPDATE the named fields of a saved instance (auto_now fields among them are refreshed)."""
    statement, fields = _update_statement(type(obj), tuple(names))
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    params.append(obj.pk)
    return execute(statement, params)


@cache
def _select_statement(model, names: tuple[str, ...], where: str, lock: bool) -> tuple[str, tuple, tuple, tuple]:
    wanted = {model._meta.get_field(name) for name in names} | {model._meta.pk}
    fields = tuple(f for f in model._meta.concrete_fields if f in wanted)  # from_db wants the model's order
    columns = ", ".join(_quote(f.column) for f in fields)
    statement = f"SELECT {columns} FROM {_quote(model._meta.db_table)} WHERE {where}"  # noqa: S608 - the caller's SQL
    if lock:
        statement += for_update()
    cols = tuple(f.get_col(model._meta.db_table) for f in fields)
    converters = tuple(
        tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection)) for col in cols
    )
    return statement, tuple(f.attname for f in fields), cols, converters


def select(model, names: list[str] | tuple[str, ...], where: str, params: list, *, lock: bool = False) -> list:
    """Instances of ``model`` with only the named fields (and the pk) loaded, the others
    deferred, as the ORM's ``.only()`` gives them; ``where`` is SQL over the table's columns."""
    statement, attnames, cols, converters = _select_statement(model, tuple(names), where, lock)
    out = []
    for row in fetchall(statement, params):
        values = list(row)
        for i, field_converters in enumerate(converters):
            for converter in field_converters:
                values[i] = converter(values[i], cols[i], connection)
        out.append(model.from_db(connection.alias, attnames, values))
    return out


# -- COPY ---------------------------------------------------------------------------------------

def _copy_field(value) -> str:
    if isinstance(value, str):
        # Four C-speed scans: a charger's JSON almost never holds one of these characters
        # (str.translate with a table was a tenth of the database threads' time).
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # int, float (nan and inf included), Decimal


def copy_text(rows) -> str:
    """Rows in the text format of PostgreSQL's COPY, as one string: psycopg's write_row
    adapts every value through its Python dumpers, several times slower for the gateway's
    frame log and meter samples (str, int, float, bool, aware datetime, None)."""
    return "".join(["\t".join([_copy_field(v) for v in row]) + "\n" for row in rows])
