"""Groups, members, invitations and the chargers of a group (GRP-1 … GRP-6): the use cases.

Pages, the API and the periodic job call these; they check the caller's right (the views
found the group through ``groups.selectors`` already) and change nothing on a refusal.

Access to a group's chargers is decided live from memberships (``chargers.selectors.member_q``
on the web, ``sessions_app.authorization.authorize`` at the charger), so a removal takes
effect at once; the chargers' local authorization lists are re-synced after the commit
(``local_list_changed``) so a charger working offline forgets the removed tags too.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.services import notification_create
from chargers.local_list import local_list_changed
from chargers.models import ChargePoint
from chargers.selectors import owned_q
from wccportal.errors import Conflict, DomainError, NotFound, PermissionDenied
from wccportal.lib.emails import send_templated

from .models import Group, GroupCharger, Invitation, Membership, Tariff

log = logging.getLogger(__name__)

# Expired invitations nobody answered are kept this long for the owner's overview, then
# deleted with the e-mail address they hold (data minimisation).
INVITATION_KEEP_DAYS = 30

_UNSET = object()


def invitation_days() -> int:
    return int(getattr(settings, "GROUP_INVITATION_DAYS", 7))


def hash_token(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def invitation_url(token: str) -> str:
    """The absolute Accept link of the e-mail (GRP-3)."""
    return settings.SITE_URL + reverse("invitation_detail", args=[token])


def group_charger_pks(group: Group) -> list[int]:
    return list(GroupCharger.objects.filter(group=group).values_list("charge_point_id", flat=True))


def can_create_group(user) -> tuple[bool, str]:
    """Whether the user may create a group now, else the refusal's code (GRP-1, GRP-2)."""
    if not user.is_authenticated or getattr(user, "is_guest", False):
        return False, "no_charger"
    if not ChargePoint.objects.filter(owned_q(user)).exists():
        return False, "no_charger"
    if not user.is_premium and Group.objects.filter(owner=user).exists():
        return False, "premium_required"
    return True, ""


def _field_error(field: str, message: str, code: str) -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


def can_manage_group(group: Group, user) -> bool:
    """The group's owner (or staff) may change it, its members, invitations and chargers."""
    return user is not None and (user.pk == group.owner_id or user.is_staff)


def _require_owner(group: Group, user) -> None:
    # The views found the group through the selectors; a member reaching an owner's action
    # learns nothing new from a 404 either.
    if not can_manage_group(group, user):
        raise NotFound(_("No such group."), code="not_found")


def _optional_call(module: str, name: str, **kwargs) -> None:
    """Call a helper of a sibling feature module (bookings, waitlist) if it is there: the
    features were built side by side, and a group works without them."""
    import importlib

    try:
        target = getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return
    if target is not None:
        target(**kwargs)


# --- Groups (GRP-1, GRP-2, GRP-6) -------------------------------------------------------------


_LIMITS = {"name": 100, "city": 100, "zip_code": 16, "address": 200}


def _clean_fields(**given) -> dict:
    """The given details, stripped; each one required (GRP-1: name, city, zip code, address)."""
    values = {field: (value or "").strip() for field, value in given.items()}
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        if not value:
            errors[field] = [_("This field is required.")]
        elif len(value) > _LIMITS[field]:
            errors[field] = [_("At most %(count)d characters.") % {"count": _LIMITS[field]}]
    if errors:
        raise DomainError(_("Check the group's details."), code="invalid", fields=errors)
    return values


def _check_tariff(tariff: Tariff | None, owner) -> Tariff | None:
    """One tariff per group, and only one of the group owner's own (GRP-6)."""
    if tariff is None:
        return None
    if tariff.owner_id != owner.pk:
        raise _field_error("tariff", _("Choose one of your own tariffs."), "invalid_tariff")
    return tariff


