"""My chargers pages (CP-1 … CP-4) for every persona: tabs, favourites, claim, detail,
settings, start, restart, delete and the QR code."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chargers.models import ChargePoint, ChargerOperation, ChargerShare, Favourite, FirmwareRelease
from groups.models import GroupCharger
from sessions_app.models import StartRequest
from tests.factories.chargers import ChargePointFactory
from tests.factories.groups import GroupFactory

pytestmark = pytest.mark.django_db


def tiles(response) -> list[str]:
    html = response.content.decode()
    return [cp for cp in ("CP-HOME", "CP-GROUP", "CP-ORG", "CP-FREE") if f'data-live-charger="{cp}"' in html]


@pytest.fixture
def free_charger(db):
    """An unclaimed charger with its printed claim code."""
    return ChargePointFactory(charge_point_id="CP-FREE", name="", claim_code="ABCD2345")


# --- CP-2 tabs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "tab", "expected"), [
    ("owner", "residential", ["CP-HOME", "CP-GROUP"]),
    ("owner", "commercial", []),
    ("owner", "shared", []),
    ("member", "residential", []),
    ("member", "commercial", ["CP-GROUP"]),
    ("guest", "shared", ["CP-HOME"]),
    ("outsider", "residential", []),
    ("outsider", "shared", []),
    ("operator", "residential", ["CP-ORG"]),
])
def test_each_tab_lists_the_chargers_of_its_kind(client, world, persona, tab, expected):
    client.force_login(world[persona])
    response = client.get(reverse("app:chargers") + f"?tab={tab}")
    assert response.status_code == 200
    assert tiles(response) == expected
    assert "includes/online.html" not in response.content.decode()


def test_the_chargers_page_keeps_its_url_name(client, owner):
    assert reverse("app:chargers") == "/app/chargers/"
    client.force_login(owner)
    assert client.get("/app/chargers/").status_code == 200


def test_tiles_carry_the_live_online_badge_and_the_owner_menu(client, world, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    client.force_login(world["owner"])
    html = client.get(reverse("app:chargers")).content.decode()
    assert f'data-charger-pk="{charger.pk}" data-live-charger="CP-HOME"' in html
    assert 'data-online="1"' in html
    assert reverse("app:charger_restart", args=["CP-HOME"]) in html
    assert reverse("app:charger_delete", args=["CP-HOME"]) in html
    assert reverse("app:charger_claim") in html  # the Add button


def test_shared_tab_offers_start_but_no_owner_actions(client, world):
    client.force_login(world["guest"])
    html = client.get(reverse("app:chargers") + "?tab=shared").content.decode()
    assert reverse("app:charger_start", args=["CP-HOME"]) in html
    assert reverse("app:charger_restart", args=["CP-HOME"]) not in html
    assert reverse("app:charger_delete", args=["CP-HOME"]) not in html
    assert reverse("app:charger_share_leave", args=["CP-HOME"]) in html


def test_a_guest_account_only_has_the_shared_tab(client, world):
    guest = world["guest"]
    guest.is_guest = True
    guest.save(update_fields=["is_guest"])
    client.force_login(guest)
    response = client.get(reverse("app:chargers") + "?tab=residential")
    html = response.content.decode()
    assert tiles(response) == ["CP-HOME"]
    assert 'data-tab="shared"' in html and 'data-tab="residential"' not in html


def test_update_available_badge(client, world, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(firmware_version="1.0.0")
    client.force_login(world["owner"])
    assert 'data-testid="update-available"' not in client.get(reverse("app:chargers")).content.decode()
    FirmwareRelease.objects.create(model=charger.model, version="2.0.0", location="https://fw.example.com/2")
    assert 'data-testid="update-available"' in client.get(reverse("app:chargers")).content.decode()


def test_star_with_htmx_and_the_favourites_tab(client, world, charger):
    client.force_login(world["guest"])
    url = reverse("app:charger_favourite", args=["CP-HOME"])
    response = client.post(url, {"favourite": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'data-favourite="1"' in response.content.decode()
    assert tiles(client.get(reverse("app:chargers") + "?tab=favourites")) == ["CP-HOME"]
    response = client.post(url, {"favourite": "0"}, headers={"HX-Request": "true"})
    assert 'data-favourite="0"' in response.content.decode()
    assert tiles(client.get(reverse("app:chargers") + "?tab=favourites")) == []


def test_outsider_cannot_star_a_charger(client, world):
    client.force_login(world["outsider"])
    response = client.post(reverse("app:charger_favourite", args=["CP-HOME"]), {"favourite": "1"})
    assert response.status_code == 404
    assert not Favourite.objects.exists()


# --- CP-1 claim --------------------------------------------------------------------------------


def test_the_qr_url_prefills_the_claim_form(client, outsider):
    client.force_login(outsider)
    html = client.get(reverse("app:charger_claim") + "?cp=CP-FREE&code=ABCD2345").content.decode()
    assert 'value="CP-FREE"' in html and 'value="ABCD2345"' in html


def test_claim_by_id_and_code_into_my_group(client, outsider, free_charger):
    group = GroupFactory(owner=outsider, name="Garage")
    client.force_login(outsider)
    response = client.post(reverse("app:charger_claim"), {
        "charge_point_id": "CP-FREE", "claim_code": "abcd2345", "name": "Garage box", "group": group.pk,
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("app:charger_detail", args=["CP-FREE"])
    free_charger.refresh_from_db()
    assert free_charger.owner == outsider and free_charger.name == "Garage box"
    assert GroupCharger.objects.get(charge_point=free_charger).group == group
    assert tiles(client.get(reverse("app:chargers"))) == ["CP-FREE"]


def test_claim_with_pasted_qr_text(client, outsider, free_charger):
    client.force_login(outsider)
    qr = "https://portal.example.com/app/chargers/claim/?cp=CP-FREE&code=ABCD2345"
    assert client.post(reverse("app:charger_claim"), {"qr": qr}).status_code == 302
    assert ChargePoint.objects.get(pk=free_charger.pk).owner == outsider


@pytest.mark.parametrize("data", [
    {"charge_point_id": "CP-FREE", "claim_code": "WRONG999"},
    {"charge_point_id": "CP-NOPE", "claim_code": "ABCD2345"},
    {"charge_point_id": "CP-HOME", "claim_code": "CLAIM"},
])
def test_claim_errors_do_not_tell_unknown_from_wrong(client, world, free_charger, data):
    if data["charge_point_id"] == "CP-HOME":
        data["claim_code"] = ChargePoint.objects.get(charge_point_id="CP-HOME").claim_code
    client.force_login(world["outsider"])
    response = client.post(reverse("app:charger_claim"), data)
    assert response.status_code == 200
    assert "do not match a charger you can claim" in response.content.decode()
    assert not ChargePoint.objects.filter(owner=world["outsider"]).exists()


def test_claim_page_form_errors(client, owner, outsider, free_charger):
    other_group = GroupFactory(owner=owner)
    client.force_login(outsider)
    response = client.post(reverse("app:charger_claim"), {"charge_point_id": "CP-FREE"})
    assert "Enter the charge point ID and the claim code" in response.content.decode()
    response = client.post(reverse("app:charger_claim"), {
        "charge_point_id": "CP-FREE", "claim_code": "ABCD2345", "name": "x" * 101,
    })
    assert "at most 100 characters" in response.content.decode()
    # Someone else's group is not even a choice.
    response = client.post(reverse("app:charger_claim"), {
        "charge_point_id": "CP-FREE", "claim_code": "ABCD2345", "group": other_group.pk,
    })
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert ChargePoint.objects.get(pk=free_charger.pk).owner is None


def test_claim_page_is_throttled(client, outsider, free_charger):
    client.force_login(outsider)
    for _ in range(10):
        response = client.post(reverse("app:charger_claim"), {"charge_point_id": "CP-FREE", "claim_code": "NOPE"})
        assert response.status_code == 200
    response = client.post(reverse("app:charger_claim"), {"charge_point_id": "CP-FREE", "claim_code": "ABCD2345"})
    assert response.status_code == 429
    assert "Too many claim attempts" in response.content.decode()
    assert ChargePoint.objects.get(pk=free_charger.pk).owner is None


def test_claiming_my_own_charger_says_so(client, world, charger):
    client.force_login(world["owner"])
    data = {"charge_point_id": "CP-HOME", "claim_code": charger.claim_code}
    response = client.post(reverse("app:charger_claim"), data)
    assert "already yours" in response.content.decode()


# --- CP-3 / CP-4 detail ---------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "cp_id", "status", "manage"), [
    ("owner", "CP-HOME", 200, True),
    ("member", "CP-GROUP", 200, False),
    ("member", "CP-HOME", 404, False),
    ("guest", "CP-HOME", 200, False),
    ("guest", "CP-GROUP", 404, False),
    ("outsider", "CP-HOME", 404, False),
    ("operator", "CP-ORG", 200, True),
    ("staff", "CP-HOME", 200, True),
])
def test_detail_page_access(client, world, persona, cp_id, status, manage):
    client.force_login(world[persona])
    response = client.get(reverse("app:charger_detail", args=[cp_id]))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert ('data-testid="settings-form"' in html) is manage
        assert ('data-testid="operations"' in html) is manage
        assert ('data-testid="restart"' in html) is manage
        assert 'data-testid="boot-configuration"' in html
        assert 'data-testid="start-form"' in html


def test_detail_shows_boot_configuration_and_last_operations(client, world, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(firmware_version="1.2.3", iccid="8988303000001", meter_type="EM24")
    for i in range(12):
        ChargerOperation.objects.create(charge_point=charger, action="Reset", payload={"type": "Soft"},
                                        status="accepted", response={"status": "Accepted"},
                                        created_at=timezone.now() - timedelta(minutes=i))
    client.force_login(world["owner"])
    html = client.get(reverse("app:charger_detail", args=["CP-HOME"])).content.decode()
    assert "1.2.3" in html and "8988303000001" in html and "EM24" in html
    assert html.count("data-operation-id=") == 10


@pytest.mark.parametrize("persona", ["member", "guest", "outsider"])
def test_only_the_owner_changes_settings_restarts_deletes_or_sees_the_qr(client, world, persona):
    cp_id = "CP-GROUP" if persona == "member" else "CP-HOME"
    client.force_login(world[persona])
    for name, data in [("app:charger_settings", {"name": "Mine now"}), ("app:charger_restart", {"confirm": "1"}),
                       ("app:charger_delete", {"confirm": "1"})]:
        assert client.post(reverse(name, args=[cp_id]), data).status_code == 404
    assert client.get(reverse("app:charger_qr", args=[cp_id])).status_code == 404
    cp = ChargePoint.objects.get(charge_point_id=cp_id)
    assert cp.owner == world["owner"] and cp.name != "Mine now"
    assert not ChargerOperation.objects.exists()


def test_settings_page_saves_and_sends_what_changed(client, world, charger):
    client.force_login(world["owner"])
    response = client.post(reverse("app:charger_settings", args=["CP-HOME"]),
                           {"name": "Garage", "led_brightness": "40", "free_charging": "on"})
    assert response.status_code == 302
    charger.refresh_from_db()
    assert (charger.name, charger.led_brightness, charger.free_charging) == ("Garage", 40, True)
    sent = {op.payload["key"]: (op.payload["value"], op.status) for op in ChargerOperation.objects.all()}
    assert sent == {"LedBrightness": ("40", "offline"), "FreeCharging": ("true", "offline")}
    # The result (offline) shows in the operation list.
    html = client.get(reverse("app:charger_detail", args=["CP-HOME"])).content.decode()
    assert "LedBrightness = 40" in html and "The charger is offline." in html


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "x" * 101, "led_brightness": "40"}, "at most 100 characters"),
    ({"name": "Home", "led_brightness": "150"}, "less than or equal to 100"),
])
def test_settings_page_refuses_bad_input_and_changes_nothing(client, world, charger, data, message):
    client.force_login(world["owner"])
    response = client.post(reverse("app:charger_settings", args=["CP-HOME"]), data)
    assert response.status_code == 400 and message in response.content.decode()
    charger.refresh_from_db()
    assert charger.name == "Home" and charger.led_brightness is None
    assert not ChargerOperation.objects.exists()


def test_start_from_the_page_uses_my_favourite_tag(client, world, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    charger.connectors.filter(connector_id=1).update(status="Charging")
    charger.connectors.filter(connector_id=2).update(status="Available")
    client.force_login(world["owner"])
    response = client.post(reverse("app:charger_start", args=["CP-HOME"]), {"next": reverse("app:chargers")})
    # The start goes through the checks of every start (SES-2) and its page follows it.
    request = StartRequest.objects.get()
    assert response["Location"] == f"/app/charge/CP-HOME/2/?request={request.pk}"
    op = ChargerOperation.objects.get()
    assert op.action == "RemoteStartTransaction" and op.payload == {"connectorId": 2, "idTag": "OWNER1"}


def test_start_without_favourite_tag_says_to_star_one(client, world, charger, tags):
    tags["owner"].is_favourite = False
    tags["owner"].save()
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    charger.connectors.update(status="Available")
    client.force_login(world["owner"])
    response = client.post(reverse("app:charger_start", args=["CP-HOME"]), follow=True)
    assert "Star one of your tags as favourite" in response.content.decode()
    assert not ChargerOperation.objects.exists()


def test_restart_needs_the_confirmation(client, world):
    client.force_login(world["owner"])
    client.post(reverse("app:charger_restart", args=["CP-HOME"]))
    assert not ChargerOperation.objects.exists()
    client.post(reverse("app:charger_restart", args=["CP-HOME"]), {"confirm": "1"})
    op = ChargerOperation.objects.get()
    assert op.action == "Reset" and op.payload == {"type": "Soft"}


def test_delete_from_the_page_ends_access_at_once(client, world, charger, share):
    old_code = charger.claim_code
    client.force_login(world["owner"])
    assert client.post(reverse("app:charger_delete", args=["CP-HOME"])).status_code == 302
    assert ChargePoint.objects.get(pk=charger.pk).owner == world["owner"]  # not confirmed
    response = client.post(reverse("app:charger_delete", args=["CP-HOME"]), {"confirm": "1"})
    assert response["Location"] == reverse("app:chargers")
    assert client.get(reverse("app:charger_detail", args=["CP-HOME"])).status_code == 404
    charger.refresh_from_db()
    assert charger.owner is None and charger.claim_code != old_code
    assert ChargerShare.objects.get(pk=share.pk).revoked_at is not None
    client.force_login(world["guest"])
    assert client.get(reverse("app:charger_detail", args=["CP-HOME"])).status_code == 404


def test_qr_page_prints_the_code(client, world, charger):
    client.force_login(world["owner"])
    html = client.get(reverse("app:charger_qr", args=["CP-HOME"])).content.decode()
    assert "<svg" in html and charger.claim_code in html and "CP-HOME" in html
    response = client.get(reverse("app:charger_qr", args=["CP-HOME"]) + "?format=svg")
    assert response["Content-Type"] == "image/svg+xml" and response.content.startswith(b"<?xml")
    client.force_login(world["staff"])
    assert client.get(reverse("app:charger_qr", args=["CP-HOME"])).status_code == 200
