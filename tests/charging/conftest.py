"""Starting a charge (SES-1, SES-2, SES-6): the world's chargers online with free connectors."""

import pytest

from chargers.models import ChargePoint, Connector


def set_connector(cp, status, connector_id=1):
    Connector.objects.filter(charge_point=cp, connector_id=connector_id).update(status=status)


def online(*chargers, status=Connector.Status.AVAILABLE):
    """Chargers connected, every connector (and the charger as a whole) in ``status``."""
    for cp in chargers:
        ChargePoint.objects.filter(pk=cp.pk).update(is_online=True)
        Connector.objects.filter(charge_point=cp).update(status=status)
        cp.is_online = True


@pytest.fixture
def ready(world, charger, group_charger, org_charger):
    """Every persona with their tags; the three chargers online and free."""
    online(charger, group_charger, org_charger)
    return world
