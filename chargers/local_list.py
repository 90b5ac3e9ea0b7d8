"""Each charger's local authorization list kept in step with TAG-5 (SendLocalList).

Other features call ``local_list_changed`` whenever rights on chargers change (a tag added,
edited or deleted, a share given, revoked or expired, a charger claimed or released, a
member added or removed). The sync itself runs in the job cluster after the commit.

How the sync works (one charger at a time, all state in the database):

* The *desired* list is every tag ``sessions_app.authorization.authorize`` would accept at
  the charger now, with ``expiryDate`` = the earliest of the tag's and the share's expiry.
* ``LocalListEntry`` mirrors what the charger last accepted, ``ChargePoint.local_list_version``
  the version it confirmed (-1: the charger does not support local lists; retried at boot).
* A sync compares both and sends one SendLocalList (Differential with version + 1; removed
  tags without idTagInfo). When the charger answers Accepted, the change is applied to the
  mirror and the sync runs again: large lists go out in chunks this way, and changes made
  meanwhile follow. No difference → nothing is sent, so any number of calls is harmless.
* A Full update replaces the charger's list when the last exchange went wrong (VersionMismatch,
  Failed, no answer), when the charger reports another version than ours after a boot, and
  for the first list a charger gets.
* One command in flight per charger: while a SendLocalList / GetLocalListVersion waits for
  its answer, a sync does nothing (the answer triggers the next one).
* Offline, not accepted or deactivated chargers are skipped; a boot triggers a sync.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from wccportal.lib.tasks import enqueue_for_chargers_on_commit

log = logging.getLogger(__name__)

SEND_LOCAL_LIST = "SendLocalList"
GET_LOCAL_LIST_VERSION = "GetLocalListVersion"
LIST_ACTIONS = (SEND_LOCAL_LIST, GET_LOCAL_LIST_VERSION)
DEFAULT_CHUNK = 100  # entries per SendLocalList when the charger's maximum is not known
NOT_SUPPORTED = -1


def local_list_changed(charge_point_pks: Iterable[int]) -> None:
    """Bring these chargers' local lists in step once the current transaction commits."""
    pks = sorted({int(pk) for pk in charge_point_pks if pk is not None})
    if pks:
        enqueue_for_chargers_on_commit("chargers.local_list.sync_local_lists", pks)


def sync_local_lists(charge_point_pks: list[int]) -> None:
    """Job: send each online charger the differences between its list and TAG-5's answer.

    One charger's failure does not stop the others (it is logged and retried on the next
    change or boot)."""
    for pk in charge_point_pks:
        try:
            sync_charger(pk)
        except Exception:
            log.exception("local list sync of charger %s failed", pk)


# --- Who has rights where ---------------------------------------------------------------------


def charger_pks_for_user(user_id: int | None) -> set[int]:
    """Chargers where some tag of this user may be accepted (own, organisation, group, shared):
    the lists to re-check when the user's tags or state change."""
    from accounts.models import User
    from chargers.models import ChargePoint

    if user_id is None:
        return set()
    organisation_id = User.objects.filter(pk=user_id).values_list("organisation_id", flat=True).first()
    q = (
        Q(owner_id=user_id)
        | Q(group_link__group__memberships__user_id=user_id)
        | Q(group_link__group__owner_id=user_id)
        | Q(shares__recipient_id=user_id, shares__revoked_at__isnull=True)
    )
    if organisation_id:
        q |= Q(organisation_id=organisation_id)
    return set(ChargePoint.objects.filter(q).values_list("pk", flat=True).distinct())


def charger_pks_for_tag(tag) -> set[int]:
    """Chargers whose desired list may contain this tag."""
    from chargers.models import ChargerShare

    pks = charger_pks_for_user(tag.user_id)
    if tag.pk:
        pks |= set(
            ChargerShare.objects.filter(id_tag_id=tag.pk, revoked_at__isnull=True)
            .values_list("charge_point_id", flat=True)
        )
    return pks


# --- The desired list (TAG-5) -------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    id_tag: str
    status: str = "Accepted"
    expiry: datetime | None = None
    parent_id_tag: str = ""

    @property
    def key(self) -> str:
        return self.id_tag.lower()

    def same_as(self, other: Entry) -> bool:
        return (self.status, _second(self.expiry), self.parent_id_tag) == (
            other.status, _second(other.expiry), other.parent_id_tag
        )

    def to_ocpp(self) -> dict:
        info = {"status": self.status}
        if self.expiry is not None:
            info["expiryDate"] = _iso(self.expiry)
        if self.parent_id_tag:
            info["parentIdTag"] = self.parent_id_tag
        return {"idTag": self.id_tag, "idTagInfo": info}


