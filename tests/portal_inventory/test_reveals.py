"""Audited reveals (CP-9, DESIGN.md §6): the access code on click (JSON), the OCPP and master
passwords after re-entering one's own password (throttled), who may, and what is recorded."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from chargers import inventory
from chargers.models import ChargePoint, CredentialReveal
from tests.factories.chargers import CHARGER_PASSWORD, ChargePointFactory
from wccportal.lib import crypto

pytestmark = pytest.mark.django_db

MASTER = "master-secret-42"


def client_for(user, ip="203.0.113.7"):
    client = Client(REMOTE_ADDR=ip)
    client.force_login(user)
    return client


def code_url(cp_id):
    return reverse("portal:inventory_reveal_code", args=[cp_id])


def detail_url(cp_id):
    return reverse("portal:inventory_detail", args=[cp_id])


@pytest.fixture
def secrets(charger, group_charger, org_charger):
    for cp in (charger, group_charger, org_charger):
        ChargePoint.objects.filter(pk=cp.pk).update(claim_code=f"CODE-{cp.charge_point_id}")
        inventory.charger_set_master_password(charge_point=cp, password=MASTER)


# (persona, charger id, allowed)
MATRIX = [
    ("owner", "CP-HOME", True), ("owner", "CP-GROUP", True), ("owner", "CP-ORG", False),
    ("member", "CP-GROUP", False), ("guest", "CP-HOME", False), ("outsider", "CP-HOME", False),
    ("operator", "CP-ORG", True), ("operator", "CP-HOME", False),
    ("staff", "CP-HOME", True), ("staff", "CP-ORG", True),
]


# --- Access code ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "cp_id", "allowed"), MATRIX)
def test_access_code_reveal_access(world, secrets, persona, cp_id, allowed):
    user = world[persona]
    response = client_for(user).post(code_url(cp_id))
    if allowed:
        assert response.status_code == 200
        assert response.json() == {"access_code": f"CODE-{cp_id}"}
        assert "no-store" in response["Cache-Control"]
        reveal = CredentialReveal.objects.get()
        assert (reveal.charge_point.charge_point_id, reveal.charge_point_ident, reveal.user, reveal.user_email,
                reveal.secret, reveal.ip_address) == (cp_id, cp_id, user, user.email, "access_code", "203.0.113.7")
    else:
        assert response.status_code == 404
        assert f"CODE-{cp_id}" not in response.content.decode()
        assert not CredentialReveal.objects.exists()


def test_access_code_only_by_post(world, secrets, owner):
    client = client_for(owner)
    assert client.get(code_url("CP-HOME")).status_code == 405
    assert not CredentialReveal.objects.exists()


def test_access_code_needs_the_csrf_token(world, secrets, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(code_url("CP-HOME")).status_code == 403
    assert not CredentialReveal.objects.exists()


def test_access_code_anonymous(world, secrets):
    response = Client().post(code_url("CP-HOME"))
    assert response.status_code == 302 and not CredentialReveal.objects.exists()


def test_unknown_charger_is_404(world, owner):
    assert client_for(owner).post(code_url("CP-NOPE")).status_code == 404
    assert client_for(owner).get(detail_url("CP-NOPE")).status_code == 404


def test_every_reveal_is_recorded(world, secrets, owner):
    client = client_for(owner)
    for _ in range(3):
        client.post(code_url("CP-HOME"))
    assert CredentialReveal.objects.filter(secret="access_code", user=owner).count() == 3


def test_empty_access_code(world, owner):
    cp = ChargePointFactory(charge_point_id="CP-BLANK", owner=owner, claim_code="")
    assert client_for(owner).post(code_url(cp.charge_point_id)).json() == {"access_code": ""}
    assert CredentialReveal.objects.filter(charge_point=cp).count() == 1


# --- Detail page and passwords --------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "cp_id", "allowed"), MATRIX)
def test_detail_access(world, secrets, password, persona, cp_id, allowed):
    client = client_for(world[persona])
    page = client.get(detail_url(cp_id))
    revealed = client.post(detail_url(cp_id), {"password": password})
    if allowed:
        assert page.status_code == 200 and revealed.status_code == 200
        assert revealed.context["revealed"].ocpp_password == CHARGER_PASSWORD
        assert CredentialReveal.objects.count() == 2
    else:
        assert page.status_code == 404 and revealed.status_code == 404
        assert not CredentialReveal.objects.exists()


def test_detail_shows_data_and_hides_secrets(world, secrets, owner, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(
        part_number="5111189B", serial_number="21007123", vendor_code="VC-9", firmware_version="2.1.6.1")
    response = client_for(owner).get(detail_url("CP-HOME"))
    html = response.content.decode()
    for text in ("CP-HOME", "Home", "5111189B", "21007123", "VC-9", "2.1.6.1", "OCPP password",
                 "Master password", "Access code", "Charge point name"):
        assert text in html, text
    for secret in ("CODE-CP-HOME", CHARGER_PASSWORD, MASTER):
        assert secret not in html
    assert "no-store" in response["Cache-Control"]
    assert response.context["revealed"] is None


def test_right_password_reveals_both_and_is_recorded(world, secrets, owner, password):
    response = client_for(owner).post(detail_url("CP-HOME"), {"password": password})
    html = response.content.decode()
    assert CHARGER_PASSWORD in html and MASTER in html
    assert "CODE-CP-HOME" not in html  # the access code still needs its own click
    assert "no-store" in response["Cache-Control"]
    rows = CredentialReveal.objects.order_by("secret")
    assert [(r.secret, r.user, r.ip_address, r.charge_point_ident) for r in rows] == [
        ("master_password", owner, "203.0.113.7", "CP-HOME"),
        ("ocpp_password", owner, "203.0.113.7", "CP-HOME"),
    ]
    # The audit list of the page shows them (who, what, when, where from).
    audit = response.context["reveals"]
    assert {r.secret for r in audit} == {"ocpp_password", "master_password"}
    assert "owner@example.com" in html and "203.0.113.7" in html
    # Shown for that response only: the next visit is masked again.
    again = client_for(owner).get(detail_url("CP-HOME")).content.decode()
    assert CHARGER_PASSWORD not in again and MASTER not in again


def test_wrong_password_reveals_nothing(world, secrets, owner, caplog):
    with caplog.at_level(logging.INFO, logger="chargers.inventory"):
        response = client_for(owner).post(detail_url("CP-HOME"), {"password": "not-my-password"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["The password is not correct."]
    html = response.content.decode()
    assert CHARGER_PASSWORD not in html and MASTER not in html
    assert response.context["revealed"] is None
    # Audited as refused attempts, which the charger's managers see on the page.
    refused = CredentialReveal.objects.all()
    assert {(r.secret, r.succeeded, r.user_email) for r in refused} == {
        ("ocpp_password", False, "owner@example.com"), ("master_password", False, "owner@example.com")}
    assert "wrong password, not shown" in client_for(owner).get(detail_url("CP-HOME")).content.decode()
    # Logged, naming who and which charger, never the typed password.
    assert "wrong password" in caplog.text and "CP-HOME" in caplog.text and "owner@example.com" in caplog.text
    assert "not-my-password" not in caplog.text


def test_missing_password_is_a_form_error(world, secrets, owner):
    response = client_for(owner).post(detail_url("CP-HOME"), {"password": ""})
    assert response.context["form"].errors["password"]
    assert not CredentialReveal.objects.exists()
    assert inventory.reveal_failures(owner) == 0  # nothing was checked


def test_failed_attempts_are_throttled(world, secrets, owner, password, caplog):
    client = client_for(owner)
    for _ in range(inventory.REVEAL_ATTEMPTS):
        assert client.post(detail_url("CP-HOME"), {"password": "guess"}).status_code == 200
    # Now even the right password is refused for a while, on every charger.
    with caplog.at_level(logging.WARNING, logger="chargers.inventory"):
        response = client.post(detail_url("CP-GROUP"), {"password": password})
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.context["form"].errors["password"][0]
    assert response.context["revealed"] is None
    assert CHARGER_PASSWORD not in response.content.decode()
    assert not CredentialReveal.objects.filter(succeeded=True).exists()
    assert "throttled" in caplog.text
    # Another user is not affected.
    staff_response = client_for(world["staff"]).post(detail_url("CP-GROUP"), {"password": password})
    assert staff_response.context["revealed"] is not None


def test_a_success_clears_earlier_failures(world, secrets, owner, password):
    client = client_for(owner)
    for _ in range(inventory.REVEAL_ATTEMPTS - 1):
        client.post(detail_url("CP-HOME"), {"password": "guess"})
    assert client.post(detail_url("CP-HOME"), {"password": password}).context["revealed"]
    assert inventory.reveal_failures(owner) == 0


def test_passwords_not_set(world, owner, password):
    cp = ChargePointFactory(charge_point_id="CP-BARE", owner=owner, password_encrypted="")
    response = client_for(owner).post(detail_url(cp.charge_point_id), {"password": password})
    revealed = response.context["revealed"]
    assert revealed.ocpp_password is None and revealed.master_password is None
    assert response.content.decode().count("not set") >= 2
    assert CredentialReveal.objects.filter(charge_point=cp).count() == 2


def test_audit_list_is_this_chargers_newest_first(world, secrets, owner, staff, password):
    client_for(staff, ip="198.51.100.1").post(code_url("CP-GROUP"))
    client_for(owner).post(code_url("CP-HOME"))
    client_for(staff, ip="198.51.100.1").post(code_url("CP-HOME"))
    reveals = client_for(owner).get(detail_url("CP-HOME")).context["reveals"]
    assert [(r.user_email, r.ip_address) for r in reveals] == [
        ("staff@example.com", "198.51.100.1"), ("owner@example.com", "203.0.113.7")]


def test_audit_outlives_the_charger_and_the_user(world, secrets, owner):
    client_for(owner).post(code_url("CP-HOME"))
    ChargePoint.objects.filter(charge_point_id="CP-HOME").delete()
    reveal = CredentialReveal.objects.get()
    assert reveal.charge_point is None and reveal.charge_point_ident == "CP-HOME"
    assert reveal.user_email == "owner@example.com"


# --- Services -------------------------------------------------------------------------------------

def test_set_master_password_encrypts(world, charger):
    inventory.charger_set_master_password(charge_point=charger, password="  local-admin  ")
    charger.refresh_from_db()
    assert "local-admin" not in charger.master_password_encrypted
    assert crypto.decrypt(charger.master_password_encrypted) == "local-admin"
    inventory.charger_set_master_password(charge_point=charger, password="")
    charger.refresh_from_db()
    assert charger.master_password_encrypted == ""


def test_set_master_password_too_long(world, charger):
    from wccportal.errors import DomainError

    with pytest.raises(DomainError):
        inventory.charger_set_master_password(charge_point=charger, password="x" * 65)
    charger.refresh_from_db()
    assert charger.master_password_encrypted == ""


def test_demo_inventory_fills_only_what_is_empty(world, charger, group_charger):
    ChargePoint.objects.filter(pk=charger.pk).update(part_number="KEEP")
    charger.refresh_from_db()
    assert inventory.demo_inventory({"CP-HOME": charger, "CP-GROUP": group_charger}) == 2
    for cp in (charger, group_charger):
        cp.refresh_from_db()
        assert cp.manufacturing_date and cp.material_number and cp.vendor_code and cp.serial_number
        assert crypto.decrypt(cp.master_password_encrypted)
    assert charger.part_number == "KEEP"
    assert inventory.demo_inventory([charger, group_charger]) == 0  # idempotent
