"""ACC-10 group context on the portal's authorization tags (TAG-4): with a group chosen, only
the tags that matter at its chargers are listed (restricted to one of them, or unrestricted
and held by the group's owner or a member); leaving the group lists them all again. It only
narrows: nobody sees a tag they could not see without it."""

import pytest
from django.urls import reverse

from chargers.portal_tags import portal_tag_list_for_user, tags_in_group
from tests.factories.chargers import ChargePointFactory, IdTagFactory

pytestmark = pytest.mark.django_db

LIST = reverse("portal:tags")


def listed(client) -> list[str]:
    return sorted(tag.id_tag for tag in client.get(LIST, {"per_page": 50}).context["table"].data)


@pytest.fixture
def owner_tags(owner, charger, group_charger, tags):
    IdTagFactory(id_tag="HOME-ONLY", user=owner).valid_charge_points.set([charger])
    IdTagFactory(id_tag="GROUP-ONLY", user=owner).valid_charge_points.set([group_charger])
    IdTagFactory(id_tag="BOTH", user=owner).valid_charge_points.set([charger, group_charger])
    return tags


def choose(client, group):
    client.post(reverse("portal:group_context"), {"group": group.pk if group else ""})


def test_group_context_lists_only_tags_valid_at_the_groups_chargers(client, world, owner, group_charger,
                                                                      owner_tags):
    client.force_login(owner)
    assert listed(client) == ["BOTH", "GROUP-ONLY", "HOME-ONLY", "OWNER1"]
    choose(client, group_charger.group_link.group)
    assert listed(client) == ["BOTH", "GROUP-ONLY", "OWNER1"]  # OWNER1: unrestricted, the owner's
    choose(client, None)
    assert listed(client) == ["BOTH", "GROUP-ONLY", "HOME-ONLY", "OWNER1"]


def test_a_members_unrestricted_tag_counts_a_tag_restricted_elsewhere_does_not(client, world, member, owner,
                                                                                group_charger, tags):
    elsewhere = ChargePointFactory(charge_point_id="CP-WORK", owner=member)
    IdTagFactory(id_tag="WORK-ONLY", user=member).valid_charge_points.set([elsewhere])
    client.force_login(member)
    assert listed(client) == ["MEMBER1", "WORK-ONLY"]
    choose(client, group_charger.group_link.group)
    assert listed(client) == ["MEMBER1"]


def test_it_only_narrows_what_one_may_manage(owner, member, outsider, group_charger, owner_tags):
    group = group_charger.group_link.group
    # The member's tag matters at the group's chargers, but the owner does not manage it.
    narrowed = tags_in_group(portal_tag_list_for_user(owner), group)
    assert sorted(narrowed.values_list("id_tag", flat=True)) == ["BOTH", "GROUP-ONLY", "OWNER1"]
    # The outsider's own tag is unrestricted but they are not in the group.
    assert list(tags_in_group(portal_tag_list_for_user(outsider), group)) == []


def test_a_group_one_is_not_in_does_not_narrow_or_widen(client, world, outsider, group_charger, owner_tags):
    client.force_login(outsider)
    choose(client, group_charger.group_link.group)
    assert listed(client) == ["OUTSIDER1"]