def _second(value: datetime | None):
    return value.replace(microsecond=0) if value is not None else None


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def desired_list(charge_point, at: datetime | None = None) -> dict[str, Entry]:
    """Every tag TAG-5 accepts at this charger now, by lower-cased id.

    Mirrors ``sessions_app.authorization.authorize``: active, unexpired tags of active users
    (or of no user), valid at this charger if restricted, whose user owns the charger (or is
    in its organisation), belongs to or owns its group, or that a valid share names (by tag
    or by recipient). Free charging adds nothing: the charger accepts everyone anyway.
    """
    from chargers.models import ChargerShare, IdTag
    from groups.models import Group, Membership

    at = at or timezone.now()
    links = IdTag.valid_charge_points.through.objects
    tags = (
        IdTag.objects.filter(is_active=True)
        .filter(Q(user__isnull=True) | Q(user__is_active=True))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .annotate(
            restricted=Exists(links.filter(idtag_id=OuterRef("pk"))),
            valid_here=Exists(links.filter(idtag_id=OuterRef("pk"), chargepoint_id=charge_point.pk)),
        )
        .filter(Q(restricted=False) | Q(valid_here=True))
    )
    # Users with the right of the owner or of a group member.
    right = Q(pk__in=[])
    if charge_point.owner_id:
        right |= Q(user_id=charge_point.owner_id)
    if charge_point.organisation_id:
        right |= Q(user__organisation_id=charge_point.organisation_id)
    group = Group.objects.filter(charger_links__charge_point_id=charge_point.pk).values("pk", "owner_id").first()
    if group:
        member_ids = set(Membership.objects.filter(group_id=group["pk"]).values_list("user_id", flat=True))
        right |= Q(user_id__in=member_ids | {group["owner_id"]})
    # Valid shares: by tag, or by recipient (then every tag of theirs).
    share_until_tag: dict[int, datetime] = {}
    share_until_user: dict[int, datetime] = {}
    for tag_id, recipient_id, expires_at in ChargerShare.objects.filter(
        charge_point_id=charge_point.pk, revoked_at__isnull=True, expires_at__gt=at
    ).values_list("id_tag_id", "recipient_id", "expires_at"):
        if tag_id is not None:
            share_until_tag[tag_id] = max(expires_at, share_until_tag.get(tag_id, expires_at))
        if recipient_id is not None:
            share_until_user[recipient_id] = max(expires_at, share_until_user.get(recipient_id, expires_at))
    shared = Q(pk__in=list(share_until_tag)) | Q(user_id__in=list(share_until_user))

    by_right = set(tags.filter(right).values_list("pk", flat=True))
    entries: dict[str, Entry] = {}
    for pk, id_tag, user_id, expires_at, parent in tags.filter(right | shared).values_list(
        "pk", "id_tag", "user_id", "expires_at", "parent_id_tag"
    ):
        expiry = expires_at
        if pk not in by_right:
            candidates = [d for d in (share_until_tag.get(pk), share_until_user.get(user_id)) if d]
            if not candidates:
                continue
            share_until = max(candidates)
            expiry = min(share_until, expires_at) if expires_at else share_until
        entries[id_tag.lower()] = Entry(id_tag, "Accepted", expiry, parent or "")
    return entries


def mirror_list(charge_point) -> dict[str, Entry]:
    from chargers.models import LocalListEntry

    return {
        id_tag.lower(): Entry(id_tag, status, expiry, parent or "")
        for id_tag, status, expiry, parent in LocalListEntry.objects.filter(
            charge_point_id=charge_point.pk
        ).values_list("id_tag", "status", "expiry_date", "parent_id_tag")
    }


# --- Sync ------------------------------------------------------------------------------------


def _in_flight_since() -> datetime:
    return timezone.now() - timedelta(seconds=settings.OCPP_CALL_TIMEOUT + 30)


def _last_list_operation(charge_point):
    """The latest local-list command that reached the charger (or was meant to)."""
    from chargers.models import ChargerOperation

    return (
        ChargerOperation.objects.filter(charge_point_id=charge_point.pk, action__in=LIST_ACTIONS)
        .exclude(status=ChargerOperation.Status.OFFLINE)
        .order_by("-created_at", "-pk").first()
    )


def _needs_full(charge_point, last) -> bool:
    from chargers.models import ChargerOperation

    if last is None:
        return True  # the first list this charger gets replaces whatever it held
    if last.status != ChargerOperation.Status.ACCEPTED:
        return True  # VersionMismatch, Failed, NotSupported, CALLERROR, no answer
    if last.action == GET_LOCAL_LIST_VERSION:
        return (last.response or {}).get("listVersion") != charge_point.local_list_version
    return False


def max_list_length(charge_point) -> int:
    """SendLocalListMaxLength as the charger last reported it (GetConfiguration), else 100."""
    from chargers.models import ChargerOperation

    responses = ChargerOperation.objects.filter(
        charge_point_id=charge_point.pk, action="GetConfiguration",
        status=ChargerOperation.Status.ACCEPTED,
    ).order_by("-created_at").values_list("response", flat=True)[:5]
    for response in responses:
        for item in (response or {}).get("configurationKey") or []:
            if isinstance(item, dict) and item.get("key") == "SendLocalListMaxLength":
                try:
                    return max(1, int(item.get("value")))
                except (TypeError, ValueError):
                    continue
    return DEFAULT_CHUNK


