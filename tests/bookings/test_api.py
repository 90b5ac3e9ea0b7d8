"""RES-1 / RES-2 API: book (the charger is assigned), list, read, cancel; the booking rules and
a day's availability; refusals as JSON errors with a code; another tenant's objects are 404."""

from datetime import UTC, timedelta

import pytest

from accounts.models import User
from groups.models import Booking
from tests.sharing.helpers import app_client

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"


def rules(group):
    return f"/api/v1/groups/{group.pk}/booking-rules/"


def availability(group, day=""):
    return f"/api/v1/groups/{group.pk}/booking-availability/" + (f"?date={day}" if day else "")


def error_code(response):
    return response.json()["error"]["code"]


def test_book_list_read_and_cancel(premium_member, group, group_charger, tomorrow):
    api = app_client(premium_member)
    response = api.post(BOOKINGS, {"group": group.pk, "starts_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
                                   "duration_minutes": 90}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["charge_point_id"] == "CP-GROUP" and body["charger_name"] == "Residence"
    assert body["group"] == {"id": group.pk, "name": "Residence"} and body["status"] == "booked"
    assert body["mine"] is True and body["time_zone"] == "Europe/Berlin"
    booking = Booking.objects.get()
    assert booking.starts_at == tomorrow  # the offset-less time is read in the group's zone
    assert booking.ends_at == tomorrow + timedelta(minutes=90)

    listed = api.get(BOOKINGS).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == booking.pk
    assert api.get(BOOKINGS + "?scope=past").json()["count"] == 0
    assert error_code(api.get(BOOKINGS + "?scope=someday")) == "invalid_scope"
    assert api.get(f"{BOOKINGS}{booking.pk}/").json()["id"] == booking.pk

    response = api.delete(f"{BOOKINGS}{booking.pk}/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert api.get(BOOKINGS + "?scope=past").json()["count"] == 1
    response = api.delete(f"{BOOKINGS}{booking.pk}/")
    assert response.status_code == 409 and error_code(response) == "booking_not_live"


def test_times_with_an_offset_and_an_end(premium_member, group, tomorrow):
    api = app_client(premium_member)
    start = tomorrow.astimezone(UTC)
    response = api.post(BOOKINGS, {"group": group.pk, "starts_at": start.isoformat(),
                                   "ends_at": (start + timedelta(hours=2)).isoformat()},
                        content_type="application/json")
    assert response.status_code == 201
    assert Booking.objects.get().starts_at == tomorrow


@pytest.mark.parametrize(("change", "payload", "status", "code"), [
    ("free", {}, 400, "premium_required"),
    ("disabled", {}, 400, "bookings_disabled"),
    (None, {"duration_minutes": 5}, 400, "booking_too_short"),
    (None, {"duration_minutes": 241}, 400, "booking_too_long"),
    (None, {"starts_at": "2001-01-01T10:00"}, 400, "booking_in_past"),
    (None, {"starts_at": "2999-01-01T10:00"}, 400, "booking_too_far_ahead"),
    (None, {"starts_at": "tomorrow"}, 400, "invalid"),
    (None, {"ends_at": "2999-01-01T10:00"}, 400, "invalid"),  # both an end and a duration
])
def test_refusals_have_codes(premium_member, group, tomorrow, change, payload, status, code):
    if change == "free":
        premium_member.plan = User.Plan.FREE
        premium_member.save()
    if change == "disabled":
        group.bookings_enabled = False
        group.save()
    data = {"group": group.pk, "starts_at": tomorrow.isoformat(), "duration_minutes": 60, **payload}
    response = app_client(premium_member).post(BOOKINGS, data, content_type="application/json")
    assert response.status_code == status, response.content
    assert error_code(response) == code
    assert not Booking.objects.exists()


def test_no_charger_free_is_a_conflict(premium_member, other_member, group, group_charger, tomorrow):
    data = {"group": group.pk, "starts_at": tomorrow.isoformat(), "duration_minutes": 60}
    assert app_client(other_member).post(BOOKINGS, data, content_type="application/json").status_code == 201
    response = app_client(premium_member).post(BOOKINGS, data, content_type="application/json")
    assert response.status_code == 409 and error_code(response) == "no_charger_free"
    assert response.json()["error"]["fields"]["starts_at"]


def test_rules_read_by_members_changed_by_the_owner(owner, premium_member, group):
    assert app_client(premium_member).get(rules(group)).json() == {
        "enabled": True, "max_minutes": 240, "horizon_days": 14, "no_show_minutes": 15}
    new = {"enabled": True, "max_minutes": 60, "horizon_days": 3, "no_show_minutes": 5}
    response = app_client(premium_member).put(rules(group), new, content_type="application/json")
    assert response.status_code == 403 and error_code(response) == "not_group_owner"
    response = app_client(owner).put(rules(group), new, content_type="application/json")
    assert response.status_code == 200 and response.json() == new
    bad = app_client(owner).put(rules(group), {**new, "horizon_days": 365}, content_type="application/json")
    assert bad.status_code == 400 and "horizon_days" in bad.json()["error"]["fields"]
    owner.plan = User.Plan.FREE
    owner.save()
    group.bookings_enabled = False
    group.save()
    response = app_client(owner).put(rules(group), new, content_type="application/json")
    assert response.status_code == 400 and error_code(response) == "premium_required"


def test_availability(premium_member, other_member, group, group_charger, tomorrow):
    app_client(other_member).post(BOOKINGS, {"group": group.pk, "starts_at": tomorrow.isoformat(),
                                             "duration_minutes": 60}, content_type="application/json")
    body = app_client(premium_member).get(availability(group, tomorrow.date().isoformat())).json()
    assert body["date"] == tomorrow.date().isoformat() and body["chargers"] == 1
    assert body["time_zone"] == "Europe/Berlin" and body["bookings_enabled"] is True
    assert [b["charge_point_id"] for b in body["busy"]] == ["CP-GROUP"]
    assert len(body["free"]) == 2  # before and after the one booking
    assert app_client(premium_member).get(availability(group)).status_code == 200
    response = app_client(premium_member).get(availability(group, "31.12."))
    assert response.status_code == 400 and error_code(response) == "invalid_date"


def test_tenancy(premium_member, other_member, outsider, group, group_charger, tomorrow):
    booking = Booking.objects.create(group=group, charge_point=group_charger, user=premium_member,
                                     starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=1))
    neighbour = app_client(other_member)
    assert neighbour.get(f"{BOOKINGS}{booking.pk}/").status_code == 404
    assert neighbour.delete(f"{BOOKINGS}{booking.pk}/").status_code == 404
    assert neighbour.get(BOOKINGS).json()["count"] == 0
    stranger = app_client(outsider)
    assert stranger.get(rules(group)).status_code == 404
    assert stranger.put(rules(group), {}, content_type="application/json").status_code == 404
    assert stranger.get(availability(group)).status_code == 404
    outsider.plan = User.Plan.PREMIUM
    outsider.save()
    response = stranger.post(BOOKINGS, {"group": group.pk, "starts_at": tomorrow.isoformat(),
                                        "duration_minutes": 60}, content_type="application/json")
    assert response.status_code == 404 and error_code(response) == "not_found"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


def test_the_schema_documents_the_endpoints(client, staff):
    client.force_login(staff)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/bookings/", "/api/v1/bookings/{id}/", "/api/v1/groups/{id}/booking-rules/",
                 "/api/v1/groups/{id}/booking-availability/"):
        assert path in text
