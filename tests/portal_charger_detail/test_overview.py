"""The Overview tab (CP-7): boot configuration with "Check for update" (CP-5), description and
installation site with Edit, the logbook switch, and removing the assignment."""

import os

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from chargers.models import ChargePoint, ChargerOperation, ChargerPicture, ChargerShare, Favourite, FirmwareRelease
from groups.models import GroupCharger
from tests.portal_charger_detail.conftest import client_for, image_bytes, url

pytestmark = pytest.mark.django_db

BOOT = {
    "firmware_version": "3.1.4", "model": "SimBox 22", "vendor": "WCC Sim", "serial_number": "NEXT-123456",
    "charge_box_serial_number": "CB-998877", "meter_serial_number": "MTR-4455", "part_number": "PN-5566",
    "meter_type": "EEM-350", "iccid": "8949020000012345678", "imsi": "262011234567890",
}


@pytest.fixture
def booted(charger):
    ChargePoint.objects.filter(pk=charger.pk).update(**BOOT)
    charger.refresh_from_db()
    return charger


def test_owner_sees_the_boot_configuration_site_and_assignment(world, booted):
    ChargePoint.objects.filter(pk=booted.pk).update(
        description="Garage, left wall", street="Hauptstraße", house_number="12a", zip_code="80331",
        city="München", country="DE")
    response = client_for(world["owner"]).get(url("charger_detail"))
    html = response.content.decode()
    for value in BOOT.values():
        assert value in html
    assert "Garage, left wall" in html and "Hauptstraße" in html and "12a" in html and "80331" in html
    assert "Germany (DE)" in html
    assert 'data-testid="assignment-owner">owner@example.com<' in html
    assert 'data-testid="site-edit"' in html and 'data-testid="logbook-switch"' in html
    assert 'data-testid="firmware-check"' in html


@pytest.mark.parametrize("persona, cp_id", [("guest", "CP-HOME"), ("member", "CP-GROUP")])
def test_shared_users_see_a_reduced_read_only_overview(world, booted, group_charger, persona, cp_id):
    ChargePoint.objects.filter(pk__in=[booted.pk, group_charger.pk]).update(
        **BOOT, description="Visitors: bay 3", city="München", logbook_enabled=True)
    html = client_for(world[persona]).get(url("charger_detail", cp_id)).content.decode()
    assert "Visitors: bay 3" in html and "München" in html and "3.1.4" in html and "SimBox 22" in html
    for secret in ("NEXT-123456", "CB-998877", "MTR-4455", "8949020000012345678", "262011234567890", "PN-5566"):
        assert secret not in html
    for control in ("site-edit", "logbook-switch", "assignment-card", "assignment-remove", "firmware-check",
                    "operations-menu"):
        assert f'data-testid="{control}"' not in html
    assert 'data-testid="logbook-state">On<' in html
    assert 'data-testid="view-only"' in html
    # Asking for the edit form changes nothing for them.
    assert 'data-testid="site-form"' not in client_for(world[persona]).get(
        url("charger_detail", cp_id) + "?edit=site").content.decode()


# --- Edit: description and installation site -------------------------------------------------


