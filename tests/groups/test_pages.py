"""Group pages of the driver app (GRP-1 … GRP-6) and the public Accept link page (GRP-3)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from chargers.selectors import charger_list_for_user
from groups import services
from groups.models import Group, GroupCharger, Invitation, Membership
from tests.factories.groups import TariffFactory

from .group_helpers import own_charger, token_from_mail

pytestmark = pytest.mark.django_db


def app(name, *args):
    return reverse(f"app:{name}", args=args)


@pytest.fixture
def group(group_charger):
    return group_charger.group_link.group


@pytest.fixture
def invited(group, owner, outsider, django_capture_on_commit_callbacks):
    """A pending invitation of the outsider to the owner's group, and its link's token."""
    with django_capture_on_commit_callbacks(execute=True):
        result = services.invitation_create(group=group, email=outsider.email, invited_by=owner)
    return result.invitation, result.token


# --- My groups, create ------------------------------------------------------------------------


def test_owner_of_a_charger_without_group_gets_the_create_form_at_once(client, member):
    own_charger(member, "CP-MAX")
    client.force_login(member)
    response = client.get(app("groups"))
    html = response.content.decode()
    assert response.status_code == 200 and response.context["form"] is not None
    assert 'data-testid="create-group-card"' in html and "/app/tariffs/" in html
    response = client.post(app("group_create"), {
        "name": "Flat share", "city": "Munich", "zip_code": "80331", "address": "Main street 1"})
    group = Group.objects.get(owner=member)
    assert response.status_code == 302 and response.url == app("group_detail", group.pk)
    # The free plan's one group: no more create form, and the create page says why.
    response = client.get(app("groups"))
    assert response.context["form"] is None and not response.context["can_create"]
    assert "premium" in response.content.decode()
    response = client.get(app("group_create"))
    assert 'data-testid="premium-notice"' in response.content.decode()
    response = client.post(app("group_create"), {
        "name": "Second", "city": "Munich", "zip_code": "80331", "address": "Main street 1"})
    assert response.status_code == 400 and Group.objects.filter(owner=member).count() == 1
    assert "premium" in response.content.decode()


def test_without_charger_no_group_can_be_created(client, outsider):
    client.force_login(outsider)
    html = client.get(app("groups")).content.decode()
    assert "add your own charger" in html and 'data-testid="group-form"' not in html
    response = client.post(app("group_create"), {"name": "G", "city": "M", "zip_code": "1", "address": "A"})
    assert response.status_code == 400 and not Group.objects.exists()
    assert "Only owners of a charger" in response.content.decode()


def test_create_form_errors_and_tariff_choice(client, owner, member, charger):
    mine = TariffFactory(owner=owner, name="Home rate", currency="CHF")
    theirs = TariffFactory(owner=member, name="Other rate")
    client.force_login(owner)
    response = client.get(app("group_create"))
    assert list(response.context["form"].fields["tariff"].queryset) == [mine]
    response = client.post(app("group_create"), {"name": "", "city": "", "zip_code": "", "address": "",
                                                  "tariff": theirs.pk})
    assert response.status_code == 400 and not Group.objects.exists()
    assert set(response.context["form"].errors) == {"name", "city", "zip_code", "address", "tariff"}
    client.post(app("group_create"), {"name": "Home", "city": "Bern", "zip_code": "3000",
                                      "address": "Gasse 1", "tariff": mine.pk})
    assert Group.objects.get().tariff == mine


def test_my_groups_cards_show_role_address_tariff_members_and_chargers(client, world, owner, member, group):
    TariffFactory._meta.model.objects.filter(pk=group.tariff_id).update(time_fee_per_hour="1.5")
    for user, role in ((owner, "Owner"), (member, "Member")):
        client.force_login(user)
        response = client.get(app("groups"))
        [card] = response.context["groups"]
        html = response.content.decode()
        assert card == group and role in html
        assert "Residence" in html and "Munich" in html
        assert "0.30 EUR per kWh" in html and "1.00 EUR per session" in html
        assert "1.50 EUR per hour of charging" in html
        assert "1 member" in html and "1 charger" in html


def test_invitations_badge_on_my_groups(client, outsider, invited):
    client.force_login(outsider)
    response = client.get(app("groups"))
    assert response.context["invitation_count"] == 1
    assert 'data-testid="invitation-count"' in response.content.decode()


# --- A group's page ---------------------------------------------------------------------------


def test_owner_page_has_toggles_members_invitations_and_settings(client, world, owner, member, group, charger):
    other = Group.objects.create(owner=owner, name="Office", city="M", zip_code="1", address="A")
    third = own_charger(owner, "CP-THIRD")
    GroupCharger.objects.create(group=other, charge_point=third)
    client.force_login(owner)
    response = client.get(app("group_detail", group.pk))
    html = response.content.decode()
    assert response.status_code == 200 and response.context["manage"]
    choices = {c.charge_point.charge_point_id: (c.included, c.other_group) for c in response.context["charger_choices"]}
    assert choices == {"CP-HOME": (False, None), "CP-GROUP": (True, None), "CP-THIRD": (False, other)}
    assert "in the group Office" in html and html.count("disabled") >= 1
    assert member.email in html and 'data-bs-target="#remove-' in html  # removal asks first
    assert 'data-testid="invite-form"' in html and 'data-bs-target="#delete-modal"' in html
    assert "/app/tariffs/" in html


def test_member_page_lists_chargers_and_offers_leaving(client, world, member, group):
    client.force_login(member)
    response = client.get(app("group_detail", group.pk))
    html = response.content.decode()
    assert response.status_code == 200 and not response.context["manage"]
    assert "CP-GROUP" in html and 'data-testid="leave-button"' in html
    assert 'data-testid="invite-form"' not in html and 'data-testid="charger-toggles"' not in html
    # Owner actions are not theirs: 404, nothing changed.
    for name, args in (("group_update", ()), ("group_delete", ()), ("group_invite", ()),
                       ("group_member_remove", (member.pk,)), ("group_charger_toggle", ("CP-GROUP",))):
        assert client.post(app(name, group.pk, *args), {"name": "X", "email": "a@b.c"}).status_code == 404
    assert Group.objects.filter(pk=group.pk, name="Residence").exists()
    response = client.post(app("group_leave", group.pk))
    assert response.status_code == 302 and not Membership.objects.filter(user=member).exists()


def test_owner_edits_the_group_and_sets_its_tariff(client, world, owner, group):
    better = TariffFactory(owner=owner, name="Night", price_per_kwh="0.2200")
    client.force_login(owner)
    response = client.post(app("group_update", group.pk), {
        "name": "Residence East", "city": "Munich", "zip_code": "80331", "address": "Main street 2",
        "tariff": better.pk})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Residence East" and group.tariff == better
    response = client.post(app("group_update", group.pk), {"name": "", "city": "M", "zip_code": "1", "address": "A"})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    group.refresh_from_db()
    assert group.name == "Residence East"


def test_owner_invites_by_page_and_withdraws(client, world, owner, group, django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(app("group_invite", group.pk), {"email": "Friend@Example.com"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "friend@example.com" and len(mail.outbox) == 1
    html = client.get(app("group_detail", group.pk)).content.decode()
    assert "friend@example.com" in html and 'data-testid="invitation-row"' in html
    response = client.post(app("group_invite", group.pk), {"email": "member@example.com"})
    assert response.status_code == 400 and "Already a member" in response.content.decode()
    client.post(app("group_invitation_revoke", group.pk, invitation.pk))
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    # An invitation that is not this group's is a 404, not a server error.
    assert client.post(app("group_invitation_revoke", group.pk, invitation.pk + 1000)).status_code == 404


def test_owner_removes_a_member_and_access_ends(client, world, owner, member, group, group_charger):
    client.force_login(owner)
    response = client.post(app("group_member_remove", group.pk, member.pk))
    assert response.status_code == 302
    assert not charger_list_for_user(member).filter(pk=group_charger.pk).exists()
    client.force_login(member)
    assert client.get(app("group_detail", group.pk)).status_code == 404
    assert client.get(app("charger_detail", "CP-GROUP")).status_code == 404
    assert "CP-GROUP" not in client.get(app("chargers") + "?tab=commercial").content.decode()


def test_owner_toggles_chargers_and_a_charger_of_another_group_is_refused(client, world, owner, group, charger):
    other = Group.objects.create(owner=owner, name="Office", city="M", zip_code="1", address="A")
    client.force_login(owner)
    response = client.post(app("group_charger_toggle", group.pk, "CP-HOME"), {"included": ["0", "1"]})
    assert response.status_code == 302 and GroupCharger.objects.get(charge_point=charger).group == group
    response = client.post(app("group_charger_toggle", other.pk, "CP-HOME"), {"included": ["0", "1"]}, follow=True)
    assert "already in another group" in response.content.decode()
    assert GroupCharger.objects.get(charge_point=charger).group == group
    client.post(app("group_charger_toggle", group.pk, "CP-HOME"), {"included": "0"})
    assert not GroupCharger.objects.filter(charge_point=charger).exists()


def test_owner_deletes_the_group(client, world, owner, member, group, group_charger):
    client.force_login(owner)
    response = client.post(app("group_delete", group.pk))
    assert response.status_code == 302 and not Group.objects.filter(pk=group.pk).exists()
    assert not charger_list_for_user(member).filter(pk=group_charger.pk).exists()


# --- Invitations inbox and the public link ----------------------------------------------------


def test_inbox_accept_and_decline(client, world, owner, outsider, group, invited):
    client.force_login(outsider)
    response = client.get(app("invitation_list"))
    assert [i.pk for i in response.context["invitations"]] == [invited[0].pk]
    assert "Residence" in response.content.decode() and "Olivia" in response.content.decode()
    response = client.post(app("invitation_accept", invited[0].pk))
    assert response.status_code == 302 and response.url == app("group_detail", group.pk)
    assert Membership.objects.filter(group=group, user=outsider).exists()
    assert client.get(app("group_detail", group.pk)).status_code == 200
    # Answered: gone from the inbox.
    assert client.post(app("invitation_decline", invited[0].pk)).status_code == 404


def test_inbox_decline(client, world, outsider, group, invited):
    client.force_login(outsider)
    client.post(app("invitation_decline", invited[0].pk))
    assert Invitation.objects.get().status == "declined"
    assert not Membership.objects.filter(user=outsider).exists()


def test_public_link_for_someone_not_signed_in(client, world, group, invited):
    invitation, token = invited
    url = reverse("invitation_detail", args=[token])
    assert token_from_mail() == token
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and "Residence" in html and "Olivia" in html
    assert 'data-testid="accept"' not in html
    sign_in = response.context["login_url"]
    assert urlsplit(sign_in).path == reverse("account_login") and parse_qs(urlsplit(sign_in).query)["next"] == [url]
    sign_up = response.context["signup_url"]
    query = parse_qs(urlsplit(sign_up).query)
    assert urlsplit(sign_up).path == reverse("account_signup")
    assert query["next"] == [url] and query["email"] == [invitation.email]
    # Answering needs a signed-in user: off to the sign-in page and back.
    response = client.post(reverse("invitation_token_accept", args=[token]))
    assert response.status_code == 302 and urlsplit(response.url).path == reverse("account_login")
    assert parse_qs(urlsplit(response.url).query)["next"] == [url]
    assert Invitation.objects.get().status == "pending"


def test_public_link_for_the_addressee_accepts(client, world, outsider, group, invited):
    _invitation, token = invited
    client.force_login(outsider)
    html = client.get(reverse("invitation_detail", args=[token])).content.decode()
    assert 'data-testid="accept"' in html and 'data-testid="decline"' in html
    response = client.post(reverse("invitation_token_accept", args=[token]))
    assert response.status_code == 302 and response.url == app("group_detail", group.pk)
    assert Membership.objects.filter(group=group, user=outsider).exists()
    html = client.get(reverse("invitation_detail", args=[token])).content.decode()
    assert "This invitation was accepted" in html


def test_public_link_for_someone_else_says_so(client, world, guest, invited):
    _invitation, token = invited
    client.force_login(guest)
    html = client.get(reverse("invitation_detail", args=[token])).content.decode()
    assert 'data-testid="wrong-user"' in html and "outsider@example.com" in html
    assert 'data-testid="accept"' not in html
    response = client.post(reverse("invitation_token_accept", args=[token]), follow=True)
    assert "Sign in with that e-mail address" in response.content.decode()
    assert Invitation.objects.get().status == "pending"
    # Its Sign out button leads to the sign-in page, and from there back to the invitation.
    page = client.get(reverse("invitation_detail", args=[token]))
    response = client.post(page.context["logout_url"], {"next": page.context["login_url"]})
    assert response.status_code == 302 and response.url == page.context["login_url"]


def test_public_link_decline_expired_and_unknown(client, world, outsider, invited):
    invitation, token = invited
    client.force_login(outsider)
    client.post(reverse("invitation_token_decline", args=[token]))
    assert Invitation.objects.get().status == "declined"
    assert "was declined" in client.get(reverse("invitation_detail", args=[token])).content.decode()
    Invitation.objects.update(status="pending", expires_at=invitation.created_at)
    html = client.get(reverse("invitation_detail", args=[token])).content.decode()
    assert "has expired" in html and 'data-testid="accept"' not in html
    assert client.get(reverse("invitation_detail", args=["not-a-token"])).status_code == 404


def test_new_user_signs_up_then_accepts_from_the_inbox(client, world, group, owner,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(group=group, email="new@example.com", invited_by=owner)
    response = client.post(reverse("account_signup"), {
        "first_name": "Nina", "last_name": "New", "email": "new@example.com", "accept_terms": "on"})
    assert response.status_code == 302
    newcomer = User.objects.get(email="new@example.com")
    User.objects.filter(pk=newcomer.pk).update(must_change_password=False)
    client.force_login(newcomer)
    response = client.get(app("groups"))
    assert response.context["invitation_count"] == 1
    invitation = Invitation.objects.get()
    client.post(app("invitation_accept", invitation.pk))
    assert Membership.objects.filter(group=group, user=newcomer).exists()


# --- Tenancy ----------------------------------------------------------------------------------


def test_an_outsider_gets_404_on_every_group_page(client, world, outsider, member, group, invited):
    invitation, _token = invited
    client.force_login(member)  # not the addressee: the inbox actions are not theirs either
    for name in ("invitation_accept", "invitation_decline"):
        assert client.post(app(name, invitation.pk)).status_code == 404
    client.force_login(outsider)
    gets = [app("group_detail", group.pk)]
    posts = [app(name, group.pk) for name in ("group_update", "group_delete", "group_leave", "group_invite")]
    posts += [app("group_invitation_revoke", group.pk, invitation.pk),
              app("group_member_remove", group.pk, member.pk),
              app("group_charger_toggle", group.pk, "CP-GROUP")]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"name": "X", "city": "Y", "zip_code": "1", "address": "Z",
                                 "email": "a@b.c", "included": "1"}).status_code == 404, url
    assert Group.objects.filter(pk=group.pk, name="Residence").exists()
    assert Membership.objects.filter(group=group, user=member).exists()
    assert Invitation.objects.get().status == "pending"
    assert [g.pk for g in client.get(app("groups")).context["groups"]] == []


def test_dashboard_leads_to_my_groups(client, member):
    client.force_login(member)
    html = client.get(app("dashboard")).content.decode()
    assert f'href="{app("groups")}"' in html and "My groups" in html
