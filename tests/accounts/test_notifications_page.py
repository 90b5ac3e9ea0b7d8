"""NOT-1: the notifications page links each notification to the page it is about."""

import pytest
from django.urls import reverse

from accounts.models import Notification

pytestmark = pytest.mark.django_db


def test_notifications_link_to_their_page_and_say_when(client, owner, outsider):
    Notification.objects.create(user=owner, title="Firmware 1.1.0", link="/app/chargers/CP-HOME/?firmware=1.1.0")
    Notification.objects.create(user=owner, title="Odd link", link="https://elsewhere.example.com/")
    Notification.objects.create(user=outsider, title="Not yours")
    client.force_login(owner)
    html = client.get(reverse("app:notifications")).content.decode()
    assert 'href="/app/chargers/CP-HOME/?firmware=1.1.0"' in html
    assert "elsewhere.example.com" not in html  # only the platform's own pages are linked
    assert "Not yours" not in html
    assert "now" in html  # naturaltime, not "0 minutes"