def test_edit_form_is_filled_with_the_current_values(owner, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(street="Ring", country="AT")
    response = client_for(owner).get(url("charger_detail") + "?edit=site")
    form = response.context["site_form"]
    assert form.initial["street"] == "Ring" and form.initial["country"] == "AT"
    html = response.content.decode()
    assert 'data-testid="site-form"' in html and '<option value="AT" selected>Austria (AT)</option>' in html


def test_edit_saves_the_description_and_address(owner, charger):
    response = client_for(owner).post(url("charger_site"), {
        "description": "  Carport\r\nsecond line ", "street": " Lindenweg ", "house_number": "7b",
        "zip_code": "sw1a 1aa", "city": "London", "country": "GB",
    }, follow=True)
    assert response.redirect_chain[-1][0] == url("charger_detail")
    charger.refresh_from_db()
    assert (charger.description, charger.street, charger.house_number, charger.zip_code, charger.city,
            charger.country) == ("Carport\nsecond line", "Lindenweg", "7b", "SW1A 1AA", "London", "GB")
    assert "The description and address are saved." in response.content.decode()


def test_edit_can_empty_the_address(owner, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(street="Ring", country="AT", city="Wien")
    client_for(owner).post(url("charger_site"), {"description": "", "street": "", "house_number": "",
                                                 "zip_code": "", "city": "", "country": ""})
    charger.refresh_from_db()
    assert (charger.street, charger.city, charger.country) == ("", "", "")


@pytest.mark.parametrize("field, value, message", [
    ("country", "XX", "Select a valid choice."),
    ("country", "Germany", "Select a valid choice."),
    ("street", "x" * 201, "at most 200 characters"),
    ("city", "c" * 101, "at most 100 characters"),
    ("house_number", "1" * 17, "at most 16 characters"),
    ("zip_code", "1" * 17, "at most 16 characters"),
    ("zip_code", "80331;DROP", "letters, digits, spaces and hyphens"),
    ("house_number", "<b>", "Use letters, digits"),
    ("description", "d" * 1001, "at most 1000 characters"),
])
def test_bad_input_is_a_form_error_and_nothing_is_written(owner, charger, field, value, message):
    data = {"description": "New", "street": "New street", "house_number": "1", "zip_code": "12345",
            "city": "Berlin", "country": "DE", field: value}
    response = client_for(owner).post(url("charger_site"), data)
    assert response.status_code == 200
    form = response.context["site_form"]
    assert field in form.errors and message.lower() in " ".join(form.errors[field]).lower()
    html = response.content.decode()
    assert 'data-testid="site-form"' in html and 'is-invalid' in html
    charger.refresh_from_db()
    assert (charger.description, charger.street, charger.city, charger.country) == ("", "", "", "")


def test_the_service_refuses_what_the_form_would_not_send(owner, charger):
    from chargers.charger_details import Site, charger_site_update
    from wccportal.errors import DomainError

    with pytest.raises(DomainError) as caught:
        charger_site_update(charge_point=charger, site=Site(country="ZZ", city="A\nB"), acting_user=owner)
    assert set(caught.value.fields) == {"country", "city"}
    charger.refresh_from_db()
    assert charger.country == "" and charger.city == ""


# --- Logbook ---------------------------------------------------------------------------------------


def test_logbook_switch_on_and_off(owner, charger):
    client = client_for(owner)
    response = client.post(url("charger_logbook_switch"), {"enabled": "on", "next": url("charger_logbook")})
    assert response.status_code == 302 and response["Location"] == url("charger_logbook")
    charger.refresh_from_db()
    assert charger.logbook_enabled is True
    response = client.post(url("charger_logbook_switch"), {"next": "https://evil.example.com/"}, follow=True)
    assert response.redirect_chain[-1][0] == url("charger_detail")  # not to another site
    charger.refresh_from_db()
    assert charger.logbook_enabled is False
    assert "Logbook off" in response.content.decode()


def test_with_the_logbook_on_a_start_needs_mileage_and_vehicle(owner, charger, tags, sent):
    from sessions_app.starting import session_request_start
    from wccportal.errors import DomainError

    client_for(owner).post(url("charger_logbook_switch"), {"enabled": "on"})
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    charger.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        session_request_start(user=owner, charge_point=charger, connector_id=1, source="portal")
    assert caught.value.code == "logbook_required"


# --- Assignment ----------------------------------------------------------------------------------


def test_remove_assignment_frees_the_charger(world, charger, share, django_capture_on_commit_callbacks):
    picture = ChargerPicture(charge_point=charger, slot=1)
    picture.image.save("p.png", ContentFile(image_bytes()), save=True)
    path = picture.image.path
    charger.description, charger.street, charger.city, charger.logbook_enabled = "Garage", "Main St", "Berlin", True
    charger.save()
    Favourite.objects.create(user=world["guest"], charge_point=charger)
    old_code = charger.claim_code
    html = client_for(world["owner"]).get(url("charger_detail")).content.decode()
    assert 'id="assignment-remove"' in html and "Remove CP-HOME from the account?" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world["owner"]).post(url("charger_assignment_remove"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:chargers")
    assert "CP-HOME is no longer assigned to the account." in response.content.decode()
    charger.refresh_from_db()
    assert charger.owner is None and charger.claim_code != old_code
    # The next owner starts clean: no description, site address or logbook of the last one.
    assert (charger.description, charger.street, charger.city, charger.logbook_enabled) == ("", "", "", False)
    assert ChargerShare.objects.get(pk=share.pk).revoked_at is not None
    assert not Favourite.objects.filter(charge_point=charger).exists()
    assert not ChargerPicture.objects.filter(charge_point=charger).exists()
    assert not os.path.exists(path)  # the file went once the removal was committed
    # The owner and the guest no longer see it.
    assert client_for(world["owner"]).get(url("charger_detail")).status_code == 404
    assert client_for(world["guest"]).get(url("charger_detail")).status_code == 404


def test_remove_assignment_takes_the_charger_out_of_its_group(owner, group_charger):
    client_for(owner).post(url("charger_assignment_remove", "CP-GROUP"))
    assert not GroupCharger.objects.filter(charge_point=group_charger).exists()


def test_operator_removes_the_organisation_charger(operator, org_charger):
    html = client_for(operator).get(url("charger_detail", "CP-ORG")).content.decode()
    assert 'data-testid="assignment-organisation">Fleet Ltd<' in html
    client_for(operator).post(url("charger_assignment_remove", "CP-ORG"))
    org_charger.refresh_from_db()
    assert org_charger.organisation is None


def test_an_unassigned_charger_offers_no_removal(staff):
    from tests.factories.chargers import ChargePointFactory

    ChargePointFactory(charge_point_id="CP-FREE")
    html = client_for(staff).get(url("charger_detail", "CP-FREE")).content.decode()
    assert 'data-testid="assignment-none"' in html and 'data-testid="assignment-remove"' not in html


# --- Check for update (CP-5) ---------------------------------------------------------------------


def test_check_for_update_says_up_to_date(owner, booted):
    FirmwareRelease.objects.create(model="SimBox 22", version="3.1.4", location="https://example.com/a.bin")
    FirmwareRelease.objects.create(model="Other", version="9.0", location="https://example.com/b.bin")
    response = client_for(owner).get(url("charger_firmware"))
    html = response.content.decode()
    assert 'data-testid="firmware-up-to-date"' in html and "no firmware newer than 3.1.4" in html
    assert 'data-testid="firmware-install"' not in html
    # Without JavaScript the overview shows the same.
    assert 'data-testid="firmware-up-to-date"' in client_for(owner).get(
        url("charger_detail") + "?firmware=check").content.decode()


def test_check_for_update_offers_the_newer_release_and_installs_it(owner, booted, sent):
    release = FirmwareRelease.objects.create(model="SimBox 22", version="3.2.0", release_notes="Faster boot",
                                             location="https://example.com/fw-3.2.0.bin")
    ChargePoint.objects.filter(pk=booted.pk).update(is_online=True)
    html = client_for(owner).get(url("charger_firmware")).content.decode()
    assert "Firmware 3.2.0 is available" in html and "Faster boot" in html
    assert 'data-testid="firmware-install"' in html and "Install firmware 3.2.0?" in html

    response = client_for(owner).post(url("charger_firmware_install"), {"release": release.pk},
                                      HTTP_X_FIRMWARE_CARD="1")
    op = ChargerOperation.objects.get(action="UpdateFirmware")
    assert op.status == "pending" and op.payload["location"] == "https://example.com/fw-3.2.0.bin"
    assert op.requested_by == owner and sent[0][1]["action"] == "UpdateFirmware"
    card = response.content.decode()
    assert f'data-operation-id="{op.pk}"' in card and 'data-testid="firmware-progress"' in card
    assert 'data-testid="firmware-busy"' in card  # no second install while it runs
    # The overview shows the progress at once while the update runs.
    assert 'data-testid="firmware-progress"' in client_for(owner).get(url("charger_detail")).content.decode()


def test_install_on_an_offline_charger_says_so(owner, booted):
    release = FirmwareRelease.objects.create(model="SimBox 22", version="3.2.0", location="https://example.com/f")
    response = client_for(owner).post(url("charger_firmware_install"), {"release": release.pk}, follow=True)
    assert "offline: the update was not sent" in response.content.decode()
    assert ChargerOperation.objects.get(action="UpdateFirmware").status == "offline"


@pytest.mark.parametrize("release", ["abc", "999999"])
def test_install_of_an_unknown_release_sends_nothing(owner, booted, release):
    response = client_for(owner).post(url("charger_firmware_install"), {"release": release},
                                      HTTP_X_FIRMWARE_CARD="1")
    assert 'data-testid="firmware-error"' in response.content.decode()
    assert not ChargerOperation.objects.exists()