@transaction.atomic
def group_create(*, owner, name: str, city: str, zip_code: str, address: str,
                 tariff: Tariff | None = None) -> Group:
    """Create a group (GRP-1): only owners of a charger; a second one only on the premium
    plan (GRP-2). The owner's row is locked so two quick submissions cannot both pass."""
    values = _clean_fields(name=name, city=city, zip_code=zip_code, address=address)
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    allowed, code = can_create_group(owner)
    if code == "no_charger":
        raise PermissionDenied(
            _("Only owners of a charger can create a group. Add your charger first."), code=code)
    if not allowed:
        raise PermissionDenied(
            _("Several groups are a premium feature. Upgrade to premium to create another group."),
            code=code,
        )
    return Group.objects.create(owner=owner, tariff=_check_tariff(tariff, owner), **values)


@transaction.atomic
def group_update(*, group: Group, acting_user, name=_UNSET, city=_UNSET, zip_code=_UNSET,
                 address=_UNSET, tariff=_UNSET) -> Group:
    """Change a group's details or its tariff (owner). Omitted fields stay as they are;
    ``tariff=None`` removes the tariff (sessions are then free)."""
    _require_owner(group, acting_user)
    given = {"name": name, "city": city, "zip_code": zip_code, "address": address}
    values = _clean_fields(**{field: value for field, value in given.items() if value is not _UNSET})
    fields = []
    for field, value in values.items():
        if value != getattr(group, field):
            setattr(group, field, value)
            fields.append(field)
    if tariff is not _UNSET:
        tariff = _check_tariff(tariff, group.owner)
        if (tariff.pk if tariff else None) != group.tariff_id:
            group.tariff = tariff
            fields.append("tariff")
    if fields:
        group.save(update_fields=[*fields, "updated_at"])
    return group


@transaction.atomic
def group_delete(*, group: Group, acting_user) -> None:
    """Delete a group (owner): its chargers are released from it and its members lose
    access at once, on the web and at the chargers."""
    _require_owner(group, acting_user)
    charger_pks = group_charger_pks(group)
    for cp in ChargePoint.objects.filter(pk__in=charger_pks):
        _optional_call("groups.bookings", "bookings_cancel_for_charger", charge_point=cp)
    group.delete()
    local_list_changed(charger_pks)


# --- Invitations (GRP-3) ----------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationResult:
    invitation: Invitation
    token: str  # in clear only here and in the e-mail
    resent: bool = False


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _field_error("email", _("Enter a valid e-mail address."), "invalid_email") from None
    return email


def _new_token() -> tuple[str, str]:
    while True:
        token = secrets.token_urlsafe(32)
        token_hash = hash_token(token)
        if not Invitation.objects.filter(token_hash=token_hash).exists():
            return token, token_hash


@transaction.atomic
def invitation_create(*, group: Group, email: str, invited_by) -> InvitationResult:
    """Invite an e-mail address to the group (owner). The e-mail carries an Accept link with
    a random token (only its hash is stored), valid ``GROUP_INVITATION_DAYS``; a registered
    recipient also gets a notification. Inviting the same address again while an invitation
    is pending sends it again with a new link and expiry."""
    _require_owner(group, invited_by)
    email = _clean_email(email)
    # One invitation at a time per address: concurrent requests queue on the group's row.
    group = Group.objects.select_for_update().select_related("owner").get(pk=group.pk)
    if email == group.owner.email.lower():
        raise _field_error("email", _("You own this group: you are in it already."), "already_member")
    if Membership.objects.filter(group=group, user__email__iexact=email).exists():
        raise Conflict(_("%(email)s is already a member of this group.") % {"email": email},
                       code="already_member", fields={"email": [_("Already a member.")]})
    now = timezone.now()
    token, token_hash = _new_token()
    expires_at = now + timedelta(days=invitation_days())
    invitation = (
        Invitation.objects.select_for_update()
        .filter(group=group, email__iexact=email, status=Invitation.Status.PENDING)
        .order_by("-created_at").first()
    )
    resent = invitation is not None
    if resent:
        invitation.token_hash, invitation.expires_at, invitation.invited_by = token_hash, expires_at, invited_by
        invitation.save(update_fields=["token_hash", "expires_at", "invited_by", "updated_at"])
    else:
        invitation = Invitation.objects.create(
            group=group, email=email, invited_by=invited_by, token_hash=token_hash, expires_at=expires_at,
        )
    _send_invitation(invitation, token, invited_by)
    return InvitationResult(invitation, token, resent)


