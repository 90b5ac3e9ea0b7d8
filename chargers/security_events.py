"""Security events of chargers (OCPP 1.6 security extension, CP-10 charger logs).

A charger reports them with SecurityEventNotification (firmware updated, settings reset,
failed logins, tamper detection, …); they are kept as sent and listed for those who manage
the charger, newest first, paged by id without counting (the table only grows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import ChargePoint, SecurityEvent
from .selectors import charger_list_for_user
from .services import parse_timestamp

# The types OCPP 1.6's security whitepaper lists (Appendix 1); chargers may send others.
KNOWN_TYPES = (
    "FirmwareUpdated", "FailedToAuthenticateAtCentralSystem", "CentralSystemFailedToAuthenticate",
    "SettingSystemTime", "StartupOfTheDevice", "ResetOrReboot", "SecurityLogWasCleared",
    "ReconfigurationOfSecurityParameters", "MemoryExhaustion", "InvalidMessages", "AttemptedReplayAttacks",
    "TamperDetectionActivated", "InvalidFirmwareSignature", "InvalidFirmwareSigningCertificate",
    "InvalidCentralSystemCertificate", "InvalidChargePointCertificate", "InvalidTLSVersion",
    "InvalidTLSCipherSuite",
)


def security_event_record(*, pk: int, payload: dict) -> SecurityEvent:
    """Store a SecurityEventNotification of charger ``pk`` (payload already schema-checked)."""
    return SecurityEvent.objects.create(
        charge_point_id=pk,
        type=str(payload.get("type", ""))[:50],
        tech_info=str(payload.get("techInfo") or "")[:255],
        timestamp=parse_timestamp(payload.get("timestamp")),
        received_at=timezone.now(),
    )


def security_event_list_for_user(user) -> QuerySet[SecurityEvent]:
    """Events of the chargers the user manages (staff: all)."""
    if not user.is_authenticated:
        return SecurityEvent.objects.none()
    if user.is_staff:
        return SecurityEvent.objects.select_related("charge_point")
    return SecurityEvent.objects.filter(
        charge_point__in=charger_list_for_user(user, write=True)
    ).select_related("charge_point")


# --- Paging by id, newest first, without COUNT -------------------------------------------------
# The same scheme as the frame log (ocpp_gateway.portal_logs), which this app may not import.


@dataclass
class KeysetPage:
    rows: list
    older: int | None  # pass as ?before= for the next (older) page
    newer: int | None  # pass as ?after= for the previous (newer) page
    is_first: bool


def _cursor(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def keyset_page(qs, *, before=None, after=None, per_page: int = 20) -> KeysetPage:
    before, after = _cursor(before), _cursor(after)
    if after is not None:
        rows = list(qs.filter(id__gt=after).order_by("id")[: per_page + 1])
        more_newer = len(rows) > per_page
        rows = list(reversed(rows[:per_page]))
        if not rows:
            return keyset_page(qs, per_page=per_page)
        older = rows[-1].pk if qs.filter(id__lt=rows[-1].pk).exists() else None
        return KeysetPage(rows, older, rows[0].pk if more_newer else None, not more_newer)
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs.order_by("-id")[: per_page + 1])
    more_older = len(rows) > per_page
    rows = rows[:per_page]
    newer = rows[0].pk if before is not None and rows else None
    return KeysetPage(rows, rows[-1].pk if more_older and rows else None, newer, before is None)


# --- Demo data --------------------------------------------------------------------------------


def demo_security_events(*, charge_point: ChargePoint) -> list[SecurityEvent]:
    """A few plausible events of a charger over the last days, for the demo."""
    if SecurityEvent.objects.filter(charge_point=charge_point).exists():
        return []
    now = timezone.now()
    events = [
        (now - timedelta(days=9, hours=3), "StartupOfTheDevice", "Power on, firmware 1.0.0"),
        (now - timedelta(days=6, hours=1), "SettingSystemTime", "NTP sync, offset 1.8 s"),
        (now - timedelta(days=4, hours=5), "FailedToAuthenticateAtCentralSystem", "HTTP 401 at handshake"),
        (now - timedelta(days=4, hours=5) + timedelta(minutes=2), "ResetOrReboot",
         "Soft reset requested by the central system"),
        (now - timedelta(days=2, hours=8), "TamperDetectionActivated", "Housing opened (service)"),
        (now - timedelta(hours=7), "StartupOfTheDevice", "Power on after outage"),
    ]
    return SecurityEvent.objects.bulk_create([
        SecurityEvent(charge_point=charge_point, type=kind, tech_info=info, timestamp=at, received_at=at)
        for at, kind, info in events
    ])
