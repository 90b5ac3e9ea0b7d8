"""CP-3 Share: the owner shares a charger with an e-mail address, by page and by API."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from chargers import sharing
from chargers.models import ChargerShare, IdTag
from chargers.passwords import check_secret
from tests.factories.accounts import UserFactory
from tests.factories.chargers import IdTagFactory

from .helpers import app_client, code_from_mail, tag_from_mail

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def share_url(cp_id="CP-HOME"):
    return reverse("app:charger_share", args=[cp_id])


def form_data(email="friend@example.com", when=None, tag="", zone="Europe/Berlin"):
    when = when or (datetime.now(ZoneInfo(zone)) + timedelta(days=2)).replace(hour=17, minute=30)
    return {"email": email, "id_tag": tag, "expires_date": when.strftime("%Y-%m-%d"),
            "expires_time": when.strftime("%H:%M"), "time_zone": zone}


def counts():
    return ChargerShare.objects.count(), IdTag.objects.count(), len(mail.outbox)


def test_owner_shares_from_the_page_and_the_email_carries_everything(
    client, owner, charger, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    assert client.get(share_url()).status_code == 200
    when = (datetime.now(BERLIN) + timedelta(days=2)).replace(hour=17, minute=30, second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(share_url(), form_data("Friend@Example.com", when))
    assert response.status_code == 302
    assert response.url == reverse("app:charger_users", args=["CP-HOME"])

    share = ChargerShare.objects.get()
    assert share.email == "friend@example.com" and share.recipient is None
    assert share.shared_by == owner and share.charge_point == charger
    assert share.expires_at == when  # entered in the user's zone, stored as that instant

    # A new unowned virtual tag, never one of the owner's.
    tag = share.id_tag
    assert tag.user is None and tag.kind == IdTag.Kind.VIRTUAL and tag.alias == "Share: Home"

    [message] = mail.outbox
    assert message.to == ["friend@example.com"]
    assert "Home" in message.subject
    code = code_from_mail(message)
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Home" in text and "CP-HOME" in text and code in text and tag.id_tag in text
        assert "Europe/Berlin" in text and "5:30 p.m." in text  # the expiry in the charger's zone
        assert "/accounts/guest/" in text and "Shared tab" in text
    assert tag_from_mail(message) == tag.id_tag
    assert len(code) == 6 and code.isdigit()

    # Only the hash is stored, and the code opens the guest access.
    assert code not in share.access_code_hash and check_secret(code, share.access_code_hash)
    r = app_client().post("/api/v1/auth/guest/", {"email": "friend@example.com", "access_code": code},
                          content_type="application/json")
    assert r.status_code == 200, r.content

    page = client.get(reverse("app:charger_users", args=["CP-HOME"]))
    assert "friend@example.com" in page.content.decode()


def test_expiry_is_shown_in_the_chargers_time_zone(owner, charger, django_capture_on_commit_callbacks):
    charger.time_zone = "America/New_York"
    charger.save()
    when = datetime(2030, 1, 1, tzinfo=ZoneInfo("UTC"))
    now = when - timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        from unittest import mock

        with mock.patch("django.utils.timezone.now", return_value=now):
            sharing.share_create(charge_point=charger, email="friend@example.com", expires_at=when,
                                 acting_user=owner)
    body = mail.outbox[0].body
    assert "Dec. 31, 2029, 7 p.m. (America/New_York)" in body


def test_sharing_with_a_registered_user_notifies_them_in_the_app(
    owner, charger, guest, later, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = sharing.share_create(charge_point=charger, email="GUEST@example.com", expires_at=later,
                                      acting_user=owner)
    assert result.share.recipient == guest
    note = Notification.objects.get(user=guest)
    assert note.kind == Notification.Kind.CHARGER_SHARED and "Home" in note.title
    assert note.link == "/app/chargers/?tab=shared"
    assert mail.outbox[0].to == ["guest@example.com"]
    assert "Shared tab" in mail.outbox[0].body and "/app/chargers/?tab=shared" in mail.outbox[0].body


def test_owner_shares_through_the_api(owner, charger, django_capture_on_commit_callbacks):
    api = app_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/chargers/CP-HOME/shares/", {
            "email": "friend@example.com", "id_tag": "", "expires_at": "2030-01-01T08:00",
            "time_zone": "America/New_York",
        }, content_type="application/json")
    # Over a year ahead: refused.
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_expiry"
    local = (timezone.now() + timedelta(days=5)).astimezone(ZoneInfo("America/New_York"))
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/chargers/CP-HOME/shares/", {
            "email": "friend@example.com", "id_tag": "Card-77",
            "expires_at": local.strftime("%Y-%m-%dT08:00"), "time_zone": "America/New_York",
        }, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["email"] == "friend@example.com" and body["id_tag"] == "Card-77"
    assert body["registered"] is False and "access_code" not in body
    share = ChargerShare.objects.get()
    assert share.expires_at == local.replace(hour=8, minute=0, second=0, microsecond=0)
    assert code_from_mail() and tag_from_mail() == "Card-77"
    listed = api.get("/api/v1/chargers/CP-HOME/shares/").json()
    assert [s["email"] for s in listed] == ["friend@example.com"]
    schema = app_client(owner).get("/api/schema/")
    assert b"/api/v1/chargers/{charge_point_id}/shares/" in schema.content
    assert b"/api/v1/auth/guest/" in schema.content


# --- The tag rules ----------------------------------------------------------------------------


def share(owner, charger, later, email="friend@example.com", tag=""):
    return sharing.share_create(charge_point=charger, email=email, id_tag=tag, expires_at=later,
                                acting_user=owner).share


def test_blank_tag_gets_a_new_virtual_tag_each_time(owner, charger, later):
    first, second = share(owner, charger, later), share(owner, charger, later, "other@example.com")
    assert first.id_tag != second.id_tag
    assert first.id_tag.user is None and second.id_tag.user is None


def test_unknown_tag_is_created_unowned_for_the_card_the_recipient_holds(owner, charger, later):
    tag = share(owner, charger, later, tag="  CARD-9  ").id_tag
    assert tag.id_tag == "CARD-9" and tag.user is None and tag.kind == IdTag.Kind.PHYSICAL


def test_an_unowned_tag_of_my_own_earlier_shares_is_reused_ignoring_case(
    owner, charger, group_charger, later
):
    first = share(owner, charger, later, tag="CARD-9")
    again = share(owner, group_charger, later, "other@example.com", tag="card-9")
    assert again.id_tag == first.id_tag and IdTag.objects.filter(id_tag__iexact="card-9").count() == 1


def test_the_recipients_own_tag_is_reused(owner, charger, guest, tags, later):
    assert share(owner, charger, later, "guest@example.com", tag="guest1").id_tag == tags["guest"]


@pytest.mark.parametrize("tag", ["OWNER1", "owner1", "OUTSIDER1", "GUEST1", "STAFFCARD", "OTHERS"])
def test_tags_in_use_are_refused(owner, outsider, charger, tags, later, tag):
    IdTagFactory(id_tag="STAFFCARD", user=None)  # provisioned, never used for a share of mine
    other_cp = charger.__class__.objects.create(charge_point_id="CP-OTHER", owner=outsider)
    share(outsider, other_cp, later, "someone@example.com", tag="OTHERS")  # another owner's share tag
    before = counts()
    # GUEST1 belongs to a registered user who is not the recipient here.
    with pytest.raises(sharing.DomainError) as error:
        share(owner, charger, later, "friend@example.com", tag=tag)
    assert error.value.code == "tag_in_use" and "id_tag" in error.value.fields
    assert counts() == before


@pytest.mark.parametrize("tag", ["x" * 21, "CARTÉ", "tab\there"])
def test_malformed_tag_ids_are_refused(owner, charger, later, tag):
    with pytest.raises(sharing.DomainError) as error:
        share(owner, charger, later, tag=tag)
    assert error.value.code == "invalid_tag"
    assert ChargerShare.objects.count() == 0


def test_page_shows_tag_in_use_next_to_the_field(client, owner, charger, tags):
    client.force_login(owner)
    before = counts()
    response = client.post(share_url(), form_data(tag="OWNER1"))
    assert response.status_code == 400
    form = response.context["form"]
    assert "already in use" in " ".join(form.errors["id_tag"])
    assert counts() == before


# --- Bad input and access -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": "owner@example.com"}, "email", "yourself"),
        ({"when": datetime.now(BERLIN) - timedelta(hours=1)}, "expires_date", "future"),
        ({"when": datetime.now(BERLIN) + timedelta(days=400)}, "expires_date", "one year"),
        ({"expires_date": "31/31/2026"}, "expires_date", "valid date"),
    ],
    ids=["bad-email", "self", "past", "too-far", "bad-date"],
)
def test_bad_input_on_the_page_changes_nothing(client, owner, charger, data, field, message):
    client.force_login(owner)
    before = counts()
    post = form_data(data.get("email", "friend@example.com"), data.get("when"))
    if "expires_date" in data:
        post["expires_date"] = data["expires_date"]
    response = client.post(share_url(), post)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"email": "nope"}, "invalid"),
        ({"expires_at": "2001-01-01T10:00:00Z"}, "invalid_expiry"),
        ({"id_tag": "OWNER1"}, "tag_in_use"),
        ({"time_zone": "Mars/Olympus"}, "invalid"),
    ],
)
def test_bad_input_on_the_api_changes_nothing(owner, charger, tags, later, payload, code):
    before = counts()
    data = {"email": "friend@example.com", "expires_at": later.isoformat(), **payload}
    r = app_client(owner).post("/api/v1/chargers/CP-HOME/shares/", data, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["code"] == code
    assert counts() == before


@pytest.mark.parametrize("persona", ["member", "guest", "outsider"])
def test_only_the_owner_may_share(world, client, later, persona):
    user = world[persona]
    client.force_login(user)
    # member uses CP-GROUP, guest has CP-HOME shared: neither owns it.
    for cp_id in ("CP-HOME", "CP-GROUP", "CP-ORG"):
        assert client.get(share_url(cp_id)).status_code == 404
        assert client.post(share_url(cp_id), form_data()).status_code == 404
        r = app_client(user).post(f"/api/v1/chargers/{cp_id}/shares/",
                                  {"email": "x@example.com", "expires_at": later.isoformat()},
                                  content_type="application/json")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert ChargerShare.objects.count() == 1  # the world's own share only


def test_anonymous_visitors_are_sent_to_sign_in(client, charger):
    response = client.get(share_url())
    assert response.status_code == 302 and "/accounts/login/" in response.url
    r = app_client().post("/api/v1/chargers/CP-HOME/shares/", {}, content_type="application/json")
    assert r.status_code in (401, 403)


def test_registered_user_elsewhere_notified_once_per_share(owner, charger, later,
                                                           django_capture_on_commit_callbacks):
    friend = UserFactory(email="friend@example.com", language="de")
    with django_capture_on_commit_callbacks(execute=True):
        share(owner, charger, later)
    assert Notification.objects.filter(user=friend).count() == 1
    assert mail.outbox[0].to == ["friend@example.com"]
