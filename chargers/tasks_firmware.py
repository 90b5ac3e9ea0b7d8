"""Firmware jobs (CP-5): entry points that load by id and call a service."""

from . import firmware


def notify_release(release_id: int) -> int:
    """After staff published a release: notify the owners of older chargers."""
    return firmware.firmware_notify_release(release_id=release_id)
