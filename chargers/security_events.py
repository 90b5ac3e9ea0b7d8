"""Security events of chargers (OCPP 1.6 security extension, CP-10 charger logs).

A charger reports them with SecurityEventNotification (firmware updated, settings reset,
failed logins, tamper detection, …); they are kept as sent and listed for those who manage
the charger, newest first, paged by id without counting (the table only grows).
"""

from __future__ import annotations

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
