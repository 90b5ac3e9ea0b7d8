"""A session's timed log derived from the charger's messages (SES-9 session events).

The log of a session (``selectors.session_log``) merges what its row says (authorized and
started, stopped, plugged out) with ``SessionEvent`` rows derived from the connector's
StatusNotifications (``services.session_status_event``) and from people (a remote stop):

=====================  ========================================================================
vehicle connected      the connector went Preparing before the transaction started: that time,
                       read here when the session opens (the connector row still holds it)
charging started       the connector first reports Charging once the transaction is open (or
                       already did when it opens)
suspended / resumed    SuspendedEV / SuspendedEVSE, then Charging again
error                  Faulted, or an error code next to another status
stopped                StopTransaction (the session row)
vehicle disconnected   Available after the session ended (the row's plug-out time)
=====================  ========================================================================

``session_started_events`` runs inside session_start's transaction (on the gateway's path):
the connector's status comes with the charger's facts; one insert when there is something
to log.
"""

from __future__ import annotations

from chargers.models import Connector
from wccportal.lib import sql

from .models import ChargingSession, SessionEvent

# Connector statuses that mean energy may flow (the transaction runs).
CHARGING_STATES = ("Charging", "SuspendedEV", "SuspendedEVSE")


def session_started_events(session: ChargingSession, connector: tuple | None) -> None:
    """Events known when a session opens: the vehicle connected before the start (the
    connector is Preparing since then), or charging reported before the StartTransaction.
    ``connector`` is the connector's (status, status timestamp), None when it is unknown."""
    if connector is None:
        return
    status, since = connector
    Kind = SessionEvent.Kind
    events = []
    if status == Connector.Status.PREPARING and since is not None:
        events.append(SessionEvent(session=session, kind=Kind.VEHICLE_CONNECTED, at=min(since, session.started_at)))
    elif status == Connector.Status.CHARGING:
        # Some chargers report Charging before the StartTransaction: charging began with it.
        events.append(SessionEvent(session=session, kind=Kind.CHARGING_STARTED, at=session.started_at))
    elif status in (Connector.Status.SUSPENDED_EV, Connector.Status.SUSPENDED_EVSE):
        kind = Kind.SUSPENDED_EV if status == Connector.Status.SUSPENDED_EV else Kind.SUSPENDED_EVSE
        events.append(SessionEvent(session=session, kind=kind, at=session.started_at))
    sql.insert_many(events)
