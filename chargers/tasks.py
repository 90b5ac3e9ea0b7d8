"""Job entry points (django-q2): call a service, nothing else."""

from . import services


def sweep_offline_chargers():
    return services.chargers_sweep_offline()


def sweep_operation_timeouts():
    return services.operations_sweep_timeouts()
