"""RES-4 pages: my groups busy or free with Join the queue, my place in line, the offer with
its countdown and charger link, leave; other people's entries and groups are 404."""

import pytest
from django.test import Client
from django.urls import reverse

from groups import waitlist
from groups.models import WaitlistEntry
from tests.waitlist.conftest import make_busy, make_free

pytestmark = pytest.mark.django_db

URL = "/app/waitlist/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_url_names():
    assert reverse("app:waitlist") == URL
    assert reverse("app:waitlist_leave", args=[1]) == "/app/waitlist/1/leave/"


def test_free_group_says_go_charge_and_busy_group_offers_the_queue(group, group_charger, drivers):
    member = client_for(drivers[0])
    make_free(group_charger)
    html = member.get(URL).content.decode()
    assert 'data-testid="group-free"' in html and "1 charger free" in html
    assert 'data-testid="waitlist-join"' not in html
    make_busy(group_charger)
    html = member.get(URL).content.decode()
    assert 'data-testid="group-busy"' in html and "The charger is busy" in html
    assert 'data-testid="waitlist-join"' in html


def test_join_shows_the_place_in_line_and_leave_removes_it(group, group_charger, drivers):
    make_busy(group_charger)
    waitlist.waitlist_join(user=drivers[1], group=group)
    member = client_for(drivers[0])
    r = member.post(reverse("app:waitlist_join"), {"group": group.pk}, follow=True)
    assert r.status_code == 200
    html = r.content.decode()
    assert "You joined the queue of Residence. You are number 2 in line." in html
    assert 'data-testid="waitlist-position">You are number 2 in line<' in html
    assert "In the queue" in html and 'data-testid="waitlist-join"' not in html
    # Twice: a message, no second entry.
    r = member.post(reverse("app:waitlist_join"), {"group": group.pk}, follow=True)
    assert "You are already in this group&#x27;s queue." in r.content.decode()
    entry = WaitlistEntry.objects.get(user=drivers[0])
    r = member.post(reverse("app:waitlist_leave", args=[entry.pk]), follow=True)
    assert "You left the queue of Residence." in r.content.decode()
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CANCELLED
    assert "Left the queue" in r.content.decode()  # under Recently


def test_join_refused_while_free_is_a_message(group, group_charger, drivers):
    make_free(group_charger)
    r = client_for(drivers[0]).post(reverse("app:waitlist_join"), {"group": group.pk}, follow=True)
    assert "is free right now: go and charge there" in r.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_offer_shows_the_charger_the_countdown_and_the_way_to_start(group, group_charger, drivers):
    make_busy(group_charger)
    waitlist.waitlist_join(user=drivers[0], group=group)
    make_free(group_charger)
    [entry] = waitlist.waitlist_offer_free(group_id=group.pk)
    html = client_for(drivers[0]).get(URL).content.decode()
    assert 'data-testid="waitlist-offer"' in html
    assert "Your turn: Residence is held for you" in html
    assert f'data-hold-until="{entry.hold_until.isoformat()}"' in html
    assert f'href="{reverse("app:charger_detail", args=["CP-GROUP"])}"' in html


def test_state_json_changes_when_the_queue_moves(group, group_charger, drivers):
    make_busy(group_charger)
    waitlist.waitlist_join(user=drivers[0], group=group)
    member = client_for(drivers[0])
    before = member.get(reverse("app:waitlist_state")).json()
    assert before["entries"][0]["status"] == "waiting" and before["entries"][0]["position"] == 1
    make_free(group_charger)
    waitlist.waitlist_offer_free(group_id=group.pk)
    after = member.get(reverse("app:waitlist_state")).json()
    assert after["signature"] != before["signature"] and after["entries"][0]["status"] == "offered"


def test_tenancy(group, group_charger, drivers, outsider):
    make_busy(group_charger)
    entry = waitlist.waitlist_join(user=drivers[0], group=group).entry
    intruder = client_for(outsider)
    assert intruder.post(reverse("app:waitlist_leave", args=[entry.pk])).status_code == 404
    assert intruder.post(reverse("app:waitlist_join"), {"group": group.pk}).status_code == 404
    assert client_for(drivers[1]).post(reverse("app:waitlist_leave", args=[entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
    html = intruder.get(URL).content.decode()
    assert "Residence" not in html and "You are not in a group yet" in html
    assert Client().get(URL).status_code == 302  # sign in first
