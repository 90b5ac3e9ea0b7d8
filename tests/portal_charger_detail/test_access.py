"""Who may open which tab of the charge point page and send which form (CP-7, DESIGN.md §4).

Seeing a charger (owner, group member, guest with a share, the organisation's operator, staff)
opens Overview, Charging sessions, Connectors and Pictures; managing it (owner, operator for the
organisation's charger, staff) also Installation, Configuration and Logbook and every POST.
Everyone else gets 404, and a forged POST changes nothing."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from chargers.models import ChargePoint, ChargerOperation, ChargerPicture, ChargerShare, FirmwareRelease
from groups.models import GroupCharger
from tests.portal_charger_detail.conftest import MANAGERS_TABS, TABS, client_for, image_bytes, url

pytestmark = pytest.mark.django_db

SEES = {
    "owner": {"CP-HOME", "CP-GROUP"},
    "member": {"CP-GROUP"},
    "guest": {"CP-HOME"},
    "outsider": set(),
    "operator": {"CP-ORG"},
    "staff": {"CP-HOME", "CP-GROUP", "CP-ORG"},
}
MANAGES = {
    "owner": {"CP-HOME", "CP-GROUP"},
    "member": set(),
    "guest": set(),
    "outsider": set(),
    "operator": {"CP-ORG"},
    "staff": {"CP-HOME", "CP-GROUP", "CP-ORG"},
}
CHARGERS = ("CP-HOME", "CP-GROUP", "CP-ORG")


@pytest.fixture
def everything(world, charger, group_charger, org_charger):
    for cp in (charger, group_charger, org_charger):
        picture = ChargerPicture(charge_point=cp, slot=1)
        picture.image.save("p.png", ContentFile(image_bytes()), save=True)
    FirmwareRelease.objects.create(model="SimBox 22", version="9.0.0", location="https://example.com/fw.bin")
    ChargePoint.objects.update(is_online=True, firmware_version="1.0.0")
    return world


@pytest.mark.parametrize("persona", list(SEES))
@pytest.mark.parametrize("tab", TABS)
def test_tabs(everything, persona, tab):
    client = client_for(everything[persona])
    allowed = MANAGES[persona] if tab in MANAGERS_TABS else SEES[persona]
    for cp_id in CHARGERS:
        response = client.get(url(tab, cp_id))
        assert response.status_code == (200 if cp_id in allowed else 404), (persona, tab, cp_id)


@pytest.mark.parametrize("persona", list(SEES))
def test_tab_bar_offers_only_what_the_user_may_open(everything, persona):
    client = client_for(everything[persona])
    for cp_id in SEES[persona]:
        html = client.get(url("charger_detail", cp_id)).content.decode()
        for tab in TABS:
            shown = f'href="{url(tab, cp_id)}"' in html
            expected = cp_id in MANAGES[persona] or tab not in MANAGERS_TABS
            assert shown == expected, (persona, cp_id, tab)
        assert ('data-testid="operations-menu"' in html) == (cp_id in MANAGES[persona])


@pytest.mark.parametrize("persona", list(SEES))
def test_pictures_are_served_to_those_who_see_the_charger(everything, persona):
    client = client_for(everything[persona])
    for cp_id in CHARGERS:
        response = client.get(url("charger_picture", cp_id, 1))
        assert response.status_code == (200 if cp_id in SEES[persona] else 404), (persona, cp_id)
        if response.status_code == 200:
            assert response["Content-Type"] == "image/png"
            assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("persona", list(SEES))
@pytest.mark.parametrize("name", ["charger_firmware", "charger_configuration_panel"])
def test_managers_fragments(everything, persona, name):
    client = client_for(everything[persona])
    for cp_id in CHARGERS:
        response = client.get(url(name, cp_id))
        assert response.status_code == (200 if cp_id in MANAGES[persona] else 404), (persona, name, cp_id)


def _state(cp_id):
    """Everything the page's forms could change on a charger."""
    cp = ChargePoint.objects.get(charge_point_id=cp_id)
    return {
        "row": ChargePoint.objects.filter(pk=cp.pk).values(
            "description", "street", "city", "country", "logbook_enabled", "time_zone", "owner_id",
            "organisation_id", "claim_code").get(),
        "operations": list(ChargerOperation.objects.filter(charge_point=cp).values_list("action", flat=True)),
        "pictures": sorted(ChargerPicture.objects.filter(charge_point=cp).values_list("slot", "image")),
        "shares": list(ChargerShare.objects.filter(charge_point=cp).values_list("revoked_at", flat=True)),
        "group": GroupCharger.objects.filter(charge_point=cp).exists(),
    }


