"""TAG-5 local lists at service level: the desired list is exactly what authorize() accepts,
and the sync sends differences with versions, falls back to Full, chunks, and stops for
chargers without local lists. The charger's answers arrive through operation_complete /
operation_failed, as the gateway delivers them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from chargers import local_list
from chargers.models import ChargePoint, ChargerOperation, ChargerShare, IdTag, LocalListEntry
from chargers.passwords import hash_secret
from chargers.services import operation_complete, operation_failed
from groups.models import Group
from sessions_app.authorization import authorize
from tests.factories.chargers import ChargePointFactory, IdTagFactory

pytestmark = pytest.mark.django_db


def accepted_by_authorize(cp) -> set[str]:
    cp.refresh_from_db()
    return {t.id_tag.lower() for t in IdTag.objects.all() if authorize(charge_point=cp, id_tag=t.id_tag).accepted}


@pytest.fixture
def rich_world(world, owner, member, guest, outsider, operator, charger, group_charger, org_charger, tags):
    now = timezone.now()
    IdTagFactory(id_tag="EXPIRED", user=owner, expires_at=now - timedelta(days=1))
    IdTagFactory(id_tag="BLOCKED", user=owner, is_active=False)
    IdTagFactory(id_tag="LATER", user=owner, expires_at=now + timedelta(days=3))
    restricted = IdTagFactory(id_tag="ONLYGROUP", user=owner)
    restricted.valid_charge_points.add(group_charger)
    gone = User.objects.create_user(email="gone@example.com", password="x", is_active=False)
    IdTagFactory(id_tag="GONE", user=gone)
    Group.objects.filter(owner=owner).update()  # the group owner is the owner: covered by ownership
    IdTagFactory(id_tag="OPERATOR1", user=operator)
    # A share by tag only (a tag without user), one expired, one revoked.
    loose = IdTagFactory(id_tag="LOOSE", user=None)
    for tag, expires, revoked in ((loose, now + timedelta(days=1), None),
                                  (tags["outsider"], now - timedelta(hours=1), None),
                                  (tags["member"], now + timedelta(days=1), now)):
        ChargerShare.objects.create(charge_point=charger, shared_by=owner, email="x@example.com", id_tag=tag,
                                    access_code_hash=hash_secret("C"), expires_at=expires, revoked_at=revoked)
    return world


def test_desired_list_is_exactly_what_authorize_accepts(rich_world, charger, group_charger, org_charger):
    for cp in (charger, group_charger, org_charger):
        assert set(local_list.desired_list(cp)) == accepted_by_authorize(cp), cp.charge_point_id
    assert set(local_list.desired_list(charger)) == {"owner1", "later", "guest1", "loose"}
    assert set(local_list.desired_list(group_charger)) == {"owner1", "later", "onlygroup", "member1"}
    assert set(local_list.desired_list(org_charger)) == {"operator1"}


def test_expiry_is_the_earliest_of_tag_and_share(owner, guest, charger, tags, share):
    share_end = share.expires_at
    entries = local_list.desired_list(charger)
    assert entries["owner1"].expiry is None
    assert entries["guest1"].expiry == share_end
    IdTag.objects.filter(pk=tags["guest"].pk).update(expires_at=share_end - timedelta(days=1))
    assert local_list.desired_list(charger)["guest1"].expiry == share_end - timedelta(days=1)
    # The OCPP form: status Accepted and an expiryDate in UTC.
    item = local_list.desired_list(charger)["guest1"].to_ocpp()
    assert item["idTag"] == "GUEST1" and item["idTagInfo"]["status"] == "Accepted"
    assert item["idTagInfo"]["expiryDate"].endswith("Z")


# --- Sync -------------------------------------------------------------------------------------


@pytest.fixture
def online(charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    return charger


def last_op():
    return ChargerOperation.objects.filter(action__in=local_list.LIST_ACTIONS).order_by("-pk").first()


def answer(op, response, capture):
    with capture(execute=True):
        operation_complete(operation_id=op.pk, response=response)


def reboot(cp):
    """The charger booted after every command sent so far."""
    now = timezone.now()
    ChargerOperation.objects.filter(charge_point=cp).update(created_at=now - timedelta(minutes=1))
    ChargePoint.objects.filter(pk=cp.pk).update(last_boot_at=now - timedelta(seconds=30))


def mirror(cp):
    return dict(LocalListEntry.objects.filter(charge_point=cp).values_list("id_tag", "status"))


def test_first_sync_is_full_then_differences_then_nothing(owner, online, tags, share,
                                                           django_capture_on_commit_callbacks):
    op = local_list.sync_charger(online.pk)
    assert op.action == "SendLocalList" and op.requested_by_id is None
    assert op.payload["updateType"] == "Full" and op.payload["listVersion"] == 1
    assert {e["idTag"] for e in op.payload["localAuthorizationList"]} == {"OWNER1", "GUEST1"}
    # While it waits for the answer nothing else is sent.
    assert local_list.sync_charger(online.pk) is None
    answer(op, {"status": "Accepted"}, django_capture_on_commit_callbacks)
    online.refresh_from_db()
    assert online.local_list_version == 1 and mirror(online) == {"OWNER1": "Accepted", "GUEST1": "Accepted"}
    assert last_op() == op  # in step: the re-check after the answer sent nothing
    assert local_list.sync_charger(online.pk) is None  # idempotent

    # A new tag of the owner and a revoked share: one Differential with version 2.
    IdTagFactory(id_tag="OWNER2", user=owner)
    ChargerShare.objects.filter(pk=share.pk).update(revoked_at=timezone.now())
    op = local_list.sync_charger(online.pk)
    assert op.payload["updateType"] == "Differential" and op.payload["listVersion"] == 2
    items = {e["idTag"]: e for e in op.payload["localAuthorizationList"]}
    assert items["OWNER2"]["idTagInfo"] == {"status": "Accepted"}
    assert items["GUEST1"] == {"idTag": "GUEST1"}  # no idTagInfo: delete it
    answer(op, {"status": "Accepted"}, django_capture_on_commit_callbacks)
    online.refresh_from_db()
    assert online.local_list_version == 2 and set(mirror(online)) == {"OWNER1", "OWNER2"}


def test_version_mismatch_leads_to_a_full_update(owner, online, tags, django_capture_on_commit_callbacks):
    op = local_list.sync_charger(online.pk)
    answer(op, {"status": "Accepted"}, django_capture_on_commit_callbacks)
    IdTagFactory(id_tag="OWNER2", user=owner)
    diff = local_list.sync_charger(online.pk)
    assert diff.payload["updateType"] == "Differential"
    answer(diff, {"status": "VersionMismatch"}, django_capture_on_commit_callbacks)
    full = last_op()
    assert full.pk != diff.pk and full.payload["updateType"] == "Full" and full.payload["listVersion"] == 2
    assert {e["idTag"] for e in full.payload["localAuthorizationList"]} == {"OWNER1", "OWNER2"}
    # A refused Full is not retried in a loop; the next change tries again (Full).
    answer(full, {"status": "Failed"}, django_capture_on_commit_callbacks)
    assert last_op() == full
    again = local_list.sync_charger(online.pk)
    assert again.payload["updateType"] == "Full"


def test_no_answer_means_full_next_time(owner, online, tags, django_capture_on_commit_callbacks):
    op = local_list.sync_charger(online.pk)
    with django_capture_on_commit_callbacks(execute=True):
        operation_failed(operation_id=op.pk, status="timed_out", error="No answer from the charger.")
    assert last_op() == op  # not retried at once
    assert local_list.sync_charger(online.pk).payload["updateType"] == "Full"


def test_not_supported_stops_until_the_next_boot(online, tags, django_capture_on_commit_callbacks):
    op = local_list.sync_charger(online.pk)
    answer(op, {"status": "NotSupported"}, django_capture_on_commit_callbacks)
    online.refresh_from_db()
    assert online.local_list_version == -1
    assert local_list.sync_charger(online.pk) is None
    reboot(online)
    op = local_list.sync_charger(online.pk)
    assert op.payload["updateType"] == "Full" and op.payload["listVersion"] == 1


def test_after_a_boot_the_version_is_checked(online, tags, django_capture_on_commit_callbacks):
    answer(local_list.sync_charger(online.pk), {"status": "Accepted"}, django_capture_on_commit_callbacks)
    reboot(online)
    check = local_list.sync_charger(online.pk)
    assert check.action == "GetLocalListVersion"
    # Same version: in step, nothing more is sent.
    answer(check, {"listVersion": 1}, django_capture_on_commit_callbacks)
    assert last_op() == check
    # After another boot the charger reports an empty list: Full update.
    reboot(online)
    check = local_list.sync_charger(online.pk)
    answer(check, {"listVersion": 0}, django_capture_on_commit_callbacks)
    full = last_op()
    assert full.action == "SendLocalList" and full.payload["updateType"] == "Full"
    # A charger answering -1 has no local list.
    answer(full, {"status": "Accepted"}, django_capture_on_commit_callbacks)
    reboot(online)
    answer(local_list.sync_charger(online.pk), {"listVersion": -1}, django_capture_on_commit_callbacks)
    assert ChargePoint.objects.get(pk=online.pk).local_list_version == -1


def test_large_lists_go_in_chunks(owner, online, django_capture_on_commit_callbacks):
    IdTag.objects.bulk_create([IdTag(id_tag=f"T{i:04d}", user=owner) for i in range(230)])
    sizes = []
    op = local_list.sync_charger(online.pk)
    while op is not None and op.action == "SendLocalList" and len(sizes) < 10:
        sizes.append((op.payload["updateType"], len(op.payload["localAuthorizationList"])))
        previous = op
        answer(op, {"status": "Accepted"}, django_capture_on_commit_callbacks)
        op = last_op() if last_op() != previous else None
    assert sizes == [("Full", 100), ("Differential", 100), ("Differential", 30)]
    assert LocalListEntry.objects.filter(charge_point=online).count() == 230
    assert ChargePoint.objects.get(pk=online.pk).local_list_version == 3


def test_the_chargers_maximum_length_is_respected(owner, online, django_capture_on_commit_callbacks):
    ChargerOperation.objects.create(
        charge_point=online, action="GetConfiguration", status="accepted",
        response={"configurationKey": [{"key": "SendLocalListMaxLength", "readonly": True, "value": "7"}]},
    )
    IdTag.objects.bulk_create([IdTag(id_tag=f"T{i:04d}", user=owner) for i in range(10)])
    assert len(local_list.sync_charger(online.pk).payload["localAuthorizationList"]) == 7


def test_offline_and_unconcerned_chargers_get_nothing(owner, charger, tags):
    assert local_list.sync_charger(charger.pk) is None  # offline
    empty = ChargePointFactory(charge_point_id="CP-EMPTY", is_online=True)
    assert local_list.sync_charger(empty.pk) is None  # nothing ever sent, nothing to send
    assert not ChargerOperation.objects.exists()


def test_a_failing_charger_does_not_stop_the_others(owner, online, tags, monkeypatch):
    other = ChargePointFactory(charge_point_id="CP-TWO", owner=owner, is_online=True)
    real = local_list.desired_list

    def broken(cp, at=None):
        if cp.pk == online.pk:
            raise RuntimeError("boom")
        return real(cp, at)

    monkeypatch.setattr(local_list, "desired_list", broken)
    local_list.sync_local_lists([online.pk, other.pk])
    assert list(ChargerOperation.objects.values_list("charge_point_id", flat=True)) == [other.pk]


def test_a_manual_send_local_list_updates_the_mirror(owner, online, tags, django_capture_on_commit_callbacks):
    from chargers.services import operation_request

    op = operation_request(charge_point=online, action="SendLocalList", acting_user=owner, payload={
        "listVersion": 9, "updateType": "Full", "localAuthorizationList": [
            {"idTag": "STRANGER", "idTagInfo": {"status": "Accepted"}}]})
    answer(op, {"status": "Accepted"}, django_capture_on_commit_callbacks)
    # The mirror follows the charger; the re-check puts the list right with version 10.
    fix = last_op()
    assert fix.pk != op.pk and fix.payload["listVersion"] == 10
    assert {e["idTag"]: "idTagInfo" in e for e in fix.payload["localAuthorizationList"]} == {
        "OWNER1": True, "STRANGER": False}
