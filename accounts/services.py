"""Account use cases. Views, API, admin and tasks call these; none holds logic itself."""

import logging
import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wccportal.errors import DomainError
from wccportal.lib.emails import send_templated
from wccportal.lib.realtime import live_update_on_commit

from .models import Consent, Notification, User

logger = logging.getLogger(__name__)


def notification_create(*, user: User, kind: str, title: str, body: str = "", link: str = ""):
    """Store an in-app notification and push the new unread count to the user's pages."""
    notification = Notification.objects.create(
        user=user, kind=kind, title=title[:200], body=body, link=link
    )
    live_update_on_commit(
        f"live.user.{user.pk}",
        {"type": "live.event", "event": "notification", "unread": notification_unread_count(user=user)},
    )
    return notification


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids=None) -> int:
    """Mark the given notifications (or all) of the user as read; returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def user_set_language(*, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language", "updated_at"])


# --- Sign-up, initial password, deletion (ACC-1, ACC-6, ACC-8) ---------------------------------

INITIAL_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105


def initial_password_generate() -> str:
    """A strong password that is easy to copy from an e-mail: four groups of four characters
    without look-alikes (0/O, 1/l/I), about 92 bits."""
    groups = ["".join(secrets.choice(INITIAL_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def _send_initial_password(user_pk: int, password: str) -> None:
    # Sent straight after the commit, not through the job queue: the queue would store the
    # plain password in its table. A mail failure leaves a working account: "forgot password"
    # sends a new way in.
    user = User.objects.get(pk=user_pk)
    try:
        send_templated(
            "initial_password", user.email,
            {"name": user.get_short_name(), "email": user.email, "password": password,
             "login_url": settings.SITE_URL + reverse("account_login")},
            language=user.language,
        )
    except Exception:
        logger.exception("The initial password e-mail to user %s could not be sent", user_pk)


def user_signup(
    *, email: str, first_name: str, last_name: str, accepted_terms: bool, language: str = ""
) -> User:
    """ACC-1: create an account (or turn a guest into one) and e-mail its initial password.

    The person chooses no password here: the e-mailed one must be replaced at first login.
    """
    if accepted_terms is not True:
        raise DomainError(
            _("Accept the terms of use and the privacy policy to create an account."),
            code="terms_not_accepted", fields={"accept_terms": [_("This field is required.")]},
        )
    email = User.objects.normalize_email((email or "").strip()).lower()
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    errors = {}
    if not first_name:
        errors["first_name"] = [_("This field is required.")]
    if not last_name:
        errors["last_name"] = [_("This field is required.")]
    if not email:
        errors["email"] = [_("This field is required.")]
    if errors:
        raise DomainError(_("Fill in every required field."), code="invalid", fields=errors)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    password = initial_password_generate()
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__lower=email).first()
        if user is not None and not user.is_guest:
            raise DomainError(
                _("An account with this e-mail address already exists. Sign in or reset your password."),
                code="email_taken", status=409, fields={"email": [_("This e-mail address is already registered.")]},
            )
        if user is None:
            user = User(email=email)
        # A guest (ACC-3) keeps its row, so the chargers shared with it stay attached.
        user.first_name, user.last_name = first_name[:150], last_name[:150]
        user.language = language
        user.is_guest = False
        user.is_active = True
        user.deactivated_at = None
        user.must_change_password = True
        user.set_password(password)
        user.save()
        Consent.objects.bulk_create([
            Consent(user=user, document=Consent.Document.TERMS, version=settings.TERMS_VERSION, created_at=now),
            Consent(user=user, document=Consent.Document.PRIVACY, version=settings.PRIVACY_VERSION, created_at=now),
        ])
        transaction.on_commit(partial(_send_initial_password, user.pk, password))
    return user


def user_password_changed(*, user: User) -> None:
    """The user chose a password of their own (change, reset or set): lift ACC-1's demand."""
    if user.must_change_password:
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False


def user_profile_update(*, user: User, **fields) -> User:
    """ACC-8: names, mobile number, employee number and language."""
    allowed = {"first_name", "last_name", "mobile", "employee_number", "language"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    if "language" in fields and fields["language"] not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the offered languages."), code="invalid",
                          fields={"language": [_("Choose one of the offered languages.")]})
    for name, value in fields.items():
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    user.save(update_fields=[*fields, "updated_at"])
    return user


def _tag_chargers(user: User) -> set[int]:
    """Chargers whose rights depend on this user: the ones they own, and every charger whose
    local authorization list holds one of their tags."""
    from chargers.models import ChargePoint, IdTag, LocalListEntry

    pks = set(ChargePoint.objects.filter(owner=user).values_list("pk", flat=True))
    tag_ids = [t.lower() for t in IdTag.objects.filter(user=user).values_list("id_tag", flat=True)]
    if tag_ids:
        pks |= set(
            LocalListEntry.objects.annotate(tag_lower=Lower("id_tag"))
            .filter(tag_lower__in=tag_ids).values_list("charge_point_id", flat=True)
        )
    return pks


def user_deactivate(*, user: User, password: str) -> None:
    """ACC-6 delete account: deactivated at once (sessions, app tokens and tags stop working),
    erased after the grace period unless the user signs in again."""
    if not password or not user.check_password(password):
        raise DomainError(_("The password is not correct."), code="wrong_password",
                          fields={"password": [_("The password is not correct.")]})
    user_deactivate_confirmed(user=user)


def user_deactivate_confirmed(*, user: User) -> None:
    """The deactivation of ACC-6 once it is confirmed (by the user's password, or by a manager
    of the account in the portal, ACC-12). An account already deleted keeps its erase date."""
    from chargers.local_list import local_list_changed

    if not user.is_active and user.deactivated_at is not None:
        return
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False, deactivated_at=timezone.now())
        user.refresh_from_db(fields=["is_active", "deactivated_at"])
        local_list_changed(_tag_chargers(user))


def user_can_reactivate(user: User, *, at=None) -> bool:
    return (
        not user.is_active and user.deactivated_at is not None
        and user.deactivated_at > (at or timezone.now()) - timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    )


def user_reactivate(*, user: User) -> bool:
    """ACC-6: signing in again within the grace period restores a deleted account."""
    from chargers.local_list import local_list_changed

    if not user_can_reactivate(user):
        return False
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True, deactivated_at=None)
        user.is_active, user.deactivated_at = True, None
        local_list_changed(_tag_chargers(user))
    return True


def user_erase(*, user: User) -> None:
    """ACC-6: erase a deleted account. Its chargers are released first (new claim code, shares
    revoked), then the row and everything hanging on it goes."""
    from chargers.local_list import local_list_changed
    from chargers.services import charger_unclaim

    with transaction.atomic():
        affected = _tag_chargers(user)
        for charge_point in user.owned_chargers.all():
            charger_unclaim(charge_point=charge_point, acting_user=None)
        local_list_changed(affected)
        user.delete()


def users_erase_deactivated(*, at=None) -> int:
    """Erase every account deleted longer than the grace period ago; returns how many."""
    limit = (at or timezone.now()) - timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    erased = 0
    for user in User.objects.filter(is_active=False, deactivated_at__lte=limit):
        user_erase(user=user)
        erased += 1
    return erased
