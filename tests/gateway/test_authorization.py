"""TAG-5 at service level: who may charge where, and what the charger is told."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.models import Membership
from sessions_app.authorization import authorize

pytestmark = pytest.mark.django_db


def status(cp, tag):
    return authorize(charge_point=cp, id_tag=tag).status


def test_owner_member_guest_and_outsider(world, charger, group_charger, tags):
    assert status(charger, "OWNER1") == "Accepted"
    assert status(charger, "owner1") == "Accepted"  # tag ids ignore case
    assert status(group_charger, "MEMBER1") == "Accepted"
    assert status(charger, "MEMBER1") == "Invalid"  # not in the group of this charger
    assert status(charger, "GUEST1") == "Accepted"  # shared with the guest's tag
    assert status(group_charger, "GUEST1") == "Invalid"
    assert status(charger, "OUTSIDER1") == "Invalid"
    assert status(charger, "NOSUCHTAG") == "Invalid"


def test_share_expiry_and_revocation_end_access_at_once(world, charger, share):
    decision = authorize(charge_point=charger, id_tag="GUEST1")
    assert decision.accepted and decision.expiry == share.expires_at
    share.expires_at = timezone.now() - timedelta(seconds=1)
    share.save()
    assert status(charger, "GUEST1") == "Expired"
    share.expires_at = timezone.now() + timedelta(days=1)
    share.revoked_at = timezone.now()
    share.save()
    assert status(charger, "GUEST1") == "Invalid"


def test_removed_member_is_refused(world, group_charger, member):
    Membership.objects.filter(user=member).delete()
    assert status(group_charger, "MEMBER1") == "Invalid"


def test_blocked_expired_and_restricted_tags(world, charger, group_charger, tags, owner):
    tag = tags["owner"]
    tag.is_active = False
    tag.save()
    assert status(charger, "OWNER1") == "Blocked"
    tag.is_active = True
    tag.expires_at = timezone.now() - timedelta(minutes=1)
    tag.save()
    assert status(charger, "OWNER1") == "Expired"
    tag.expires_at = None
    tag.save()
    tag.valid_charge_points.add(group_charger)  # TAG-4: valid only there
    assert status(charger, "OWNER1") == "Invalid"
    assert status(group_charger, "OWNER1") == "Accepted"
    owner.is_active = False
    owner.save()
    assert status(group_charger, "OWNER1") == "Blocked"


def test_free_charging_accepts_any_tag(world, charger):
    charger.free_charging = True
    charger.save()
    assert status(charger, "ANYTHING") == "Accepted"


def test_organisation_users_charge_on_organisation_chargers(world, org_charger, operator):
    from tests.factories.chargers import IdTagFactory

    IdTagFactory(id_tag="FLEET1", user=operator)
    assert status(org_charger, "FLEET1") == "Accepted"
    assert status(org_charger, "OWNER1") == "Invalid"