def _send_invitation(invitation: Invitation, token: str, invited_by) -> None:
    group = invitation.group
    recipient = get_user_model().objects.filter(email__iexact=invitation.email, is_active=True).first()
    registered = recipient is not None and not recipient.is_guest
    inviter = invited_by.get_full_name()
    if registered:
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            notification_create(
                user=recipient, kind=Notification.Kind.GROUP_INVITATION,
                title=_("%(inviter)s invited you to the group %(group)s") % {"inviter": inviter, "group": group.name},
                body=_("Accept the invitation to charge at the group's chargers."),
                link=reverse("app:invitation_list"),
            )
    language = (recipient.language if registered else invited_by.language) or settings.LANGUAGE_CODE
    context = {
        "group_name": group.name,
        "group_address": ", ".join(p for p in (group.address, f"{group.zip_code} {group.city}".strip()) if p),
        "inviter": inviter,
        "accept_url": invitation_url(token),
        "expires_at": invitation.expires_at,
        "time_zone": settings.TIME_ZONE,
        "registered": registered,
    }
    email = invitation.email
    # Sent straight after the commit, not through the job queue: the link holds the token
    # in clear, and the queue would store it. A mail failure is logged; "send again" helps.
    transaction.on_commit(lambda: send_templated("group_invitation", email, context, language=language),
                          robust=True)


def invitation_for_token(token: str, *, lock: bool = False) -> Invitation:
    """The invitation of an Accept link, whatever its state; 404 for an unknown token."""
    qs = Invitation.objects.select_related("group", "group__owner", "invited_by")
    if lock:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(token_hash=hash_token(token)).first() if token else None
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."), code="invitation_not_found")
    return invitation


def invitation_state(invitation: Invitation, *, at: datetime | None = None) -> str:
    """pending, expired, accepted, declined or revoked."""
    if invitation.status == Invitation.Status.PENDING and invitation.expires_at <= (at or timezone.now()):
        return "expired"
    return invitation.status


def invitation_matches(invitation: Invitation, user) -> bool:
    return bool(user.is_authenticated and user.email and user.email.lower() == invitation.email.lower())


def _answerable(invitation: Invitation, user) -> None:
    """Refuse an answer to a closed or expired invitation, or from anyone but its addressee."""
    state = invitation_state(invitation)
    if state == "expired":
        raise DomainError(_("This invitation has expired. Ask the group's owner to invite you again."),
                          code="invitation_expired")
    if state != Invitation.Status.PENDING:
        messages = {
            Invitation.Status.ACCEPTED: _("This invitation was already accepted."),
            Invitation.Status.DECLINED: _("This invitation was declined."),
            Invitation.Status.REVOKED: _("This invitation was withdrawn by the group's owner."),
        }
        raise Conflict(messages[state], code=f"invitation_{state}")
    if not invitation_matches(invitation, user):
        raise PermissionDenied(
            _("This invitation is for %(email)s. Sign in with that e-mail address to answer it.")
            % {"email": invitation.email}, code="wrong_user",
        )
    if user.is_guest:
        raise PermissionDenied(_("Create an account with this e-mail address to join a group."),
                               code="guest_account")


def _locked(invitation: Invitation | None, token: str | None) -> Invitation:
    if invitation is not None:
        return Invitation.objects.select_for_update(of=("self",)).select_related("group").get(pk=invitation.pk)
    return invitation_for_token(token or "", lock=True)