def sync_charger(pk: int):
    """Send this charger what it needs, if anything; returns the operation sent or None."""
    from chargers.models import ChargePoint, ChargerOperation
    from chargers.services import operation_request

    with transaction.atomic():
        # Serializes syncs of one charger (two workers must not both send version n + 1).
        cp = ChargePoint.objects.select_for_update().filter(pk=pk).first()
        if (
            cp is None or not cp.is_online or not cp.is_active
            or cp.registration_status != ChargePoint.Registration.ACCEPTED
        ):
            return None
        if ChargerOperation.objects.filter(
            charge_point_id=pk, action__in=LIST_ACTIONS, status=ChargerOperation.Status.PENDING,
            created_at__gte=_in_flight_since(),
        ).exists():
            return None  # its answer triggers the next sync
        last = _last_list_operation(cp)
        booted_since = (
            last is not None and cp.last_boot_at is not None and cp.last_boot_at > last.created_at
        )
        if cp.local_list_version == NOT_SUPPORTED:
            if not booted_since:
                return None
            # A boot (maybe new firmware): try again from scratch.
            cp.local_list_version = 0
            cp.save(update_fields=["local_list_version"])
        elif booted_since and last.status == ChargerOperation.Status.ACCEPTED and cp.local_list_version > 0:
            # Does the charger still hold the list we sent? (It may have been reset or replaced.)
            return operation_request(charge_point=cp, action=GET_LOCAL_LIST_VERSION, payload={})

        desired = desired_list(cp)
        mirror = mirror_list(cp)
        chunk = max_list_length(cp)
        version = max(cp.local_list_version, 0) + 1
        if _needs_full(cp, last):
            if last is None and not desired and not mirror:
                return None  # nothing was ever sent and nothing is to be sent
            entries = sorted(desired.values(), key=lambda e: e.key)[:chunk]
            return operation_request(
                charge_point=cp, action=SEND_LOCAL_LIST,
                payload={"listVersion": version, "updateType": "Full",
                         "localAuthorizationList": [e.to_ocpp() for e in entries]},
            )
        changes = [e.to_ocpp() for key, e in sorted(desired.items())
                   if key not in mirror or not e.same_as(mirror[key])]
        changes += [{"idTag": e.id_tag} for key, e in sorted(mirror.items()) if key not in desired]
        if not changes:
            return None
        return operation_request(
            charge_point=cp, action=SEND_LOCAL_LIST,
            payload={"listVersion": version, "updateType": "Differential",
                     "localAuthorizationList": changes[:chunk]},
        )


# --- Answers (called by chargers.services.operation_complete / operation_failed) ------------------


def operation_answered(operation) -> None:
    """A SendLocalList or GetLocalListVersion got its answer (or failed): update the mirror and
    the version, then decide what comes next. Any sender's command counts (an owner's manual
    SendLocalList changes the charger's list just the same)."""
    from chargers.models import ChargePoint, ChargerOperation

    if operation.action not in LIST_ACTIONS:
        return
    status = (operation.response or {}).get("status")
    resync = False
    if operation.action == GET_LOCAL_LIST_VERSION:
        if operation.status == ChargerOperation.Status.ACCEPTED:
            reported = (operation.response or {}).get("listVersion")
            if reported == NOT_SUPPORTED:
                ChargePoint.objects.filter(pk=operation.charge_point_id).update(local_list_version=NOT_SUPPORTED)
            else:
                resync = True  # in step: Differential; otherwise a Full update follows
    elif operation.status == ChargerOperation.Status.ACCEPTED:
        _apply(operation)
        resync = True  # the next chunk, or changes made meanwhile
    elif status == "NotSupported":
        ChargePoint.objects.filter(pk=operation.charge_point_id).update(local_list_version=NOT_SUPPORTED)
    elif status in ("VersionMismatch", "Failed"):
        # A Full update next; straight away unless the Full itself was refused (no loop).
        resync = operation.payload.get("updateType") != "Full"
    # CALLERROR, timeout: a Full update on the next change or boot.
    if resync:
        local_list_changed([operation.charge_point_id])


@transaction.atomic
def _apply(operation) -> None:
    """Apply an accepted SendLocalList to the mirror and store its version."""
    from chargers.models import ChargePoint, LocalListEntry

    payload = operation.payload or {}
    pk = operation.charge_point_id
    items = payload.get("localAuthorizationList") or []
    mirror = LocalListEntry.objects.filter(charge_point_id=pk)
    if payload.get("updateType") == "Full":
        mirror.delete()
    for item in items:
        id_tag = item.get("idTag", "")
        mirror.filter(id_tag__iexact=id_tag).delete()
        info = item.get("idTagInfo")
        if info is None:
            continue  # Differential without idTagInfo: removed from the list
        from chargers.services import parse_timestamp

        LocalListEntry.objects.create(
            charge_point_id=pk, id_tag=id_tag, status=info.get("status", "Accepted"),
            expiry_date=parse_timestamp(info.get("expiryDate")), parent_id_tag=info.get("parentIdTag", ""),
        )
    ChargePoint.objects.filter(pk=pk).update(local_list_version=payload.get("listVersion", 0))
