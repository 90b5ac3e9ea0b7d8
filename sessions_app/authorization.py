"""The one authorization service (TAG-5): Authorize, StartTransaction and local lists.

A tag is accepted at a charger only if it is known, active and not expired, and the
charger is its user's own (or their organisation's), or in a group the user belongs to (or
owns), or shared with that tag (or with the tag's user) and not expired, or the charger has
free charging on. Otherwise the answer is Invalid, Blocked or Expired as the case is. While
a booking runs on the charger, or it is held for the waitlist's next driver, only that
driver is accepted (RES-3, RES-4).

This runs for every Authorize and StartTransaction, so it reads narrow rows (``values``),
not whole models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from chargers.models import ChargePoint, ChargerShare, IdTag
from chargers.tags import enrolment_bind
from groups.holds import holder_for
from wccportal.lib import sql


class Status:
    # OCPP 1.6 AuthorizationStatus.
    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"
    CONCURRENT_TX = "ConcurrentTx"


@dataclass(frozen=True)
class ChargerFacts:
    """What authorization needs to know about a charger."""

    pk: int
    owner_id: int | None
    organisation_id: int | None
    free_charging: bool

    @classmethod
    def of(cls, charge_point: ChargePoint) -> ChargerFacts:
        return cls(charge_point.pk, charge_point.owner_id, charge_point.organisation_id, charge_point.free_charging)


@dataclass(frozen=True)
class Decision:
    status: str
    tag_id: int | None = None
    user_id: int | None = None
    expiry: datetime | None = None
    reason: str = ""
    parent_id_tag: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == Status.ACCEPTED

    def id_tag_info(self) -> dict:
        info = {"status": self.status}
        if self.expiry is not None:
            info["expiryDate"] = self.expiry.isoformat().replace("+00:00", "Z")
        if self.parent_id_tag:
            info["parentIdTag"] = self.parent_id_tag
        return info


_TAG_KEYS = ("pk", "user_id", "is_active", "expires_at", "parent_id_tag", "user__is_active",
             "user__organisation_id", "restricted", "valid_here")


def _tag_row(id_tag: str, cp_pk: int) -> dict | None:
    """The tag (ids ignore case), its user's state and its charge-point restrictions, in one
    hand-written statement: this runs for every Authorize and StartTransaction."""
    from accounts.models import User

    links = IdTag.valid_charge_points.through._meta.db_table
    row = sql.fetchone(
        f"SELECT t.id, t.user_id, t.is_active, t.expires_at, t.parent_id_tag, u.is_active, u.organisation_id, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {links} r WHERE r.idtag_id = t.id), "
        f"EXISTS (SELECT 1 FROM {links} r WHERE r.idtag_id = t.id AND r.chargepoint_id = %s) "
        f"FROM {IdTag._meta.db_table} t LEFT JOIN {User._meta.db_table} u ON u.id = t.user_id "
        f"WHERE LOWER(t.id_tag) = %s",
        [cp_pk, id_tag.lower()],
    )
    if row is None:
        return None
    tag = dict(zip(_TAG_KEYS, row, strict=True))
    tag["expires_at"] = sql.dt_value(tag["expires_at"])
    for key in ("is_active", "user__is_active", "restricted", "valid_here"):
        tag[key] = bool(tag[key]) if tag[key] is not None else None
    return tag


def authorize(*, charge_point: ChargePoint | ChargerFacts, id_tag: str, at: datetime | None = None) -> Decision:
    at = at or timezone.now()
    cp = charge_point if isinstance(charge_point, ChargerFacts) else ChargerFacts.of(charge_point)
    decision = _authorize(cp, id_tag, at)
    if decision.accepted and decision.reason != "enrolled":
        # RES-3, RES-4: a charger held by a booking or for the waitlist's next driver
        # accepts only that driver.
        held_for = holder_for(cp.pk, at)
        if held_for is not None and held_for != decision.user_id:
            return Decision(Status.INVALID, decision.tag_id, decision.user_id, reason="reserved",
                            parent_id_tag=decision.parent_id_tag)
    return decision


def _authorize(cp: ChargerFacts, id_tag: str, at: datetime) -> Decision:
    tag = _tag_row(id_tag, cp.pk)
    if tag is None and (card := enrolment_bind(charge_point_pk=cp.pk, id_tag=id_tag)) is not None:
        # TAG-1: an unknown card presented in an open enrolment window is now its user's.
        return Decision(Status.ACCEPTED, card.pk, card.user_id, reason="enrolled")
    if cp.free_charging:
        return Decision(Status.ACCEPTED, tag and tag["pk"], tag and tag["user_id"], reason="free_charging")
    if tag is None:
        return Decision(Status.INVALID, reason="unknown_tag")
    tag_id, user_id, parent = tag["pk"], tag["user_id"], tag["parent_id_tag"]

    def decide(status, reason, expiry=None):
        return Decision(status, tag_id, user_id, expiry, reason, parent)

    if not tag["is_active"] or (user_id is not None and not tag["user__is_active"]):
        return decide(Status.BLOCKED, "blocked")
    if tag["expires_at"] is not None and tag["expires_at"] <= at:
        return decide(Status.EXPIRED, "tag_expired")
    if tag["restricted"] and not tag["valid_here"]:
        return decide(Status.INVALID, "not_valid_here")
    if user_id is not None:
        if cp.owner_id == user_id or (cp.organisation_id is not None
                                      and cp.organisation_id == tag["user__organisation_id"]):
            return decide(Status.ACCEPTED, "owner", tag["expires_at"])
        if ChargePoint.objects.filter(
            Q(group_link__group__memberships__user_id=user_id) | Q(group_link__group__owner_id=user_id),
            pk=cp.pk,
        ).exists():
            return decide(Status.ACCEPTED, "member", tag["expires_at"])
    share_q = Q(id_tag_id=tag_id)
    if user_id is not None:
        share_q |= Q(recipient_id=user_id)
    shares = ChargerShare.objects.filter(share_q, charge_point_id=cp.pk, revoked_at__isnull=True)
    valid = shares.filter(expires_at__gt=at).order_by("-expires_at").values_list("expires_at", "recipient_id").first()
    if valid is not None:
        valid_until, recipient_id = valid
        # A share's own tag has no user: its sessions belong to the recipient (guest or not).
        return Decision(Status.ACCEPTED, tag_id, user_id or recipient_id,
                        min(filter(None, [valid_until, tag["expires_at"]])), "share", parent)
    if shares.filter(expires_at__lte=at).exists():
        return decide(Status.EXPIRED, "share_expired")
    return decide(Status.INVALID, "no_right")
