"""Portal Group Management (GRP-1 … GRP-6): my groups as a table, creating one with the
service's refusals on the form, and a group's page: details and tariff, chargers in and out,
members, invitations, delete; a member's read-only view and leaving."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from chargers.selectors import charger_list_for_user
from groups.models import Group, GroupCharger, Invitation, Membership
from tests.factories.groups import TariffFactory
from tests.groups.group_helpers import own_charger, token_from_mail

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"portal:{name}", args=args)


def details(**overrides):
    data = {"name": "Residence Lindenhof", "city": "Munich", "zip_code": "80331", "address": "Lindenstrasse 4",
            "tariff": ""}
    data.update(overrides)
    return data


@pytest.fixture
def group(group_charger):
    return group_charger.group_link.group


# --- My groups ----------------------------------------------------------------------------------


def test_list_shows_owned_and_joined_groups_marked_with_counts_tariff_and_bookings(client, world, owner, member,
                                                                                     group, outsider):
    joined = Group.objects.create(owner=outsider, name="Outsider's garage", city="Bonn", zip_code="53111",
                                  address="Weg 1", bookings_enabled=True)
    Membership.objects.create(group=joined, user=owner)
    client.force_login(owner)
    response = client.get(url("groups"))
    assert response.status_code == 200 and response.context["nav"] == "groups"
    html = response.content.decode()
    rows = {g.name: g for g in response.context["groups"]}
    assert set(rows) == {"Residence", "Outsider's garage"}
    assert rows["Residence"].is_mine and not rows["Outsider's garage"].is_mine
    assert rows["Residence"].member_count == 1 and len(rows["Residence"].chargers) == 1
    row = html[html.index(f'data-group-pk="{group.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "Owner" in row and "Standard" in row and "0.30 EUR per kWh" in row and ">Off<" in row
    other = html[html.index(f'data-group-pk="{joined.pk}"'):]
    other = other[:other.index("</tr>")]
    assert "Member" in other and ">On<" in other and "Free" in other


def test_list_of_someone_in_no_group(client, outsider):
    client.force_login(outsider)
    response = client.get(url("groups"))
    html = response.content.decode()
    assert response.status_code == 200 and "You are in no group yet." in html
    assert 'data-testid="create-notice"' in html and "Add your charger first" in html


def test_list_points_to_my_pending_invitations(client, group, owner, outsider, django_capture_on_commit_callbacks):
    from groups import services

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(group=group, email=outsider.email, invited_by=owner)
    client.force_login(outsider)
    html = client.get(url("groups")).content.decode()
    assert 'data-testid="my-invitations"' in html and reverse("app:invitation_list") in html


# --- Create (GRP-1, GRP-2) ----------------------------------------------------------------------


def test_owner_of_a_charger_creates_a_group_with_a_tariff(client, member):
    own_charger(member, "CP-MAX")
    mine = TariffFactory(owner=member, name="Flat rate")
    TariffFactory(owner=User.objects.create(email="x@example.com"), name="Not mine")
    client.force_login(member)
    response = client.get(url("group_create"))
    assert response.status_code == 200 and list(response.context["form"].fields["tariff"].queryset) == [mine]
    assert 'data-testid="create-notice"' not in response.content.decode()
    response = client.post(url("group_create"), details(tariff=mine.pk))
    group = Group.objects.get(owner=member)
    assert response.status_code == 302 and response.url == url("group_detail", group.pk)
    assert (group.name, group.city, group.zip_code, group.address, group.tariff) == (
        "Residence Lindenhof", "Munich", "80331", "Lindenstrasse 4", mine)


def test_create_with_bad_input_shows_errors_and_writes_nothing(client, owner, member, charger):
    theirs = TariffFactory(owner=member)
    client.force_login(owner)
    response = client.post(url("group_create"), details(name="", city="", zip_code="", address="", tariff=theirs.pk))
    assert response.status_code == 400 and not Group.objects.exists()
    assert set(response.context["form"].errors) == {"name", "city", "zip_code", "address", "tariff"}
    response = client.post(url("group_create"), details(name="   ", zip_code="8" * 17))
    assert response.status_code == 400 and not Group.objects.exists()


def test_without_a_charger_the_service_refuses_and_the_page_says_why(client, outsider):
    client.force_login(outsider)
    response = client.get(url("group_create"))
    assert 'data-testid="create-notice"' in response.content.decode()
    response = client.post(url("group_create"), details())
    html = response.content.decode()
    assert response.status_code == 400 and not Group.objects.exists()
    assert 'data-testid="form-error"' in html and "Only owners of a charger can create a group" in html


def test_a_second_group_needs_premium(client, member):
    own_charger(member, "CP-MAX")
    client.force_login(member)
    client.post(url("group_create"), details(name="First"))
    response = client.get(url("group_create"))
    assert "premium" in response.content.decode()
    response = client.post(url("group_create"), details(name="Second"))
    assert response.status_code == 400 and Group.objects.filter(owner=member).count() == 1
    assert "Several groups are a premium feature" in response.content.decode()
    member.plan = User.Plan.PREMIUM
    member.save()
    assert client.post(url("group_create"), details(name="Second")).status_code == 302
    assert Group.objects.filter(owner=member).count() == 2


# --- A group's page -----------------------------------------------------------------------------


def test_owner_page_has_details_toggles_members_invitations_and_delete(client, world, owner, member, group, charger):
    other = Group.objects.create(owner=owner, name="Office", city="M", zip_code="1", address="A")
    GroupCharger.objects.create(group=other, charge_point=own_charger(owner, "CP-THIRD"))
    client.force_login(owner)
    response = client.get(url("group_detail", group.pk))
    html = response.content.decode()
    assert response.status_code == 200 and response.context["manage"]
    choices = {c.charge_point.charge_point_id: (c.included, c.other_group) for c in response.context["charger_choices"]}
    assert choices == {"CP-HOME": (False, None), "CP-GROUP": (True, None), "CP-THIRD": (False, other)}
    assert "In the group Office" in html
    assert member.email in html and f'data-bs-target="#remove-{member.pk}"' in html
    for testid in ("group-form", "invite-form", "charger-toggles", "member-list", "pending-invitations",
                   "delete-group"):
        assert f'data-testid="{testid}"' in html
    assert response.context["group"].member_count == 1


def test_member_sees_a_read_only_page_and_may_leave(client, world, member, group):
    client.force_login(member)
    response = client.get(url("group_detail", group.pk))
    html = response.content.decode()
    assert response.status_code == 200 and not response.context["manage"]
    assert "CP-GROUP" in html and 'data-testid="leave-group"' in html
    for testid in ("group-form", "invite-form", "charger-toggles", "member-list"):
        assert f'data-testid="{testid}"' not in html
    response = client.post(url("group_leave", group.pk))
    assert response.status_code == 302 and response.url == url("groups")
    assert not Membership.objects.filter(user=member).exists()
    assert client.get(url("group_detail", group.pk)).status_code == 404


def test_the_owner_cannot_leave_but_deletes(client, world, owner, group):
    client.force_login(owner)
    response = client.post(url("group_leave", group.pk), follow=True)
    assert "delete it instead" in response.content.decode()
    assert Group.objects.filter(pk=group.pk).exists()


def test_owner_edits_details_and_tariff_and_bad_input_changes_nothing(client, world, owner, member, group):
    night = TariffFactory(owner=owner, name="Night", price_per_kwh="0.2200")
    theirs = TariffFactory(owner=member, name="Theirs")
    client.force_login(owner)
    response = client.post(url("group_update", group.pk), details(name="Residence East", tariff=night.pk))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Residence East" and group.tariff == night
    response = client.post(url("group_update", group.pk), details(name="", tariff=theirs.pk))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "tariff"}
    group.refresh_from_db()
    assert group.name == "Residence East" and group.tariff == night
    client.post(url("group_update", group.pk), details(name="Residence East", tariff=""))
    group.refresh_from_db()
    assert group.tariff is None


def test_owner_invites_by_e_mail_sends_again_and_revokes(client, world, owner, group,
                                                        django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("group_invite", group.pk), {"email": "Friend@Example.com"})
    assert response.status_code == 302 and response.url.endswith("#invitations")
    invitation = Invitation.objects.get()
    assert invitation.email == "friend@example.com"
    [message] = mail.outbox
    assert message.to == ["friend@example.com"] and "Residence" in message.subject
    assert token_from_mail(message)
    html = client.get(url("group_detail", group.pk)).content.decode()
    assert 'data-testid="invitation-row"' in html and "friend@example.com" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("group_invite", group.pk), {"email": "friend@example.com"}, follow=True)
    assert "sent again" in response.content.decode() and len(mail.outbox) == 2
    assert Invitation.objects.count() == 1
    client.post(url("group_invitation_revoke", group.pk, invitation.pk))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    response = client.post(url("group_invitation_revoke", group.pk, invitation.pk), follow=True)
    assert "Only a pending invitation can be withdrawn." in response.content.decode()


@pytest.mark.parametrize("email, message", [
    ("not-an-address", "Enter a valid email address."),
    ("member@example.com", "Already a member."),
    ("owner@example.com", "You own this group"),
])
def test_bad_invitations_are_refused_on_the_form(client, world, owner, group, email, message,
                                                 django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("group_invite", group.pk), {"email": email})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_owner_removes_a_member_and_their_access_ends(client, world, owner, member, group, group_charger):
    client.force_login(owner)
    response = client.post(url("group_member_remove", group.pk, member.pk))
    assert response.status_code == 302 and response.url.endswith("#members")
    assert not Membership.objects.filter(group=group, user=member).exists()
    assert not charger_list_for_user(member).filter(pk=group_charger.pk).exists()
    assert client.post(url("group_member_remove", group.pk, member.pk)).status_code == 404


def test_owner_toggles_chargers_and_one_in_another_group_is_refused(client, world, owner, group, charger):
    other = Group.objects.create(owner=owner, name="Office", city="M", zip_code="1", address="A")
    client.force_login(owner)
    response = client.post(url("group_charger_toggle", group.pk, "CP-HOME"), {"included": ["0", "1"]})
    assert response.status_code == 302 and response.url.endswith("#chargers")
    assert GroupCharger.objects.get(charge_point=charger).group == group
    response = client.post(url("group_charger_toggle", other.pk, "CP-HOME"), {"included": ["0", "1"]}, follow=True)
    assert "Home is already in another group. Remove it from that group first." in response.content.decode()
    assert GroupCharger.objects.get(charge_point=charger).group == group
    client.post(url("group_charger_toggle", group.pk, "CP-HOME"), {"included": "0"})
    assert not GroupCharger.objects.filter(charge_point=charger).exists()


def test_owner_deletes_the_group_and_members_lose_access(client, world, owner, member, group, group_charger):
    client.force_login(owner)
    response = client.post(url("group_delete", group.pk))
    assert response.status_code == 302 and response.url == url("groups")
    assert not Group.objects.filter(pk=group.pk).exists()
    assert not charger_list_for_user(member).filter(pk=group_charger.pk).exists()


def test_pages_answer_only_the_methods_they_take(client, world, owner, group):
    client.force_login(owner)
    for name, args in (("group_update", ()), ("group_delete", ()), ("group_leave", ()), ("group_invite", ()),
                       ("group_charger_toggle", ("CP-GROUP",))):
        assert client.get(url(name, group.pk, *args)).status_code == 405
    assert Group.objects.filter(pk=group.pk).exists()