@transaction.atomic
def invitation_accept(*, user, invitation: Invitation | None = None, token: str | None = None) -> Membership:
    """Join the group of an invitation addressed to the user's e-mail (any case) and still
    valid. The group's chargers accept the user's tags at once; their local lists follow."""
    invitation = _locked(invitation, token)
    if (invitation.status == Invitation.Status.ACCEPTED and invitation.user_id == user.pk
            and (membership := Membership.objects.filter(group=invitation.group, user=user).first())):
        return membership  # a second click on the link
    _answerable(invitation, user)
    group = invitation.group
    now = timezone.now()
    membership = None
    if user.pk != group.owner_id:
        membership, _created = Membership.objects.get_or_create(group=group, user=user)
    invitation.status, invitation.responded_at, invitation.user = Invitation.Status.ACCEPTED, now, user
    invitation.save(update_fields=["status", "responded_at", "user", "updated_at"])
    if invitation.invited_by_id and invitation.invited_by_id != user.pk:
        inviter = invitation.invited_by
        with translation.override(inviter.language or settings.LANGUAGE_CODE):
            notification_create(
                user=inviter, kind=Notification.Kind.GROUP_INVITATION,
                title=_("%(name)s joined the group %(group)s") % {"name": user.get_full_name(), "group": group.name},
                link=reverse("app:group_detail", args=[group.pk]),
            )
    local_list_changed(group_charger_pks(group))
    return membership


@transaction.atomic
def invitation_decline(*, user, invitation: Invitation | None = None, token: str | None = None) -> Invitation:
    """Say no to an invitation addressed to the user."""
    invitation = _locked(invitation, token)
    _answerable(invitation, user)
    invitation.status, invitation.responded_at, invitation.user = Invitation.Status.DECLINED, timezone.now(), user
    invitation.save(update_fields=["status", "responded_at", "user", "updated_at"])
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, acting_user) -> Invitation:
    """Withdraw a pending invitation (owner): its link stops working."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("group").get(pk=invitation.pk)
    _require_owner(invitation.group, acting_user)
    if invitation.status != Invitation.Status.PENDING:
        raise Conflict(_("Only a pending invitation can be withdrawn."), code="invitation_closed")
    invitation.status, invitation.responded_at = Invitation.Status.REVOKED, timezone.now()
    invitation.save(update_fields=["status", "responded_at", "updated_at"])
    return invitation


def invitation_get_for_owner(*, group: Group, invitation_id) -> Invitation:
    try:
        return Invitation.objects.get(group=group, pk=invitation_id)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such invitation."), code="not_found") from None


def invitations_expire(*, now: datetime | None = None) -> int:
    """Hourly job (GRP-3). An invitation past its expiry stays *pending* in the table but is
    no longer listed, answerable or counted anywhere (every read filters on ``expires_at``);
    the owner sees it as expired and may send it again. This deletes those unanswered for
    ``INVITATION_KEEP_DAYS`` after their expiry, with the e-mail address they hold.
    Returns how many were deleted."""
    now = now or timezone.now()
    deleted, _detail = Invitation.objects.filter(
        status=Invitation.Status.PENDING, expires_at__lte=now - timedelta(days=INVITATION_KEEP_DAYS)
    ).delete()
    return deleted


# --- Members (GRP-4) --------------------------------------------------------------------------


def _membership_ended(group: Group, user) -> None:
    """What follows a member's departure: their bookings and waitlist places in the group go,
    and the chargers' local lists drop their tags (authorize() already refuses them)."""
    _optional_call("groups.bookings", "bookings_cancel_for_member", group=group, user=user)
    _optional_call("groups.waitlist", "waitlist_leave_group", group=group, user=user)
    local_list_changed(group_charger_pks(group))


@transaction.atomic
def member_remove(*, group: Group, user, acting_user) -> None:
    """Remove a member (owner, after a confirmation): their access to the group's chargers
    ends at once, in the app and at the chargers (GRP-4)."""
    _require_owner(group, acting_user)
    deleted, _detail = Membership.objects.filter(group=group, user=user).delete()
    if not deleted:
        raise NotFound(_("This person is not a member of the group."), code="not_found")
    _membership_ended(group, user)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        notification_create(
            user=user, kind=Notification.Kind.GENERAL,
            title=_("You are no longer a member of the group %(group)s") % {"group": group.name},
            body=_("Its chargers are no longer available to you."),
        )


