"""A group with one charger (CP-GROUP, owner's) and three drivers who may use it (RES-4)."""

import pytest

from chargers.models import ChargePoint, Connector
from groups.models import Membership
from tests.factories.accounts import UserFactory
from tests.factories.chargers import IdTagFactory


@pytest.fixture
def group(group_charger):
    return group_charger.group_link.group


@pytest.fixture
def drivers(group, member):
    """member (MEMBER1) and two more members, in the order they will queue."""
    anna = UserFactory(email="anna@example.com", first_name="Anna")
    ben = UserFactory(email="ben@example.com", first_name="Ben")
    for user in (anna, ben):
        Membership.objects.create(group=group, user=user)
    IdTagFactory(id_tag="MEMBER1", user=member, is_favourite=True)
    IdTagFactory(id_tag="ANNA1", user=anna, is_favourite=True)
    IdTagFactory(id_tag="BEN1", user=ben, is_favourite=True)
    return [member, anna, ben]


def set_connector(cp, status, connector_id=1):
    Connector.objects.filter(charge_point=cp, connector_id=connector_id).update(status=status)


def make_free(cp):
    ChargePoint.objects.filter(pk=cp.pk).update(is_online=True)
    set_connector(cp, Connector.Status.AVAILABLE, 1)


def make_busy(cp):
    """Online, every connector in use."""
    ChargePoint.objects.filter(pk=cp.pk).update(is_online=True)
    for connector_id in (1, 2):
        set_connector(cp, Connector.Status.CHARGING, connector_id)