def _posts(release_pk):
    return [
        ("charger_site", {"description": "Forged", "street": "Forged street", "city": "X", "country": "FR"}, {}),
        ("charger_logbook_switch", {"enabled": "on", "next": "/"}, {}),
        ("charger_time_zone", {"time_zone": "Asia/Tokyo"}, {}),
        ("charger_firmware_install", {"release": str(release_pk)}, {}),
        ("charger_configuration_read", {}, {}),
        ("charger_configuration_change", {"key": "HeartbeatInterval", "value": "1"}, {}),
        ("charger_pictures", {"slot": "2"}, {"image": image_bytes()}),
        ("charger_picture_delete", {}, {"slot": 1}),
        ("charger_assignment_remove", {}, {}),
    ]


@pytest.mark.parametrize("persona", list(SEES))
def test_forged_posts_are_404_and_change_nothing(everything, persona):
    from django.core.files.uploadedfile import SimpleUploadedFile

    release = FirmwareRelease.objects.get()
    client = client_for(everything[persona])
    for cp_id in CHARGERS:
        if cp_id in MANAGES[persona]:
            continue
        before = _state(cp_id)
        for name, data, extra in _posts(release.pk):
            args = [extra["slot"]] if "slot" in extra else []
            payload = dict(data)
            if "image" in extra:
                payload["image"] = SimpleUploadedFile("p.png", extra["image"], content_type="image/png")
            response = client.post(url(name, cp_id, *args), payload)
            assert response.status_code == 404, (persona, cp_id, name)
        assert _state(cp_id) == before, (persona, cp_id)


@pytest.mark.parametrize("persona", ["owner", "operator", "staff"])
def test_managers_posts_are_accepted(everything, persona, sent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(everything[persona])
    cp_id = sorted(MANAGES[persona])[-1]
    release = FirmwareRelease.objects.get()
    for name, data, extra in _posts(release.pk):
        if name in ("charger_configuration_change",):
            continue  # needs a read first: tests/portal_charger_detail/test_configuration.py
        args = [extra["slot"]] if "slot" in extra else []
        payload = dict(data)
        if "image" in extra:
            payload["image"] = SimpleUploadedFile("p.png", extra["image"], content_type="image/png")
        response = client.post(url(name, cp_id, *args), payload)
        assert response.status_code == 302, (persona, name, response.content[:400])
        if name == "charger_time_zone":
            cp = ChargePoint.objects.get(charge_point_id=cp_id)
            assert cp.description == "Forged" and cp.logbook_enabled and cp.time_zone == "Asia/Tokyo"
    cp = ChargePoint.objects.get(charge_point_id=cp_id)
    assert cp.owner_id is None and cp.organisation_id is None  # the assignment went last
    assert set(ChargerOperation.objects.filter(charge_point=cp).values_list("action", flat=True)) == {
        "UpdateFirmware", "GetConfiguration"}


def test_get_on_post_only_urls_is_refused(everything):
    client = client_for(everything["owner"])
    for name in ("charger_site", "charger_logbook_switch", "charger_time_zone", "charger_firmware_install",
                 "charger_configuration_read", "charger_configuration_change", "charger_assignment_remove"):
        assert client.get(url(name)).status_code == 405, name
    assert client.get(url("charger_picture_delete", "CP-HOME", 1)).status_code == 405
    assert ChargerPicture.objects.filter(charge_point__charge_point_id="CP-HOME").exists()


def test_anonymous_is_sent_to_login(everything):
    from django.test import Client

    for tab in TABS:
        response = Client().get(url(tab))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().get(url("charger_picture", "CP-HOME", 1)).status_code == 302


def test_an_expired_share_no_longer_opens_the_page(everything, share):
    ChargerShare.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client = client_for(everything["guest"])
    assert client.get(url("charger_detail")).status_code == 404
    assert client.get(url("charger_picture", "CP-HOME", 1)).status_code == 404