@transaction.atomic
def member_leave(*, group: Group, user) -> None:
    """A member leaves a group; the owner cannot (they delete the group instead)."""
    if user.pk == group.owner_id:
        raise DomainError(_("You own this group: delete it instead of leaving it."), code="owner_cannot_leave")
    deleted, _detail = Membership.objects.filter(group=group, user=user).delete()
    if not deleted:
        raise NotFound(_("You are not a member of this group."), code="not_found")
    _membership_ended(group, user)


# --- Chargers of a group (GRP-5) --------------------------------------------------------------


def _charger_in_other_group(charge_point: ChargePoint) -> DomainError:
    return Conflict(
        _("%(name)s is already in another group. Remove it from that group first.")
        % {"name": charge_point.display_name},
        code="charger_in_other_group",
    )


@transaction.atomic
def group_charger_set(*, group: Group, charge_point: ChargePoint, included: bool, acting_user) -> bool:
    """Put one of the owner's chargers in the group or take it out (GRP-5). A charger is in
    at most one group (a one-to-one in the database): one already in another group is
    refused, never moved; two requests racing for it end with one refusal, not an error.
    Returns whether anything changed."""
    _require_owner(group, acting_user)
    if not ChargePoint.objects.filter(owned_q(group.owner), pk=charge_point.pk).exists():
        raise NotFound(_("No such charger."), code="not_found")
    link = GroupCharger.objects.filter(charge_point=charge_point).first()
    if included:
        if link is not None:
            if link.group_id == group.pk:
                return False
            raise _charger_in_other_group(charge_point)
        try:
            with transaction.atomic():
                GroupCharger.objects.create(group=group, charge_point=charge_point)
        except IntegrityError:
            # Another request placed it meanwhile (the unique index waited for it to commit).
            if GroupCharger.objects.filter(group=group, charge_point=charge_point).exists():
                return False
            raise _charger_in_other_group(charge_point) from None
    else:
        if link is None or link.group_id != group.pk:
            return False
        GroupCharger.objects.filter(pk=link.pk).delete()
        _optional_call("groups.bookings", "bookings_cancel_for_charger", charge_point=charge_point)
    local_list_changed([charge_point.pk])
    return True


def group_list_with_details(user, *, pk=None):
    """The groups the user owns or belongs to (staff: only their own here too), with
    ``member_count`` and their charger links, for My groups and the API. Through the
    selectors; with ``pk`` only that one, which the user may see."""
    from .selectors import group_list_for_user

    visible = group_list_for_user(user)
    visible = visible.filter(pk=pk) if pk is not None else visible.filter(Q(owner=user) | Q(memberships__user=user))
    return (
        Group.objects.filter(pk__in=visible.values("pk"))
        .select_related("owner", "tariff")
        .annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(Prefetch(
            "charger_links", queryset=GroupCharger.objects.select_related("charge_point").order_by(
                "charge_point__name", "charge_point__charge_point_id"),
        ))
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class ChargerChoice:
    """One of the owner's chargers on a group's settings (GRP-5 toggles)."""

    charge_point: ChargePoint
    included: bool
    other_group: Group | None  # the group it is in, when not this one


def group_charger_choices(*, group: Group) -> list[ChargerChoice]:
    """Every charger of the group's owner, and where each one is."""
    chargers = (
        ChargePoint.objects.filter(owned_q(group.owner))
        .select_related("group_link__group").order_by("name", "charge_point_id")
    )
    choices = []
    for cp in chargers:
        link = getattr(cp, "group_link", None)
        choices.append(ChargerChoice(
            cp, link is not None and link.group_id == group.pk,
            link.group if link is not None and link.group_id != group.pk else None,
        ))
    return choices
