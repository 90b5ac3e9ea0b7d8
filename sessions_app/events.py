"""A session's timed log derived from the charger's messages (SES-9 session events).

Owned by the live-session work: ``session_started_events`` runs inside session_start's
transaction (keep it to at most one or two cheap queries: it is on the gateway's path).
"""

from __future__ import annotations

from .models import ChargingSession


def session_started_events(session: ChargingSession) -> None:
    """Events known when a session opens (e.g. the vehicle connected before the start)."""
    return None
