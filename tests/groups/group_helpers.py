"""Helpers shared by the group tests (GRP-1 … GRP-6)."""

import re

from django.core import mail

from groups.models import GroupCharger, Membership
from tests.factories.chargers import ChargePointFactory
from tests.factories.groups import GroupFactory

LINK = re.compile(r"https?://\S+/invitations/([A-Za-z0-9_-]+)/")


def token_from_mail(message=None) -> str:
    """The token of the Accept link in an invitation e-mail (text body)."""
    message = message or mail.outbox[-1]
    return LINK.search(message.body).group(1)


def group_with(owner, *, members=(), chargers=(), **fields):
    group = GroupFactory(owner=owner, address=fields.pop("address", "Main street 1"),
                         zip_code=fields.pop("zip_code", "80331"), **fields)
    for user in members:
        Membership.objects.create(group=group, user=user)
    for cp in chargers:
        GroupCharger.objects.create(group=group, charge_point=cp)
    return group


def own_charger(user, cp_id, **kwargs):
    return ChargePointFactory(charge_point_id=cp_id, name=kwargs.pop("name", cp_id.title()), owner=user, **kwargs)
