"""Who may do what on Group Management and Reservation settings: the owner manages, a member
reads, staff may act on any group (the selectors' rule); everyone else gets a 404, and a
forged POST changes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Booking, Group, GroupCharger, Invitation, Membership

pytestmark = pytest.mark.django_db

PERSONAS = ("owner", "member", "guest", "outsider", "operator", "staff")
# What each persona gets on the owner's group page.
DETAIL = {"owner": 200, "member": 200, "guest": 404, "outsider": 404, "operator": 404, "staff": 200}
# Who may change the owner's group.
MANAGES = {"owner", "staff"}


def url(name, *args):
    return reverse(f"portal:{name}", args=args)


@pytest.fixture
def group(group_charger):
    return group_charger.group_link.group


@pytest.fixture
def invitation(group, owner):
    return Invitation.objects.create(group=group, email="friend@example.com", invited_by=owner,
                                     token_hash="x" * 64, expires_at=timezone.now() + timedelta(days=7))


@pytest.fixture
def booking(group, group_charger, member):
    start = timezone.now() + timedelta(hours=2)
    return Booking.objects.create(group=group, charge_point=group_charger, user=member, starts_at=start,
                                  ends_at=start + timedelta(hours=1))


def snapshot(group):
    group = Group.objects.filter(pk=group.pk).first()
    if group is None:
        return None
    return (
        group.name, group.tariff_id, group.bookings_enabled, group.booking_max_minutes,
        sorted(Membership.objects.filter(group=group).values_list("user_id", flat=True)),
        sorted(GroupCharger.objects.filter(group=group).values_list("charge_point_id", flat=True)),
        sorted(Invitation.objects.filter(group=group).values_list("email", "status")),
        sorted(Booking.objects.filter(group=group).values_list("pk", "status")),
    )


def forged_posts(group, member, charger, invitation, booking):
    return [
        (url("group_update", group.pk), {"name": "Hijacked", "city": "X", "zip_code": "1", "address": "Y"}),
        (url("group_invite", group.pk), {"email": "intruder@example.com"}),
        (url("group_invitation_revoke", group.pk, invitation.pk), {}),
        (url("group_member_remove", group.pk, member.pk), {}),
        (url("group_charger_toggle", group.pk, "CP-GROUP"), {"included": "0"}),
        (url("group_charger_toggle", group.pk, charger.charge_point_id), {"included": ["0", "1"]}),
        (url("reservation_rules", group.pk), {"enabled": "on", "max_minutes": 60, "horizon_days": 2,
                                              "no_show_minutes": 10}),
        (url("reservation_cancel", booking.pk), {}),
        (url("group_delete", group.pk), {}),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_group_page_and_lists_per_persona(client, world, group, persona):
    client.force_login(world[persona])
    response = client.get(url("group_detail", group.pk))
    assert response.status_code == DETAIL[persona]
    if response.status_code == 200:
        assert response.context["manage"] == (persona in MANAGES)
    for name in ("groups", "group_create", "reservations"):
        assert client.get(url(name)).status_code == 200
    listed = {g.pk for g in client.get(url("groups")).context["groups"]}
    # The list is one's own groups, staff included.
    assert listed == ({group.pk} if persona in ("owner", "member") else set())
    cards = {g.pk for g in client.get(url("reservations")).context["groups"]}
    assert cards == listed


@pytest.mark.parametrize("persona", ["member", "guest", "outsider", "operator"])
def test_forged_posts_on_the_owners_group_are_404_and_change_nothing(client, world, group, charger, invitation,
                                                                     booking, persona):
    before = snapshot(group)
    client.force_login(world[persona])
    for path, data in forged_posts(group, world["member"], charger, invitation, booking):
        assert client.post(path, data).status_code == 404, path
    assert snapshot(group) == before
    if persona != "member":
        assert client.post(url("group_leave", group.pk)).status_code == 404


def test_staff_may_manage_any_group_like_the_selectors_say(client, world, group):
    client.force_login(world["staff"])
    response = client.post(url("group_update", group.pk), {"name": "Renamed by support", "city": "Munich",
                                                           "zip_code": "80331", "address": "Main street 1"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Renamed by support"


def test_another_owners_group_is_404_for_the_owner(client, world, outsider):
    theirs = Group.objects.create(owner=outsider, name="Not yours", city="M", zip_code="1", address="A")
    client.force_login(world["owner"])
    assert client.get(url("group_detail", theirs.pk)).status_code == 404
    assert client.post(url("group_delete", theirs.pk)).status_code == 404
    assert client.post(url("reservation_rules", theirs.pk), {"max_minutes": 60, "horizon_days": 2,
                                                             "no_show_minutes": 10}).status_code == 404
    assert Group.objects.filter(pk=theirs.pk, name="Not yours").exists()


def test_unknown_ids_are_404(client, world, group):
    client.force_login(world["owner"])
    assert client.get(url("group_detail", 999999)).status_code == 404
    assert client.post(url("group_invitation_revoke", group.pk, 999999)).status_code == 404
    assert client.post(url("group_charger_toggle", group.pk, "NO-SUCH")).status_code == 404
    assert client.post(url("reservation_cancel", 999999)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, group):
    for path in (url("groups"), url("group_detail", group.pk), url("reservations"), url("settings")):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response.url
