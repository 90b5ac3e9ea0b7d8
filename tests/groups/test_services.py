"""Group rules at service level (GRP-1 … GRP-6): who may create groups, one tariff of one's
own, invitations (link, expiry, answers), removing members, and one group per charger."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification, User
from accounts.services import user_signup
from chargers.selectors import charger_list_for_user, charger_tabs_for_user
from groups import services
from groups.models import Group, GroupCharger, Invitation, Membership
from groups.selectors import group_list_for_user, invitation_list_for_user
from sessions_app.authorization import authorize
from tests.factories.accounts import UserFactory
from tests.factories.groups import TariffFactory
from wccportal.errors import DomainError

from .group_helpers import group_with, own_charger, token_from_mail

pytestmark = pytest.mark.django_db

ADDRESS = {"city": "Munich", "zip_code": "80331", "address": "Main street 1"}


def codes(excinfo) -> str:
    return excinfo.value.code


# --- Creating groups (GRP-1, GRP-2) -----------------------------------------------------------


def test_only_owners_of_a_charger_create_a_group(member):
    with pytest.raises(DomainError) as exc:
        services.group_create(owner=member, name="Flat share", **ADDRESS)
    assert codes(exc) == "no_charger" and exc.value.status == 403
    assert not Group.objects.exists()
    own_charger(member, "CP-MAX")
    group = services.group_create(owner=member, name=" Flat share ", **ADDRESS)
    assert group.owner == member and group.name == "Flat share" and group.zip_code == "80331"


def test_an_organisation_charger_counts_for_its_operator(operator, org_charger):
    assert services.group_create(owner=operator, name="Fleet", **ADDRESS).owner == operator


def test_free_plan_has_one_group_premium_has_several(member, owner, charger):
    own_charger(member, "CP-MAX")
    assert member.plan != User.Plan.PREMIUM
    services.group_create(owner=member, name="First", **ADDRESS)
    with pytest.raises(DomainError) as exc:
        services.group_create(owner=member, name="Second", **ADDRESS)
    assert codes(exc) == "premium_required"
    assert Group.objects.filter(owner=member).count() == 1
    assert services.can_create_group(member) == (False, "premium_required")
    # The premium owner creates as many as they like.
    for name in ("One", "Two", "Three"):
        services.group_create(owner=owner, name=name, **ADDRESS)
    assert Group.objects.filter(owner=owner).count() == 3


def test_group_needs_its_details(owner, charger):
    with pytest.raises(DomainError) as exc:
        services.group_create(owner=owner, name="", city="", zip_code="1", address="x")
    assert codes(exc) == "invalid" and set(exc.value.fields) == {"name", "city"}


def test_tariff_must_be_the_owners_own(owner, member, charger):
    mine, theirs = TariffFactory(owner=owner, name="Mine"), TariffFactory(owner=member, name="Theirs")
    with pytest.raises(DomainError) as exc:
        services.group_create(owner=owner, name="G", tariff=theirs, **ADDRESS)
    assert codes(exc) == "invalid_tariff"
    group = services.group_create(owner=owner, name="G", tariff=mine, **ADDRESS)
    assert group.tariff == mine
    with pytest.raises(DomainError):
        services.group_update(group=group, acting_user=owner, tariff=theirs)
    services.group_update(group=group, acting_user=owner, tariff=None, name="Renamed")
    group.refresh_from_db()
    assert group.tariff is None and group.name == "Renamed" and group.city == "Munich"


def test_only_the_owner_changes_or_deletes_a_group(world, owner, member, outsider, group_charger):
    group = group_charger.group_link.group
    for user in (member, outsider):
        with pytest.raises(DomainError) as exc:
            services.group_update(group=group, acting_user=user, name="Mine now")
        assert exc.value.status == 404
        with pytest.raises(DomainError):
            services.group_delete(group=group, acting_user=user)
    assert Group.objects.filter(pk=group.pk, name="Residence").exists()


def test_deleting_a_group_releases_its_chargers_and_members(world, owner, member, group_charger, tags,
                                                            django_capture_on_commit_callbacks):
    group = group_charger.group_link.group
    assert authorize(charge_point=group_charger, id_tag="MEMBER1").accepted
    with django_capture_on_commit_callbacks() as callbacks:
        services.group_delete(group=group, acting_user=owner)
    assert callbacks  # the chargers' local lists are re-synced after the commit
    assert not GroupCharger.objects.filter(charge_point=group_charger).exists()
    assert not charger_list_for_user(member).filter(pk=group_charger.pk).exists()
    assert not authorize(charge_point=group_charger, id_tag="MEMBER1").accepted
    assert charger_list_for_user(owner).filter(pk=group_charger.pk).exists()  # still the owner's


# --- Invitations (GRP-3) ----------------------------------------------------------------------


def invite(group, email, by, capture):
    with capture(execute=True):
        return services.invitation_create(group=group, email=email, invited_by=by)


def test_invitation_mails_an_accept_link_and_stores_only_its_hash(
    world, owner, outsider, group_charger, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://portal.example.com"
    group = group_charger.group_link.group
    result = invite(group, " Outsider@Example.com ", owner, django_capture_on_commit_callbacks)
    invitation = result.invitation
    assert invitation.email == "outsider@example.com" and invitation.status == "pending"
    assert invitation.token_hash == services.hash_token(result.token) and result.token not in invitation.token_hash
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    [message] = mail.outbox
    assert message.to == ["outsider@example.com"] and "Residence" in message.subject
    assert f"https://portal.example.com/invitations/{result.token}/" in message.body
    assert token_from_mail(message) == result.token
    html = message.alternatives[0][0]
    assert f"https://portal.example.com/invitations/{result.token}/" in html
    # A registered recipient is notified in the app too, with no token in the notification.
    note = Notification.objects.get(user=outsider)
    assert note.kind == "group_invitation" and "Residence" in note.title
    assert note.link == "/app/groups/invitations/" and result.token not in note.link
    assert list(invitation_list_for_user(outsider)) == [invitation]


def test_invitation_speaks_the_recipients_language(world, owner, outsider, group_charger,
                                                   django_capture_on_commit_callbacks):
    User.objects.filter(pk=outsider.pk).update(language="de")
    invite(group_charger.group_link.group, outsider.email, owner, django_capture_on_commit_callbacks)
    # Rendered in German (strings of this feature are translated with the next catalogue update).
    assert mail.outbox[0].body.startswith("Hallo,")


def test_invitation_validity_follows_the_setting(world, owner, group_charger, settings,
                                                 django_capture_on_commit_callbacks):
    settings.GROUP_INVITATION_DAYS = 2
    result = invite(group_charger.group_link.group, "new@example.com", owner, django_capture_on_commit_callbacks)
    assert result.invitation.expires_at - timezone.now() <= timedelta(days=2)


def test_invitation_refuses_members_the_owner_and_non_owners(world, owner, member, outsider, group_charger):
    group = group_charger.group_link.group
    for email, code in ((member.email.upper(), "already_member"), (owner.email, "already_member"),
                        ("not-an-email", "invalid_email")):
        with pytest.raises(DomainError) as exc:
            services.invitation_create(group=group, email=email, invited_by=owner)
        assert codes(exc) == code
    with pytest.raises(DomainError) as exc:
        services.invitation_create(group=group, email="x@example.com", invited_by=member)
    assert exc.value.status == 404
    assert not Invitation.objects.exists()


def test_inviting_again_sends_a_new_link_and_the_old_one_dies(world, owner, outsider, group_charger,
                                                             django_capture_on_commit_callbacks):
    group = group_charger.group_link.group
    first = invite(group, outsider.email, owner, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=first.invitation.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    again = invite(group, outsider.email, owner, django_capture_on_commit_callbacks)
    assert again.resent and again.invitation.pk == first.invitation.pk
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 2
    assert services.invitation_state(Invitation.objects.get()) == "pending"  # a fresh expiry
    with pytest.raises(DomainError) as exc:
        services.invitation_accept(user=outsider, token=first.token)
    assert exc.value.status == 404
    services.invitation_accept(user=outsider, token=again.token)
    assert Membership.objects.filter(group=group, user=outsider).exists()


def test_accepting_makes_a_member_with_access_everywhere(world, owner, outsider, group_charger, tags,
                                                         django_capture_on_commit_callbacks):
    group = group_charger.group_link.group
    token = invite(group, "OUTSIDER@example.com", owner, django_capture_on_commit_callbacks).token
    assert not authorize(charge_point=group_charger, id_tag="OUTSIDER1").accepted
    with django_capture_on_commit_callbacks() as callbacks:
        membership = services.invitation_accept(user=outsider, token=token)
    assert callbacks  # local lists re-synced after the commit
    assert membership.group == group and membership.user == outsider
    invitation = Invitation.objects.get()
    assert invitation.status == "accepted" and invitation.user == outsider and invitation.responded_at
    assert group in group_list_for_user(outsider)
    assert group_charger in charger_tabs_for_user(outsider)["commercial"]
    assert authorize(charge_point=group_charger, id_tag="OUTSIDER1").accepted
    assert Notification.objects.filter(user=owner, title__contains="joined the group").exists()
    # A second click on the link changes nothing.
    assert services.invitation_accept(user=outsider, token=token) == membership
    assert not invitation_list_for_user(outsider).exists()


def test_a_new_user_who_signs_up_with_the_address_can_accept(world, owner, group_charger,
                                                             django_capture_on_commit_callbacks):
    group = group_charger.group_link.group
    token = invite(group, "newcomer@example.com", owner, django_capture_on_commit_callbacks).token
    assert "create one" in mail.outbox[0].body  # no account yet: the e-mail says how
    assert not Notification.objects.exists()
    newcomer = user_signup(email="Newcomer@Example.com", first_name="Nina", last_name="New", accepted_terms=True)
    # The pending invitation is listed in the app for the new account, and the link works.
    assert [i.group for i in invitation_list_for_user(newcomer)] == [group]
    services.invitation_accept(user=newcomer, token=token)
    assert Membership.objects.filter(group=group, user=newcomer).exists()


def test_only_the_addressee_answers(world, owner, member, outsider, group_charger, guest,
                                    django_capture_on_commit_callbacks):
    group = group_charger.group_link.group
    token = invite(group, outsider.email, owner, django_capture_on_commit_callbacks).token
    for user in (member, guest, owner):
        with pytest.raises(DomainError) as exc:
            services.invitation_accept(user=user, token=token)
        assert codes(exc) == "wrong_user" and exc.value.status == 403
        with pytest.raises(DomainError):
            services.invitation_decline(user=user, token=token)
    assert Invitation.objects.get().status == "pending"
    assert not Membership.objects.filter(user=outsider).exists()


def test_a_guest_account_must_sign_up_first(world, owner, group_charger, django_capture_on_commit_callbacks):
    visitor = UserFactory(email="visitor@example.com", is_guest=True)
    token = invite(group_charger.group_link.group, visitor.email, owner, django_capture_on_commit_callbacks).token
    with pytest.raises(DomainError) as exc:
        services.invitation_accept(user=visitor, token=token)
    assert codes(exc) == "guest_account"


def test_expired_invitations_cannot_be_answered(world, owner, outsider, group_charger,
                                                django_capture_on_commit_callbacks):
    token = invite(group_charger.group_link.group, outsider.email, owner, django_capture_on_commit_callbacks).token
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not invitation_list_for_user(outsider).exists()
    assert services.invitation_state(Invitation.objects.get()) == "expired"
    for answer in (services.invitation_accept, services.invitation_decline):
        with pytest.raises(DomainError) as exc:
            answer(user=outsider, token=token)
        assert codes(exc) == "invitation_expired"
    assert not Membership.objects.filter(user=outsider).exists()


def test_decline_and_revoke_close_the_invitation(world, owner, outsider, group_charger,
                                                 django_capture_on_commit_callbacks):
    group = group_charger.group_link.group
    first = invite(group, outsider.email, owner, django_capture_on_commit_callbacks)
    declined = services.invitation_decline(user=outsider, invitation=first.invitation)
    assert declined.status == "declined" and declined.user == outsider
    with pytest.raises(DomainError) as exc:
        services.invitation_accept(user=outsider, token=first.token)
    assert codes(exc) == "invitation_declined"
    # Invited again after declining: a new invitation, which the owner withdraws.
    second = invite(group, outsider.email, owner, django_capture_on_commit_callbacks)
    assert not second.resent and Invitation.objects.count() == 2
    services.invitation_revoke(invitation=second.invitation, acting_user=owner)
    with pytest.raises(DomainError) as exc:
        services.invitation_accept(user=outsider, token=second.token)
    assert codes(exc) == "invitation_revoked"
    with pytest.raises(DomainError) as exc:
        services.invitation_revoke(invitation=second.invitation, acting_user=owner)
    assert codes(exc) == "invitation_closed"
    assert not Membership.objects.filter(user=outsider).exists()


def test_invitations_expire_job_deletes_long_expired_ones_only(world, owner, group_charger,
                                                               django_capture_on_commit_callbacks):
    group = group_charger.group_link.group
    now = timezone.now()
    fresh = invite(group, "fresh@example.com", owner, django_capture_on_commit_callbacks).invitation
    recent = invite(group, "recent@example.com", owner, django_capture_on_commit_callbacks).invitation
    old = invite(group, "old@example.com", owner, django_capture_on_commit_callbacks).invitation
    answered = invite(group, "answered@example.com", owner, django_capture_on_commit_callbacks).invitation
    Invitation.objects.filter(pk=recent.pk).update(expires_at=now - timedelta(days=2))
    Invitation.objects.filter(pk__in=[old.pk, answered.pk]).update(expires_at=now - timedelta(days=31))
    Invitation.objects.filter(pk=answered.pk).update(status="declined")

    from groups.tasks import invitations_expire

    invitations_expire()  # the hourly job's entry point
    remaining = set(Invitation.objects.values_list("email", flat=True))
    assert remaining == {"fresh@example.com", "recent@example.com", "answered@example.com"}
    states = {i.email: services.invitation_state(i) for i in Invitation.objects.all()}
    assert states["fresh@example.com"] == "pending" and states["recent@example.com"] == "expired"
    assert services.invitations_expire(now=now + timedelta(days=40)) == 2  # fresh and recent
    assert fresh.pk not in set(Invitation.objects.values_list("pk", flat=True))


# --- Members (GRP-4) --------------------------------------------------------------------------


def test_removing_a_member_ends_access_at_once(world, owner, member, group_charger, tags,
                                               django_capture_on_commit_callbacks):
    group = group_charger.group_link.group
    assert charger_list_for_user(member).filter(pk=group_charger.pk).exists()
    with django_capture_on_commit_callbacks() as callbacks:
        services.member_remove(group=group, user=member, acting_user=owner)
    assert callbacks
    assert not Membership.objects.filter(group=group, user=member).exists()
    assert not charger_list_for_user(member).filter(pk=group_charger.pk).exists()
    assert group_charger not in charger_tabs_for_user(member)["commercial"]
    assert group not in group_list_for_user(member)
    assert authorize(charge_point=group_charger, id_tag="MEMBER1").status == "Invalid"
    assert Notification.objects.filter(user=member, title__contains="no longer a member").exists()
    with pytest.raises(DomainError) as exc:
        services.member_remove(group=group, user=member, acting_user=owner)
    assert exc.value.status == 404


def test_only_the_owner_removes_members(world, owner, member, outsider, group_charger):
    group = group_charger.group_link.group
    for user in (member, outsider):
        with pytest.raises(DomainError) as exc:
            services.member_remove(group=group, user=member, acting_user=user)
        assert exc.value.status == 404
    assert Membership.objects.filter(group=group, user=member).exists()


def test_a_member_leaves_the_owner_cannot(world, owner, member, group_charger, tags):
    group = group_charger.group_link.group
    with pytest.raises(DomainError) as exc:
        services.member_leave(group=group, user=owner)
    assert codes(exc) == "owner_cannot_leave"
    services.member_leave(group=group, user=member)
    assert not authorize(charge_point=group_charger, id_tag="MEMBER1").accepted
    with pytest.raises(DomainError) as exc:
        services.member_leave(group=group, user=member)
    assert exc.value.status == 404


# --- Chargers of a group (GRP-5) --------------------------------------------------------------


def test_owner_toggles_own_chargers_in_and_out(world, owner, member, charger, group_charger, tags,
                                               django_capture_on_commit_callbacks):
    group = group_charger.group_link.group
    assert not authorize(charge_point=charger, id_tag="MEMBER1").accepted
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.group_charger_set(group=group, charge_point=charger, included=True, acting_user=owner)
    assert callbacks
    assert authorize(charge_point=charger, id_tag="MEMBER1").accepted
    assert charger in charger_tabs_for_user(member)["commercial"]
    # Idempotent both ways.
    assert not services.group_charger_set(group=group, charge_point=charger, included=True, acting_user=owner)
    assert services.group_charger_set(group=group, charge_point=charger, included=False, acting_user=owner)
    assert not services.group_charger_set(group=group, charge_point=charger, included=False, acting_user=owner)
    assert not authorize(charge_point=charger, id_tag="MEMBER1").accepted
    choices = {c.charge_point.charge_point_id: c.included for c in services.group_charger_choices(group=group)}
    assert choices == {"CP-HOME": False, "CP-GROUP": True}


def test_a_charger_in_another_group_is_refused_not_moved(world, owner, charger, group_charger):
    group = group_charger.group_link.group
    other = services.group_create(owner=owner, name="Office", **ADDRESS)
    with pytest.raises(DomainError) as exc:
        services.group_charger_set(group=other, charge_point=group_charger, included=True, acting_user=owner)
    assert codes(exc) == "charger_in_other_group" and exc.value.status == 409
    assert GroupCharger.objects.get(charge_point=group_charger).group == group
    # Taking it out of a group it is not in changes nothing either.
    assert not services.group_charger_set(group=other, charge_point=group_charger, included=False, acting_user=owner)
    assert GroupCharger.objects.get(charge_point=group_charger).group == group
    [choice] = [c for c in services.group_charger_choices(group=other) if c.charge_point == group_charger]
    assert not choice.included and choice.other_group == group


def test_only_own_chargers_and_only_by_the_owner(world, owner, member, outsider, group_charger):
    group = group_charger.group_link.group
    foreign = own_charger(outsider, "CP-OTTO")
    with pytest.raises(DomainError) as exc:
        services.group_charger_set(group=group, charge_point=foreign, included=True, acting_user=owner)
    assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        services.group_charger_set(group=group, charge_point=group_charger, included=False, acting_user=member)
    assert exc.value.status == 404
    assert not GroupCharger.objects.filter(charge_point=foreign).exists()


def test_premium_owner_has_two_groups_with_separate_members(owner, member, outsider, charger):
    second_cp = own_charger(owner, "CP-TWO")
    a = group_with(owner, members=[member], chargers=[charger], name="A")
    b = group_with(owner, members=[outsider], chargers=[second_cp], name="B")
    assert set(charger_list_for_user(member)) == {charger}
    assert set(charger_list_for_user(outsider)) == {second_cp}
    assert {g.name for g in services.group_list_with_details(owner)} == {a.name, b.name}


# --- Bookings and the waitlist follow (RES-1, RES-4) ------------------------------------------


def test_a_removed_member_loses_bookings_and_waitlist_place(world, owner, member, group_charger):
    from groups.models import Booking, WaitlistEntry

    group = group_charger.group_link.group
    now = timezone.now()
    booking = Booking.objects.create(group=group, charge_point=group_charger, connector_id=1, user=member,
                                     starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    entry = WaitlistEntry.objects.create(group=group, user=member)
    services.member_remove(group=group, user=member, acting_user=owner)
    booking.refresh_from_db()
    entry.refresh_from_db()
    assert booking.status == "cancelled" and entry.status == "cancelled"


def test_a_charger_taken_out_of_the_group_loses_its_bookings(world, owner, member, group_charger):
    from groups.models import Booking

    group = group_charger.group_link.group
    now = timezone.now()
    booking = Booking.objects.create(group=group, charge_point=group_charger, connector_id=1, user=member,
                                     starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    services.group_charger_set(group=group, charge_point=group_charger, included=False, acting_user=owner)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
