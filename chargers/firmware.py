"""Firmware releases and over-the-air updates (CP-5)."""

import re
from collections.abc import Iterable

from django.db.models import Q

from .models import ChargePoint, FirmwareRelease


def version_key(version: str) -> tuple:
    """Order versions the way people read them: 1.10.0 after 1.9.2, 2.0 after 2.0-rc1."""
    parts = re.findall(r"\d+|[A-Za-z]+", version or "")
    key = []
    for part in parts:
        key.append((1, int(part), "") if part.isdigit() else (0, 0, part.lower()))
    # A release without a suffix sorts after its pre-releases (2.0 > 2.0-rc1).
    return tuple(key) + ((2, 0, ""),) if parts and parts[-1].isdigit() else tuple(key)


def firmware_updates_for(charge_points: Iterable[ChargePoint]) -> dict[int, FirmwareRelease]:
    """The newest published release above each charger's firmware, by charger pk."""
    charge_points = [cp for cp in charge_points if cp.model]
    if not charge_points:
        return {}
    models = {cp.model for cp in charge_points}
    releases = list(
        FirmwareRelease.objects.filter(is_active=True, model__in=models)
        .filter(Q(vendor="") | Q(vendor__in={cp.vendor for cp in charge_points}))
    )
    updates = {}
    for cp in charge_points:
        current = version_key(cp.firmware_version)
        candidates = [
            r for r in releases
            if r.model == cp.model and r.vendor in ("", cp.vendor) and version_key(r.version) > current
        ]
        if candidates:
            updates[cp.pk] = max(candidates, key=lambda r: version_key(r.version))
    return updates
