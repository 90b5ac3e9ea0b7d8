"""ACC-10 group context: choosing a group narrows the portal's charge points, connectors,
sessions and dashboard to its chargers until "leave group"; it never widens what one sees."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from sessions_app.models import ChargingSession
from tests.factories.groups import GroupFactory

pytestmark = pytest.mark.django_db


def _session(cp, user, tag, minutes_ago):
    start = timezone.now() - timedelta(minutes=minutes_ago)
    return ChargingSession.objects.create(
        charge_point=cp, connector_id=1, id_tag=tag.id_tag, tag=tag, user=user, status="completed",
        started_at=start, stopped_at=start + timedelta(minutes=30), meter_start=0, meter_stop=5000)


@pytest.fixture
def both(world, charger, group_charger, tags):
    home = _session(charger, world["owner"], tags["owner"], 90)
    grouped = _session(group_charger, world["member"], tags["member"], 60)
    return home, grouped


def _choose(client, group, next_url="/portal/"):
    return client.post(reverse("portal:group_context"), {"group": group.pk, "next": next_url})


def test_choosing_a_group_narrows_every_view_until_leaving(client, world, charger, group_charger, both):
    owner = world["owner"]
    group = group_charger.group_link.group
    client.force_login(owner)
    assert "CP-HOME" in client.get(reverse("portal:chargers")).content.decode()

    response = _choose(client, group, reverse("portal:chargers"))
    assert response["Location"] == reverse("portal:chargers")
    page = client.get(reverse("portal:chargers")).content.decode()
    assert "CP-GROUP" in page and "CP-HOME" not in page
    assert 'data-testid="group-context-name">Residence<' in page

    connectors = client.get(reverse("portal:connectors")).content.decode()
    assert "CP-GROUP" in connectors and "CP-HOME" not in connectors
    sessions = client.get(reverse("portal:sessions")).content.decode()
    home, grouped = both
    assert f">{grouped.pk}<" in sessions and f">{home.pk}<" not in sessions
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "CP-GROUP" in dashboard and "CP-HOME" not in dashboard

    client.post(reverse("portal:group_context"), {"group": "", "next": reverse("portal:chargers")})
    page = client.get(reverse("portal:chargers")).content.decode()
    assert "CP-GROUP" in page and "CP-HOME" in page and "All groups" in page


def test_a_group_one_is_not_in_is_refused_and_never_widens(client, world, group_charger, outsider):
    group = group_charger.group_link.group
    client.force_login(outsider)
    _choose(client, group)
    assert "portal_group_id" not in client.session
    assert "CP-GROUP" not in client.get(reverse("portal:chargers")).content.decode()


def test_a_member_narrows_to_their_group_and_loses_it_when_removed(client, world, group_charger, member, owner):
    other = GroupFactory(owner=owner, name="Other")
    Membership.objects.create(group=other, user=member)
    client.force_login(member)
    _choose(client, other)
    page = client.get(reverse("portal:chargers")).content.decode()
    assert "CP-GROUP" not in page  # the other group has no chargers
    Membership.objects.filter(group=other, user=member).delete()
    page = client.get(reverse("portal:chargers")).content.decode()
    assert "CP-GROUP" in page and "All groups" in page  # dropped: back to everything one may see
    assert "portal_group_id" not in client.session


def test_the_switch_goes_back_only_to_this_site(client, world, group_charger, owner):
    client.force_login(owner)
    response = _choose(client, group_charger.group_link.group, "https://evil.example/")
    assert response["Location"] == reverse("portal:dashboard")
    assert client.get(reverse("portal:group_context")).status_code == 405


def test_operations_history_and_frame_log_follow_the_group(client, world, charger, group_charger):
    from chargers.models import ChargerOperation
    from tests.portal_chargers.test_logs import frame

    for cp in (charger, group_charger):
        ChargerOperation.objects.create(charge_point=cp, action="GetConfiguration", payload={},
                                        requested_by=world["owner"])
        frame(cp.charge_point_id)
    client.force_login(world["owner"])
    _choose(client, group_charger.group_link.group)
    operations = client.get(reverse("portal:operations")).content.decode()
    assert "CP-GROUP" in operations.split("<table", 1)[-1] and "CP-HOME" not in operations.split("<table", 1)[-1]
    logs = client.get(reverse("portal:logs")).content.decode()
    table = logs.split("<table", 1)[-1]
    assert "CP-GROUP" in table and "CP-HOME" not in table
