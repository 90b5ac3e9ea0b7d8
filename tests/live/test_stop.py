"""SES-3 Stop: who may stop a running session (its driver, the charger's owner, staff), the
RemoteStopTransaction sent and logged, and every refusal explained (page, API)."""

import pytest
from django.urls import reverse

from chargers.models import ChargerOperation
from sessions_app.live import session_request_stop
from sessions_app.models import ChargingSession, SessionEvent
from tests.live.helpers import online, start, stop
from tests.sharing.helpers import app_client
from wccportal.errors import DomainError

pytestmark = pytest.mark.django_db


def stop_url(pk):
    return reverse("app:session_stop", args=[pk])


def api_stop(pk):
    return f"/api/v1/sessions/{pk}/stop/"


def stop_operations():
    return ChargerOperation.objects.filter(action="RemoteStopTransaction")


@pytest.fixture
def guest_session(charger, share, tags):
    """The guest charges on the owner's home charger (shared with them), which is online."""
    online(charger)
    return ChargingSession.objects.get(pk=start(charger, "GUEST1", "2026-03-01T10:00:00Z"))


def test_the_driver_stops_their_session_from_the_live_page(client, guest, guest_session, charger):
    client.force_login(guest)
    response = client.post(stop_url(guest_session.pk))
    assert response.status_code == 302
    assert response.url == reverse("app:session_live", args=[guest_session.pk])
    operation = stop_operations().get()
    assert operation.payload == {"transactionId": guest_session.pk}
    assert operation.charge_point_id == charger.pk and operation.requested_by == guest
    assert operation.status == ChargerOperation.Status.PENDING
    event = SessionEvent.objects.get(session=guest_session, kind="remote_stop_requested")
    assert event.detail == guest.get_full_name() and event.at == operation.created_at
    page = client.get(response.url).content.decode()
    assert "Stop sent to Home" in page
    assert 'data-testid="stopping"' in page and "waiting for the charger" in page


def test_the_charger_owner_may_stop_a_guests_session(owner, guest_session):
    operation = session_request_stop(user=owner, session=guest_session)
    assert operation.requested_by == owner
    assert operation.payload == {"transactionId": guest_session.pk}


def test_staff_may_stop_any_session(staff, guest_session):
    assert session_request_stop(user=staff, session=guest_session).requested_by == staff


@pytest.mark.parametrize("persona", ["outsider", "member", "operator"])
def test_others_get_404_on_page_and_api(client, world, guest_session, persona):
    user = world[persona]
    client.force_login(user)
    assert client.post(stop_url(guest_session.pk)).status_code == 404
    assert client.get(reverse("app:session_live", args=[guest_session.pk])).status_code == 404
    api = app_client(user)
    for response in (api.post(api_stop(guest_session.pk)), api.get(f"/api/v1/sessions/{guest_session.pk}/live/")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert not stop_operations().exists()


def test_a_group_owner_who_only_sees_the_session_may_not_stop_it(owner, member, group_charger, tags):
    # The group's charger belongs to someone else than the group's owner (here: the member).
    group_charger.owner = member
    group_charger.save()
    online(group_charger)
    session = ChargingSession.objects.get(pk=start(group_charger, "MEMBER1", "2026-03-01T10:00:00Z"))
    from django.http import Http404

    with pytest.raises(Http404):
        session_request_stop(user=owner, session=session)
    state = app_client(owner).get(f"/api/v1/sessions/{session.pk}/live/").json()
    assert state["can_stop"] is False


def test_a_stopped_session_is_not_stopped_again(client, guest, guest_session, charger):
    stop(charger, guest_session.pk, "2026-03-01T11:00:00Z", 5000)
    with pytest.raises(DomainError) as refused:
        session_request_stop(user=guest, session=guest_session)
    assert refused.value.code == "session_not_active"
    response = app_client(guest).post(api_stop(guest_session.pk))
    assert response.status_code == 409 and response.json()["error"]["code"] == "session_not_active"
    client.force_login(guest)
    page = client.post(stop_url(guest_session.pk), follow=True).content.decode()
    assert "This charging session has already ended." in page
    assert not stop_operations().exists()


def test_an_offline_charger_is_refused_before_anything_is_sent(client, guest, guest_session, charger):
    charger.__class__.objects.filter(pk=charger.pk).update(is_online=False)
    response = app_client(guest).post(api_stop(guest_session.pk))
    assert response.status_code == 409
    body = response.json()["error"]
    assert body["code"] == "charger_offline" and "Home is offline" in body["message"]
    client.force_login(guest)
    page = client.post(stop_url(guest_session.pk), follow=True).content.decode()
    assert "Home is offline: the session can only be ended at the charger" in page
    assert not stop_operations().exists()
    assert not SessionEvent.objects.filter(kind="remote_stop_requested").exists()


def test_api_stop_answers_202_with_the_operation_and_a_second_tap_sends_nothing_new(guest, guest_session):
    api = app_client(guest)
    first = api.post(api_stop(guest_session.pk))
    assert first.status_code == 202, first.content
    body = first.json()
    operation = stop_operations().get()
    assert body["session"] == guest_session.pk and body["operation_id"] == operation.pk
    assert body["action"] == "RemoteStopTransaction" and body["status"] == "pending"
    again = api.post(api_stop(guest_session.pk))
    assert again.status_code == 202 and again.json()["operation_id"] == operation.pk
    assert stop_operations().count() == 1


def test_a_refused_stop_is_explained_and_stop_is_offered_again(guest, guest_session):
    operation = session_request_stop(user=guest, session=guest_session)
    ChargerOperation.objects.filter(pk=operation.pk).update(status="rejected")
    state = app_client(guest).get(f"/api/v1/sessions/{guest_session.pk}/live/").json()
    assert state["stop"]["status"] == "rejected" and state["stop"]["pending"] is False
    assert "The charger refused to stop the session" in state["stop"]["message"]
    assert state["state"] == "charging" and state["can_stop"] is True
    # Asked again: a new command goes out.
    assert session_request_stop(user=guest, session=guest_session).pk != operation.pk


def test_stop_is_post_only(client, guest, guest_session):
    client.force_login(guest)
    assert client.get(stop_url(guest_session.pk)).status_code == 405


def test_after_a_stop_the_page_goes_back_where_it_came_from_on_this_site_only(client, guest, guest_session):
    client.force_login(guest)
    response = client.post(stop_url(guest_session.pk), {"next": reverse("app:dashboard")})
    assert response.url == reverse("app:dashboard")
    response = client.post(stop_url(guest_session.pk), {"next": "https://evil.example.com/"})
    assert response.url == reverse("app:session_live", args=[guest_session.pk])
