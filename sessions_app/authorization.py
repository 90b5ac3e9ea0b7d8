"""The one authorization service (TAG-5): Authorize, StartTransaction and local lists.

A tag is accepted at a charger only if it is known, active and not expired, and the
charger is its user's own (or their organisation's), or in a group the user belongs to (or owns), or shared with
that tag (or with the tag's user) and not expired, or the charger has free charging on.
Otherwise the answer is Invalid, Blocked or Expired as the case is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from chargers.models import ChargePoint, ChargerShare, IdTag


class Status:
    # OCPP 1.6 AuthorizationStatus.
    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"
    CONCURRENT_TX = "ConcurrentTx"


@dataclass(frozen=True)
class Decision:
    status: str
    tag: IdTag | None = None
    user_id: int | None = None
    expiry: datetime | None = None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == Status.ACCEPTED

    def id_tag_info(self) -> dict:
        info = {"status": self.status}
        if self.expiry is not None:
            info["expiryDate"] = self.expiry.isoformat().replace("+00:00", "Z")
        if self.tag is not None and self.tag.parent_id_tag:
            info["parentIdTag"] = self.tag.parent_id_tag
        return info


def authorize(*, charge_point: ChargePoint, id_tag: str, at: datetime | None = None) -> Decision:
    at = at or timezone.now()
    restrictions = IdTag.valid_charge_points.through.objects.filter(idtag_id=OuterRef("pk"))
    tag = (
        IdTag.objects.filter(id_tag__lower=id_tag.lower()).select_related("user")
        .annotate(restricted=Exists(restrictions),
                  valid_here=Exists(restrictions.filter(chargepoint_id=charge_point.pk)))
        .first()
    )
    if charge_point.free_charging:
        return Decision(Status.ACCEPTED, tag, tag.user_id if tag else None, reason="free_charging")
    if tag is None:
        return Decision(Status.INVALID, reason="unknown_tag")
    if not tag.is_active or (tag.user is not None and not tag.user.is_active):
        return Decision(Status.BLOCKED, tag, tag.user_id, reason="blocked")
    if tag.is_expired(at):
        return Decision(Status.EXPIRED, tag, tag.user_id, reason="tag_expired")
    if tag.restricted and not tag.valid_here:
        return Decision(Status.INVALID, tag, tag.user_id, reason="not_valid_here")
    user_id = tag.user_id
    if user_id is not None:
        if charge_point.owner_id == user_id or (
            charge_point.organisation_id is not None
            and charge_point.organisation_id == tag.user.organisation_id
        ):
            return Decision(Status.ACCEPTED, tag, user_id, tag.expires_at, "owner")
        if ChargePoint.objects.filter(
            Q(group_link__group__memberships__user_id=user_id) | Q(group_link__group__owner_id=user_id),
            pk=charge_point.pk,
        ).exists():
            return Decision(Status.ACCEPTED, tag, user_id, tag.expires_at, "member")
    share_q = Q(id_tag=tag)
    if user_id is not None:
        share_q |= Q(recipient_id=user_id)
    shares = ChargerShare.objects.filter(share_q, charge_point=charge_point)
    valid = shares.filter(revoked_at__isnull=True, expires_at__gt=at).order_by("-expires_at").first()
    if valid is not None:
        expiry = min(filter(None, [valid.expires_at, tag.expires_at]))
        return Decision(Status.ACCEPTED, tag, user_id, expiry, "share")
    if shares.filter(revoked_at__isnull=True, expires_at__lte=at).exists():
        return Decision(Status.EXPIRED, tag, user_id, reason="share_expired")
    return Decision(Status.INVALID, tag, user_id, reason="no_right")
