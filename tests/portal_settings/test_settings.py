"""Portal general settings (ACC-10): my account and login history, the language (through
set_language, stored on the user), the consent to optional trackers (a Consent row per
change), the legal pages, and the group context chosen and left from here."""

import pytest
from django.urls import reverse

from accounts.models import Consent, LoginEvent
from accounts.privacy import privacy_tracking_get, privacy_tracking_set

pytestmark = pytest.mark.django_db

PAGE = reverse("portal:settings")
PRIVACY = reverse("portal:settings_privacy")


def test_page_has_account_language_privacy_legal_group_and_login_history(client, owner):
    LoginEvent.objects.create(user=owner, email=owner.email, channel="web", ip_address="192.0.2.7", succeeded=True)
    client.force_login(owner)
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["nav"] == "settings"
    for testid in ("account-card", "language-form", "privacy-form", "legal-card", "group-card", "login-history"):
        assert f'data-testid="{testid}"' in html
    assert owner.email in html and "<td>192.0.2.7</td>" in html
    for path in (reverse("imprint"), reverse("privacy"), reverse("terms"), reverse("set_language")):
        assert f'href="{path}"' in html or f'action="{path}"' in html
    assert [code for code, _name in response.context["languages"]] == ["en", "fr", "de"]
    assert 'value="en" id="id_language_en" checked' in html
    assert f'<input type="hidden" name="next" value="{PAGE}">' in html


def test_language_switch_goes_back_here_in_german_and_is_stored(client, owner):
    client.force_login(owner)
    response = client.post(reverse("set_language"), {"language": "de", "next": PAGE})
    assert response.status_code == 302 and response.url == PAGE
    owner.refresh_from_db()
    assert owner.language == "de"
    html = client.get(PAGE).content.decode()
    assert '<html lang="de"' in html and "Einstellungen" in html
    assert 'value="de" id="id_language_de" checked' in html


def test_tracking_consent_is_recorded_per_change(client, owner):
    client.force_login(owner)
    assert client.get(PAGE).context["tracking_allowed"] is False
    response = client.post(PRIVACY, {"tracking_allowed": "on"})
    assert response.status_code == 302 and response.url == PAGE + "#privacy"
    assert client.get(PAGE).context["tracking_allowed"] is True
    client.post(PRIVACY, {"tracking_allowed": "on"})  # the same choice again: no new row
    client.post(PRIVACY, {})
    rows = list(Consent.objects.filter(user=owner, document=Consent.Document.TRACKING)
                .order_by("created_at", "pk").values_list("accepted", flat=True))
    assert rows == [True, False]
    assert client.get(PAGE).context["tracking_allowed"] is False
    assert client.get(PRIVACY).status_code == 405


def test_tracking_service_records_a_first_refusal_and_only_changes(owner, member):
    assert privacy_tracking_get(user=owner) is False
    assert privacy_tracking_set(user=owner, allowed=False) is not None  # an explicit first choice
    assert privacy_tracking_set(user=owner, allowed=False) is None
    consent = privacy_tracking_set(user=owner, allowed=True)
    assert consent.accepted and consent.version and privacy_tracking_get(user=owner)
    assert privacy_tracking_get(user=member) is False  # one user's choice is theirs only


def test_group_card_chooses_and_leaves_the_group_context(client, world, owner, group_charger):
    group = group_charger.group_link.group
    client.force_login(owner)
    html = client.get(PAGE).content.decode()
    assert 'data-testid="group-context-form"' in html and "leave-group-context" not in html
    response = client.post(reverse("portal:group_context"), {"group": group.pk, "next": PAGE})
    assert response.url == PAGE
    html = client.get(PAGE).content.decode()
    assert 'data-testid="current-group">Residence<' in html and "leave-group-context" in html
    client.post(reverse("portal:group_context"), {"group": "", "next": PAGE})
    assert 'data-testid="current-group">All groups<' in client.get(PAGE).content.decode()


def test_someone_in_no_group_is_told_so(client, outsider):
    client.force_login(outsider)
    html = client.get(PAGE).content.decode()
    assert "You are in no group yet." in html and 'data-testid="group-context-form"' not in html


@pytest.mark.parametrize("persona", ["owner", "member", "guest", "outsider", "operator", "staff"])
def test_every_persona_sees_only_their_own_settings(client, world, persona):
    user = world[persona]
    client.force_login(user)
    html = client.get(PAGE).content.decode()
    assert user.email in html
    others = [p.email for name, p in world.items() if name != persona]
    assert not any(email in html for email in others)
    client.post(PRIVACY, {"tracking_allowed": "on"})
    assert set(Consent.objects.filter(document=Consent.Document.TRACKING).values_list("user", flat=True)) == {user.pk}
