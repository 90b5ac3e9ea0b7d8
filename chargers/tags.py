"""Authorization tags of a driver (TAG-1 … TAG-3): virtual tags, RFID card enrolment at one
of the user's chargers, favourite, alias, deletion. Every change that alters who is accepted
where re-checks the chargers' local lists (TAG-5)."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wccportal.errors import Conflict, DomainError
from wccportal.lib.realtime import live_update_on_commit

from . import services
from .local_list import charger_pks_for_tag, charger_pks_for_user, local_list_changed
from .models import ChargePoint, IdTag, TagEnrolment
from .selectors import owned_q

ENROLMENT_SECONDS = 60
ALIAS_MAX = 100


def _alias_error(alias: str) -> str | None:
    if len(alias) > ALIAS_MAX:
        return _("An alias has at most %(max)d characters.") % {"max": ALIAS_MAX}
    return None


# --- Tags (TAG-2, TAG-3) -------------------------------------------------------------------------


def tag_add_virtual(*, user, id_tag: str, alias: str = "") -> IdTag:
    """A virtual tag of ``user``: its id is unique across the platform, ignoring case.
    A user's first tag becomes their favourite."""
    alias = alias.strip()
    with transaction.atomic():
        tag = services.tag_create(
            id_tag=id_tag, user=user, alias=alias, kind=IdTag.Kind.VIRTUAL, acting_user=user
        )
        _favourite_if_first(tag)
        local_list_changed(charger_pks_for_tag(tag))
    return tag


def _favourite_if_first(tag: IdTag) -> None:
    if tag.user_id and not IdTag.objects.filter(user_id=tag.user_id, is_favourite=True).exists():
        IdTag.objects.filter(pk=tag.pk).update(is_favourite=True)
        tag.is_favourite = True


def tag_update(*, tag: IdTag, alias: str) -> IdTag:
    alias = alias.strip()
    if error := _alias_error(alias):
        raise DomainError(error, code="invalid_alias", fields={"alias": [error]})
    tag.alias = alias
    tag.save(update_fields=["alias", "updated_at"])
    return tag


@transaction.atomic
def tag_set_favourite(*, tag: IdTag) -> IdTag:
    """Star this tag as its user's favourite (Scan & Charge, 1-Click); the former one loses
    the star in the same transaction (the database allows one per user)."""
    if tag.user_id is None:
        raise DomainError(_("Only a user's own tag can be the favourite."), code="no_user")
    IdTag.objects.filter(user_id=tag.user_id, is_favourite=True).exclude(pk=tag.pk).update(
        is_favourite=False
    )
    IdTag.objects.filter(pk=tag.pk).update(is_favourite=True)
    tag.is_favourite = True
    return tag


@transaction.atomic
def tag_delete(*, tag: IdTag) -> None:
    """Delete the tag; chargers that accepted it drop it from their local lists."""
    pks = charger_pks_for_tag(tag) | set(tag.valid_charge_points.values_list("pk", flat=True))
    user_id, was_favourite = tag.user_id, tag.is_favourite
    tag.delete()
    if was_favourite and user_id:
        # The star moves to the newest remaining tag, so 1-Click keeps working.
        successor = IdTag.objects.filter(user_id=user_id).order_by("-created_at").first()
        if successor:
            IdTag.objects.filter(pk=successor.pk).update(is_favourite=True)
    local_list_changed(pks)


# --- Card enrolment (TAG-1) -----------------------------------------------------------------------


def enrolment_state(enrolment: TagEnrolment, at=None) -> str:
    at = at or timezone.now()
    if enrolment.id_tag_id:
        return "enrolled"
    if enrolment.cancelled_at:
        return "cancelled"
    if enrolment.expires_at <= at:
        return "expired"
    return "waiting"


def _open(qs, at):
    return qs.filter(id_tag__isnull=True, cancelled_at__isnull=True, expires_at__gt=at)


def enrolment_start(*, user, charge_point: ChargePoint, alias: str = "") -> TagEnrolment:
    """Open a 60-second window at one of the user's chargers (the caller checked write access):
    the next unknown card presented there becomes the user's. One window per charger."""
    alias = alias.strip()
    if error := _alias_error(alias):
        raise DomainError(error, code="invalid_alias", fields={"alias": [error]})
    now = timezone.now()
    with transaction.atomic():
        cp = ChargePoint.objects.select_for_update().get(pk=charge_point.pk)
        if not cp.is_online:
            raise DomainError(
                _("%(charger)s is offline: a card can only be read while the charger is connected.")
                % {"charger": cp.display_name},
                code="charger_offline",
            )
        current = _open(TagEnrolment.objects.filter(charge_point=cp), now)
        if current.exclude(user=user).exists():
            raise Conflict(
                _("Someone else is adding a card at this charger. Try again in a minute."),
                code="enrolment_busy",
            )
        current.update(cancelled_at=now)  # the user's own earlier window: restarted
        return TagEnrolment.objects.create(
            user=user, charge_point=cp, alias=alias, created_at=now,
            expires_at=now + timedelta(seconds=ENROLMENT_SECONDS),
        )


def enrolment_cancel(*, enrolment: TagEnrolment) -> TagEnrolment:
    if enrolment_state(enrolment) == "waiting":
        enrolment.cancelled_at = timezone.now()
        enrolment.save(update_fields=["cancelled_at"])
    return enrolment


def enrolment_bind(*, charge_point_pk: int, id_tag: str) -> IdTag | None:
    """Called by TAG-5 when a tag unknown to the platform is presented at a charger: if an
    enrolment is open there, the tag becomes its user's RFID card. Returns it, or None.

    Only runs for unknown tags, so known ones are never re-bound; the window is checked
    against the time now (a late, queued message cannot enrol)."""
    now = timezone.now()
    if services._tag_id_error(id_tag):
        return None
    # Unknown cards are common (strangers' cards); without an open window, one cheap read.
    if not _open(TagEnrolment.objects.filter(charge_point_id=charge_point_pk), now).exists():
        return None
    with transaction.atomic():
        enrolment = (
            _open(TagEnrolment.objects.select_for_update(), now)
            .filter(charge_point_id=charge_point_pk).select_related("user").order_by("-created_at").first()
        )
        if enrolment is None:
            return None
        user = enrolment.user
        if not user.is_active or not ChargePoint.objects.filter(owned_q(user), pk=charge_point_pk).exists():
            return None  # the user no longer owns this charger
        try:
            with transaction.atomic():
                tag = IdTag.objects.create(
                    id_tag=id_tag, user=user, alias=enrolment.alias, kind=IdTag.Kind.PHYSICAL
                )
        except IntegrityError:
            return None  # the same id was created meanwhile: it is known now
        _favourite_if_first(tag)
        enrolment.id_tag = tag
        enrolment.save(update_fields=["id_tag"])
        live_update_on_commit(f"live.user.{user.pk}", {
            "type": "live.event", "event": "tag_enrolled", "id": enrolment.pk, "enrolment": enrolment.pk,
            "tag": tag.pk, "id_tag": tag.id_tag, "alias": tag.alias,
        })
        local_list_changed(charger_pks_for_user(user.pk))
    return tag
