"""session_request_start (SES-1, SES-2, SES-6): every refusal is explained with its own code
before anything is sent; a start that passes is stored with its logbook entry and sent as
RemoteStartTransaction with the right tag."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chargers.models import ChargePoint, ChargerOperation, ChargerShare, Connector, IdTag
from groups.models import Booking, WaitlistEntry
from sessions_app import starting
from sessions_app.models import ChargingSession, StartRequest
from tests.charging.conftest import set_connector
from tests.factories.chargers import ChargePointFactory, IdTagFactory
from wccportal.errors import DomainError

pytestmark = pytest.mark.django_db

Status = Connector.Status


def start(user, cp, connector_id=1, **kwargs):
    return starting.session_request_start(user=user, charge_point=cp, connector_id=connector_id, **kwargs)


def refusal(user, cp, connector_id=1, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        start(user, cp, connector_id, **kwargs)
    return caught.value


def nothing_sent():
    return not ChargerOperation.objects.exists() and not StartRequest.objects.exists()


# --- A start that passes ----------------------------------------------------------------------


def test_owner_start_sends_remote_start_with_the_favourite_tag(ready, charger):
    request = start(ready["owner"], charger, 2)
    assert (request.user, request.charge_point, request.connector_id, request.id_tag, request.source) == (
        ready["owner"], charger, 2, "OWNER1", ChargingSession.Source.APP)
    operation = request.operation
    assert operation.action == "RemoteStartTransaction"
    assert operation.payload == {"connectorId": 2, "idTag": "OWNER1"}
    assert operation.status == ChargerOperation.Status.PENDING and operation.requested_by == ready["owner"]
    assert starting.start_progress(request).state == "pending"


def test_guest_starts_on_the_shared_charger_with_the_share_tag(ready, charger, share):
    share_tag = IdTagFactory(id_tag="SHARE-7", user=None)
    ChargerShare.objects.filter(pk=share.pk).update(id_tag=share_tag)
    request = start(ready["guest"], charger, source=ChargingSession.Source.PORTAL)
    assert request.operation.payload == {"connectorId": 1, "idTag": "SHARE-7"}
    assert request.source == ChargingSession.Source.PORTAL


def test_member_starts_on_the_group_charger_and_operator_on_the_organisation_charger(
    ready, group_charger, org_charger
):
    assert start(ready["member"], group_charger).id_tag == "MEMBER1"
    IdTagFactory(id_tag="FLEET1", user=ready["operator"], is_favourite=True)
    assert start(ready["operator"], org_charger).id_tag == "FLEET1"


def test_no_connector_given_takes_the_first_free_one(ready, charger):
    set_connector(charger, Status.CHARGING, 1)
    assert start(ready["owner"], charger, None).connector_id == 2


def test_a_connector_never_reported_is_tried_after_the_free_ones(ready, charger):
    set_connector(charger, Status.UNKNOWN, 1)
    assert start(ready["owner"], charger, None).connector_id == 2
    set_connector(charger, Status.CHARGING, 2)
    StartRequest.objects.all().delete()
    ChargerOperation.objects.all().delete()
    assert start(ready["owner"], charger, None).connector_id == 1  # the charger decides


def test_the_holder_of_a_running_booking_may_start_on_the_reserved_connector(ready, group_charger):
    now = timezone.now()
    Booking.objects.create(group=group_charger.group_link.group, charge_point=group_charger,
                           user=ready["member"], starts_at=now - timedelta(minutes=5),
                           ends_at=now + timedelta(minutes=55))
    set_connector(group_charger, Status.RESERVED, 1)
    assert start(ready["member"], group_charger).connector_id == 1


def test_free_charging_needs_no_right_but_still_a_tag(ready, charger):
    # Staff see every charger; their tag has no right on the owner's, unless charging is free.
    ChargePoint.objects.filter(pk=charger.pk).update(free_charging=True)
    charger.refresh_from_db()
    assert refusal(ready["staff"], charger).code == "no_favourite_tag"
    IdTagFactory(id_tag="STAFF1", user=ready["staff"], is_favourite=True)
    assert start(ready["staff"], charger).id_tag == "STAFF1"


# --- Refusals, each with its code, nothing sent -------------------------------------------------


def test_unknown_connector(ready, charger):
    error = refusal(ready["owner"], charger, 3)
    assert error.code == "invalid_connector" and "no connector 3" in error.message
    assert error.fields == {"connector_id": [error.message]}
    assert refusal(ready["owner"], charger, 0).code == "invalid_connector"  # the charger as a whole
    assert nothing_sent()


def test_charger_offline(ready, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=False)
    error = refusal(ready["owner"], charger)
    assert error.code == "charger_offline" and "Home is offline" in error.message
    assert nothing_sent()


@pytest.mark.parametrize(("status", "code", "words"), [
    (Status.CHARGING, "connector_busy", "in use"),
    (Status.SUSPENDED_EV, "connector_busy", "in use"),
    (Status.FINISHING, "connector_busy", "unplug the cable"),
    (Status.FAULTED, "connector_unavailable", "out of service (Faulted)"),
    (Status.UNAVAILABLE, "connector_unavailable", "out of service (Unavailable)"),
    (Status.RESERVED, "reserved", "reserved for another driver"),
])
def test_connector_state(ready, charger, status, code, words):
    set_connector(charger, status, 1)
    error = refusal(ready["owner"], charger)
    assert error.code == code and words in error.message
    assert nothing_sent()


def test_whole_charger_out_of_service(ready, charger):
    set_connector(charger, Status.UNAVAILABLE, 0)
    error = refusal(ready["owner"], charger)
    assert error.code == "connector_unavailable" and "Home is out of service" in error.message


def test_a_session_running_on_the_connector(ready, charger, tags):
    ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="MEMBER1", user=ready["member"],
                                   started_at=timezone.now(), meter_start=0)
    error = refusal(ready["owner"], charger)
    assert error.code == "connector_busy" and "another vehicle" in error.message
    ChargingSession.objects.update(user=ready["owner"], id_tag="OWNER1")
    assert "already charging on connector 1" in refusal(ready["owner"], charger).message


def test_no_free_connector_left(ready, charger):
    Connector.objects.filter(charge_point=charger, connector_id__gte=1).update(status=Status.CHARGING)
    assert refusal(ready["owner"], charger, None).code == "no_free_connector"


def test_a_start_already_on_its_way(ready, charger):
    start(ready["owner"], charger)
    error = refusal(ready["owner"], charger)
    assert error.code == "start_pending"
    assert StartRequest.objects.count() == 1
    # Another driver sees the connector taken; once the charger has answered it is free again.
    assert refusal(ready["guest"], charger).code == "connector_busy"
    ChargerOperation.objects.update(status=ChargerOperation.Status.REJECTED)
    assert start(ready["owner"], charger).connector_id == 1


def test_booked_by_someone_else(ready, group_charger):
    now = timezone.now()
    Booking.objects.create(group=group_charger.group_link.group, charge_point=group_charger, user=ready["owner"],
                           starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(minutes=55))
    error = refusal(ready["member"], group_charger)
    assert error.code == "reserved" and "booked by another driver until" in error.message
    assert nothing_sent()


def test_held_for_the_next_driver_of_the_waitlist(ready, group_charger):
    WaitlistEntry.objects.create(group=group_charger.group_link.group, user=ready["owner"],
                                 status=WaitlistEntry.Status.OFFERED, offered_charge_point=group_charger,
                                 offered_at=timezone.now(), hold_until=timezone.now() + timedelta(minutes=4))
    error = refusal(ready["member"], group_charger)
    assert error.code == "reserved" and "held for the next driver of the waitlist" in error.message


def test_no_favourite_tag(ready, charger, tags):
    IdTag.objects.filter(pk=tags["owner"].pk).update(is_favourite=False)
    error = refusal(ready["owner"], charger)
    assert error.code == "no_favourite_tag" and "Star one of your tags" in error.message
    assert nothing_sent()


def test_guest_share_without_tag(ready, charger, share):
    ChargerShare.objects.filter(pk=share.pk).update(id_tag=None)
    assert refusal(ready["guest"], charger).code == "no_share_tag"


def test_tag_expired(ready, charger, tags):
    IdTag.objects.filter(pk=tags["owner"].pk).update(expires_at=timezone.now() - timedelta(days=1))
    error = refusal(ready["owner"], charger)
    assert error.code == "tag_expired" and "expired on" in error.message
    assert nothing_sent()


def test_tag_blocked(ready, charger, tags):
    IdTag.objects.filter(pk=tags["owner"].pk).update(is_active=False)
    assert refusal(ready["owner"], charger).code == "tag_blocked"


def test_no_right_to_charge_there(ready, charger, tags):
    # Staff see every charger, but their own tag has no right on the owner's.
    IdTagFactory(id_tag="STAFF1", user=ready["staff"], is_favourite=True)
    error = refusal(ready["staff"], charger)
    assert error.code == "no_right" and "may not charge at Home" in error.message
    # A tag restricted to other chargers (TAG-4) has no right here either.
    elsewhere = ChargePointFactory(charge_point_id="CP-ELSEWHERE", owner=ready["owner"])
    tags["owner"].valid_charge_points.add(elsewhere)
    assert refusal(ready["owner"], charger).code == "no_right"
    assert nothing_sent()


def test_the_right_is_checked_as_a_dry_run(ready, charger, tags):
    """authorize() runs for the tag before sending; it leaves nothing behind."""
    IdTagFactory(id_tag="STAFF1", user=ready["staff"], is_favourite=True)
    before = (IdTag.objects.count(), ChargingSession.objects.count())
    refusal(ready["staff"], charger)
    assert (IdTag.objects.count(), ChargingSession.objects.count()) == before


# --- The logbook (SES-6) ----------------------------------------------------------------------


@pytest.fixture
def logbook_charger(ready, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(logbook_enabled=True)
    charger.refresh_from_db()
    return charger


def test_logbook_entry_is_required_and_stored_on_the_request(ready, logbook_charger):
    error = refusal(ready["owner"], logbook_charger)
    assert error.code == "logbook_required"
    assert set(error.fields) == {"mileage_km", "vehicle_id"}
    assert nothing_sent()
    request = start(ready["owner"], logbook_charger, mileage_km="59 613", vehicle_id="  TestVehicle ")
    assert (request.vehicle_mileage_km, request.vehicle_id) == (59613, "TestVehicle")


@pytest.mark.parametrize(("mileage", "vehicle", "field", "words"), [
    ("", "B-EV 1", "mileage_km", "mileage"),
    ("12.5", "B-EV 1", "mileage_km", "whole number"),
    ("-3", "B-EV 1", "mileage_km", "between 0 and"),
    ("3000000", "B-EV 1", "mileage_km", "between 0 and"),
    ("1200", "   ", "vehicle_id", "vehicle ID"),
    ("1200", "x" * 51, "vehicle_id", "at most 50"),
])
def test_logbook_entry_is_checked(ready, logbook_charger, mileage, vehicle, field, words):
    error = refusal(ready["owner"], logbook_charger, mileage_km=mileage, vehicle_id=vehicle)
    assert error.code == "logbook_required" and list(error.fields) == [field]
    assert words in error.fields[field][0]
    assert nothing_sent()


def test_logbook_off_takes_an_entry_when_given(ready, charger):
    request = start(ready["owner"], charger, mileage_km=100, vehicle_id="Van 3")
    assert (request.vehicle_mileage_km, request.vehicle_id) == (100, "Van 3")
    assert start(ready["owner"], charger, 2).vehicle_mileage_km is None


def test_the_charger_refusal_comes_before_the_logbook(ready, logbook_charger):
    set_connector(logbook_charger, Status.FAULTED, 1)
    assert refusal(ready["owner"], logbook_charger).code == "connector_unavailable"


# --- Start info and progress ------------------------------------------------------------------


def test_start_info_says_what_a_start_would_do(ready, charger, tags):
    info = starting.start_info(user=ready["owner"], charge_point=charger, connector_id=1)
    assert info.startable and info.tag.tag == tags["owner"] and not info.tag.via_share
    assert info.refusal is None and not info.logbook_required
    set_connector(charger, Status.CHARGING, 1)
    info = starting.start_info(user=ready["owner"], charge_point=charger, connector_id=1)
    assert not info.startable and info.refusal.code == "connector_busy"
    assert info.tag.tag == tags["owner"]  # the tag is shown even when the start is refused
    assert nothing_sent()


def test_progress_follows_the_charger_answer_then_the_session(ready, charger):
    request = start(ready["owner"], charger)
    operation = request.operation
    for status, state, final in [
        (ChargerOperation.Status.ACCEPTED, "accepted", False),
        (ChargerOperation.Status.REJECTED, "rejected", True),
        (ChargerOperation.Status.TIMED_OUT, "timed_out", True),
        (ChargerOperation.Status.OFFLINE, "offline", True),
        (ChargerOperation.Status.FAILED, "failed", True),
    ]:
        operation.status = status
        progress = starting.start_progress(request)
        assert (progress.state, progress.final) == (state, final), status
    operation.status = ChargerOperation.Status.ACCEPTED
    later = request.created_at + timedelta(minutes=6)
    assert starting.start_progress(request, at=later).state == "no_session"
    session = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="OWNER1",
                                             user=ready["owner"], started_at=timezone.now(), meter_start=0)
    request.session = session
    progress = starting.start_progress(request)
    assert (progress.state, progress.session_id, progress.final) == ("started", session.pk, True)


def test_start_requests_are_private(ready, charger):
    request = start(ready["owner"], charger)
    assert starting.start_request_get_for_user(ready["owner"], request.pk) == request
    from django.http import Http404

    for persona in ("member", "guest", "outsider", "staff"):
        with pytest.raises(Http404):
            starting.start_request_get_for_user(ready[persona], request.pk)


def test_sticker_url_is_absolute(settings, charger):
    settings.SITE_URL = "https://charge.example.com"
    assert starting.connector_start_url(charger, 2) == "https://charge.example.com/app/charge/CP-HOME/2/"
