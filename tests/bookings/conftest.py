"""Bookings fixtures (RES-1 … RES-3): the owner's group "Residence" (group_charger) with
bookings on, two chargers and a premium member, and times on a fixed grid."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from groups.models import GroupCharger, Membership
from tests.factories.accounts import UserFactory
from tests.factories.chargers import ChargePointFactory


@pytest.fixture
def group(group_charger):
    group = group_charger.group_link.group
    group.bookings_enabled = True
    group.save()
    return group


@pytest.fixture
def premium_member(member):
    member.plan = User.Plan.PREMIUM
    member.save()
    return member


@pytest.fixture
def second_charger(group, owner):
    cp = ChargePointFactory(charge_point_id="CP-GROUP2", name="Residence 2", owner=owner)
    GroupCharger.objects.create(group=group, charge_point=cp)
    return cp


@pytest.fixture
def other_member(group):
    """A second premium member of the group."""
    user = UserFactory(email="neighbour@example.com", first_name="Nora", plan=User.Plan.PREMIUM)
    Membership.objects.create(group=group, user=user)
    return user


@pytest.fixture
def tomorrow():
    """Tomorrow 10:00 local time, a clean slot start."""
    local = timezone.localtime() + timedelta(days=1)
    return local.replace(hour=10, minute=0, second=0, microsecond=0)
