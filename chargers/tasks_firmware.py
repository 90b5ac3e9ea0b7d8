"""Firmware jobs (CP-5): entry points that load by id and call a service."""

from . import firmware


def notify_release(release_id: int) -> int:
    """After staff published a release: notify the owners of older chargers."""
    return firmware.firmware_notify_release(release_id=release_id)


def charger_booted(charge_point_pk: int) -> int:
    """After a BootNotification: push the running version, notify if an update exists."""
    return firmware.firmware_charger_booted(pk=charge_point_pk)
