"""Who a charger is held for right now (RES-3, RES-4): the holder of a running booking, or
the driver a freed charger is being kept for from the waitlist. While a charger is held only
its holder may start there; ``sessions_app.authorization`` asks this for every Authorize and
StartTransaction, so it is one indexed statement."""

from __future__ import annotations

from datetime import datetime

from wccportal.lib import sql

from .models import Booking, WaitlistEntry


def holder_for(cp_pk: int, at: datetime) -> int | None:
    """The user the charger is held for at ``at``, or None when it is free for anyone with a right."""
    when = sql.dt_param(at)
    row = sql.fetchone(
        f"SELECT user_id FROM {Booking._meta.db_table} WHERE charge_point_id = %s "  # noqa: S608
        f"AND status = %s AND starts_at <= %s AND ends_at > %s "
        f"UNION ALL SELECT user_id FROM {WaitlistEntry._meta.db_table} WHERE offered_charge_point_id = %s "
        f"AND status = %s AND hold_until > %s LIMIT 1",
        [cp_pk, Booking.Status.BOOKED, when, when, cp_pk, WaitlistEntry.Status.OFFERED, when],
    )
    return row[0] if row else None
