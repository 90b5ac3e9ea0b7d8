"""Sharing a charger and guest access (CP-3, ACC-3): services and selectors.

A share gives an e-mail address the use of one charger until an expiry. The recipient gets
an e-mail with a per-share access code (stored only hashed) and an authorization tag that
identifies their sessions at the charger. Registered users find the charger in their Shared
tab; anyone else signs in as a guest with the e-mail and the code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import LoginEvent, Notification
from accounts.services import notification_create
from wccportal.errors import DomainError
from wccportal.lib.emails import send_templated

from .local_list import local_list_changed
from .models import ChargePoint, ChargerShare, IdTag
from .passwords import check_secret, generate_code, hash_secret
from .services import _tag_id_error, tag_create

ACCESS_CODE_DIGITS = 6
SHARE_TAG_PREFIX = "SH-"


def generate_access_code() -> str:
    """A six-digit code, read from an e-mail and typed on a phone."""
    return f"{secrets.randbelow(10**ACCESS_CODE_DIGITS):0{ACCESS_CODE_DIGITS}d}"


def charger_zone(charge_point: ChargePoint) -> ZoneInfo:
    return zone_or_default(charge_point.time_zone)


def zone_or_default(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo(settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def latest_expiry(now: datetime) -> datetime:
    """A share lasts at most one year."""
    try:
        return now.replace(year=now.year + 1)
    except ValueError:  # 29 February
        return now.replace(year=now.year + 1, day=28)


# --- Selectors ------------------------------------------------------------------------------


def share_list_active(*, charge_point: ChargePoint, at: datetime | None = None) -> QuerySet[ChargerShare]:
    """Shares of this charger in force now (not revoked, not expired)."""
    return (
        ChargerShare.objects.filter(
            charge_point=charge_point, revoked_at__isnull=True, expires_at__gt=at or timezone.now()
        )
        .select_related("recipient", "id_tag")
        .order_by("expires_at", "email")
    )


def share_list_received(*, user, at: datetime | None = None) -> QuerySet[ChargerShare]:
    """Shares in force given to this user (as recipient or by e-mail address)."""
    if not user.is_authenticated:
        return ChargerShare.objects.none()
    return ChargerShare.objects.filter(
        Q(recipient=user) | Q(email__iexact=user.email),
        revoked_at__isnull=True, expires_at__gt=at or timezone.now(),
    ).select_related("charge_point", "id_tag")


def share_get_for_owner(*, charge_point: ChargePoint, share_id: int) -> ChargerShare:
    """A share of a charger the caller has already been allowed to change, else 404."""
    try:
        return ChargerShare.objects.select_related("recipient", "id_tag").get(
            charge_point=charge_point, pk=share_id
        )
    except ChargerShare.DoesNotExist:
        raise Http404("No such share.") from None


@dataclass(frozen=True)
class ChargerUsers:
    """Who may use a charger now, besides its owner (CP-3 Users)."""

    shares: list[ChargerShare]
    group_name: str
    members: list  # users, read-only here: groups are managed on their own pages
    group_owner_id: int | None


def charger_users(*, charge_point: ChargePoint) -> ChargerUsers:
    # Through reverse relations: chargers must not import groups (DESIGN.md §3).
    link = getattr(charge_point, "group_link", None)
    members: list = []
    group_name = ""
    group_owner_id = None
    if link is not None:
        group = link.group
        group_name, group_owner_id = group.name, group.owner_id
        members = list(
            get_user_model().objects.filter(
                Q(memberships__group=group) | Q(pk=group.owner_id)
            ).distinct().order_by("first_name", "last_name", "email")
        )
    return ChargerUsers(list(share_list_active(charge_point=charge_point)), group_name, members,
                        group_owner_id)


# --- Share ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareResult:
    share: ChargerShare
    access_code: str  # in clear only here and in the e-mail


def _field_error(field: str, message: str, code: str) -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _field_error("email", _("Enter a valid e-mail address."), "invalid_email") from None
    return email


def _check_expiry(expires_at: datetime, now: datetime) -> datetime:
    if timezone.is_naive(expires_at):
        raise _field_error("expires_at", _("The expiry needs a time zone."), "invalid_expiry")
    if expires_at <= now:
        raise _field_error("expires_at", _("The expiry must be in the future."), "invalid_expiry")
    if expires_at > latest_expiry(now):
        raise _field_error(
            "expires_at", _("A share lasts at most one year."), "invalid_expiry"
        )
    return expires_at


def _tag_in_use() -> DomainError:
    return _field_error(
        "id_tag",
        _("This tag is already in use. Enter another one, or leave the field empty and a new "
          "tag is made for this share."),
        "tag_in_use",
    )


def _share_tag(*, id_tag: str, charge_point: ChargePoint, owner, recipient) -> IdTag:
    """The tag identifying the recipient's sessions, never one of the owner's own tags:
    those would keep working at the charger after the share expires."""
    id_tag = (id_tag or "").strip()
    if not id_tag:
        for _attempt in range(5):
            candidate = SHARE_TAG_PREFIX + generate_code(10)
            if not IdTag.objects.filter(id_tag__iexact=candidate).exists():
                return tag_create(
                    id_tag=candidate, user=None, kind=IdTag.Kind.VIRTUAL,
                    alias=_share_alias(charge_point), acting_user=owner,
                )
        raise DomainError(_("No free tag ID was found. Please try again."), code="tag_generation")
    if error := _tag_id_error(id_tag):
        raise _field_error("id_tag", error, "invalid_tag")
    existing = IdTag.objects.select_for_update().filter(id_tag__iexact=id_tag).first()
    if existing is None:
        # A card the recipient will hold: unowned, valid wherever a share names it.
        return tag_create(
            id_tag=id_tag, user=None, kind=IdTag.Kind.PHYSICAL,
            alias=_share_alias(charge_point), acting_user=owner,
        )
    if existing.user_id is None:
        used_by = set(existing.shares.values_list("shared_by_id", flat=True))
        if used_by == {owner.pk}:
            return existing
    elif recipient is not None and existing.user_id == recipient.pk and not recipient.is_guest:
        return existing
    raise _tag_in_use()


def _share_alias(charge_point: ChargePoint) -> str:
    return (_("Share: %(name)s") % {"name": charge_point.display_name})[:100]


@transaction.atomic
def share_create(
    *, charge_point: ChargePoint, email: str, expires_at: datetime, id_tag: str = "",
    acting_user,
) -> ShareResult:
    """Share a charger the acting user may change (the caller checked it) with an e-mail.

    Sends the recipient the access code and tag, notifies them in the app if registered and
    brings the charger's local list in step. Bad input raises DomainError, changing nothing.
    """
    now = timezone.now()
    email = _clean_email(email)
    if email == acting_user.email.lower():
        raise _field_error("email", _("You cannot share a charger with yourself."), "share_self")
    expires_at = _check_expiry(expires_at, now)
    recipient = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    tag = _share_tag(id_tag=id_tag, charge_point=charge_point, owner=acting_user, recipient=recipient)
    code = generate_access_code()
    share = ChargerShare.objects.create(
        charge_point=charge_point, shared_by=acting_user, email=email, recipient=recipient,
        id_tag=tag, access_code_hash=hash_secret(code), expires_at=expires_at,
    )
    registered = recipient is not None and not recipient.is_guest
    if registered:
        with translation.override(recipient.language):
            notification_create(
                user=recipient, kind=Notification.Kind.CHARGER_SHARED,
                title=_("%(owner)s shared the charger %(name)s with you")
                % {"owner": acting_user.get_full_name(), "name": charge_point.display_name},
                body=_("You may use it until %(expiry)s. It is in your Shared tab.")
                % {"expiry": _format_expiry(charge_point, expires_at)},
                link=reverse("app:chargers") + "?tab=shared",
            )
    language = recipient.language if registered else acting_user.language
    context = {
        "charger_name": charge_point.display_name,
        "charge_point_id": charge_point.charge_point_id,
        "access_code": code,
        "id_tag": tag.id_tag,
        "expires_at": expires_at,
        "time_zone": charge_point.time_zone,
        "sharer": acting_user.get_full_name(),
        "registered": registered,
        "guest_login_url": settings.SITE_URL + reverse("guest_login"),
        "shared_tab_url": settings.SITE_URL + reverse("app:chargers") + "?tab=shared",
    }
    # Sent straight after the commit, not through the job queue: the e-mail holds the code
    # in clear, and the queue would store it. A mail server failure is logged (robust) and
    # does not undo the share: the owner can revoke it and share again.
    transaction.on_commit(lambda: send_templated("share", email, context, language=language),
                          robust=True)
    local_list_changed([charge_point.pk])
    return ShareResult(share, code)


def _format_expiry(charge_point: ChargePoint, expires_at: datetime) -> str:
    local = timezone.localtime(expires_at, charger_zone(charge_point))
    return f"{date_format(local, 'DATETIME_FORMAT')} ({charge_point.time_zone})"


@transaction.atomic
def share_revoke(*, share: ChargerShare, acting_user=None) -> ChargerShare:
    """End a share now; the web and the charger refuse the recipient at once."""
    changed = ChargerShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    share.refresh_from_db(fields=["revoked_at"])
    if changed:
        local_list_changed([share.charge_point_id])
    return share


@transaction.atomic
def share_leave(*, user, charge_point_id: str) -> int:
    """The recipient gives back a charger shared with them (all their shares of it).

    404 when nothing of that charger is shared with the user."""
    shares = share_list_received(user=user).filter(charge_point__charge_point_id=charge_point_id)
    pks = list(shares.values_list("pk", flat=True))
    if not pks:
        raise Http404("No such share.")
    charge_point_pk = shares.values_list("charge_point_id", flat=True).first()
    ChargerShare.objects.filter(pk__in=pks).update(revoked_at=timezone.now())
    local_list_changed([charge_point_pk])
    return len(pks)


# --- Guest login (ACC-3) ----------------------------------------------------------------------


def _invalid_guest_login() -> DomainError:
    # One answer for every mismatch: nothing tells which part was wrong.
    return DomainError(
        _("This e-mail address, access code and tag do not match a valid share."),
        code="invalid_guest_login",
    )


def guest_user_for_share(*, email: str, access_code: str, id_tag: str = "", ip_address=None,
                         user_agent: str = ""):
    """The guest account for valid share credentials, created on first use.

    Raises ``invalid_guest_login`` for any mismatch, ``has_account`` when the e-mail belongs
    to a registered user (who signs in with a password and finds the charger in the Shared
    tab). Failed attempts are recorded in the login history.
    """
    User = get_user_model()
    email = (email or "").strip().lower()
    access_code = (access_code or "").strip()
    id_tag = (id_tag or "").strip().lower()
    now = timezone.now()
    shares = ChargerShare.objects.filter(
        email__iexact=email, revoked_at__isnull=True, expires_at__gt=now
    ).select_related("id_tag") if email and access_code else ChargerShare.objects.none()
    matched = [
        share for share in shares
        if check_secret(access_code, share.access_code_hash)
        and (not id_tag or (share.id_tag is not None and share.id_tag.id_tag.lower() == id_tag))
    ]
    existing = User.objects.filter(email__iexact=email).first() if email else None
    if not matched:
        LoginEvent.objects.create(
            user=existing, email=email[:254] or "-", succeeded=False,
            channel=LoginEvent.Channel.GUEST, ip_address=ip_address, user_agent=user_agent[:300],
        )
        raise _invalid_guest_login()
    # Only someone holding a valid code learns that the address has an account.
    if existing is not None and not existing.is_guest:
        LoginEvent.objects.create(
            user=existing, email=email[:254], succeeded=False, channel=LoginEvent.Channel.GUEST,
            ip_address=ip_address, user_agent=user_agent[:300],
        )
        raise DomainError(
            _("This e-mail address has an account: sign in with your password. The charger "
              "is in your Shared tab."),
            code="has_account",
        )
    with transaction.atomic():
        if existing is None:
            existing = User.objects.create_user(
                email, password=None, is_guest=True, language=_language(),
            )
        elif not existing.is_active:
            existing.is_active = True
            existing.deactivated_at = None
            existing.save(update_fields=["is_active", "deactivated_at", "updated_at"])
        ChargerShare.objects.filter(
            email__iexact=email, revoked_at__isnull=True, recipient__isnull=True
        ).update(recipient=existing)
    return existing


def _language() -> str:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def guest_login_recorded(*, user, since: datetime) -> None:
    """Mark the sign-in that ``django.contrib.auth.login`` just recorded as a guest one."""
    LoginEvent.objects.filter(user=user, succeeded=True, created_at__gte=since).update(
        channel=LoginEvent.Channel.GUEST
    )


def guest_login_rate(scope: str = "guest_login") -> tuple[int, int]:
    """(attempts, seconds) of the API's throttle scope, shared with the page."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def guest_login_throttled(*, keys: list[str]) -> bool:
    """Count one attempt against each key (an IP, an e-mail); True once any is over the limit."""
    limit, window = guest_login_rate()
    over = False
    for key in keys:
        cache_key = f"guest-login:{key}"
        cache.add(cache_key, 0, window)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, window)
            count = 1
        over = over or count > limit
    return over
