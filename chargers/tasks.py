"""Job entry points (django-q2): call a service, nothing else."""

import logging

from . import diagnostics, firmware, local_list, services

log = logging.getLogger(__name__)


def sweep_offline_chargers():
    return services.chargers_sweep_offline()


def sweep_operation_timeouts():
    return services.operations_sweep_timeouts()


def expire_diagnostics_links():
    return diagnostics.diagnostics_expire()


def charger_booted(charge_point_pk: int) -> None:
    """After an accepted BootNotification: bring the local list in step (TAG-5), then look
    for a newer firmware release (CP-5). One failing does not stop the other."""
    local_list.sync_local_lists([charge_point_pk])
    try:
        firmware.firmware_charger_booted(pk=charge_point_pk)
    except Exception:
        log.exception("firmware check after the boot of charger %s failed", charge_point_pk)
