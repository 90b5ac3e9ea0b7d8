"""CP-5: the firmware API, page and card — who sees what, installing, and bad input."""

import pytest

from chargers.models import ChargePoint, ChargerOperation
from tests.firmware.conftest import make_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(charger, group_charger):
    ChargePoint.objects.filter(pk__in=[charger.pk, group_charger.pk]).update(firmware_version="1.0.0")
    make_release("1.0.5")  # older than the newest: not the default
    return make_release("1.1.0", notes="Faster boot.\nFixes the LED.")


def online(cp):
    ChargePoint.objects.filter(pk=cp.pk).update(is_online=True)


def api(client, user):
    client.force_login(user)
    return client


def test_owner_reads_version_update_and_status(client, owner, charger, release):
    data = api(client, owner).get("/api/v1/chargers/CP-HOME/firmware/").json()
    assert data["charge_point_id"] == "CP-HOME" and data["firmware_version"] == "1.0.0"
    assert data["can_install"] is True
    assert data["update_available"]["version"] == "1.1.0"
    assert data["update_available"]["id"] == release.pk
    assert data["update_available"]["release_notes"] == "Faster boot.\nFixes the LED."
    assert (data["status"], data["phase"], data["last_operation"]) == ("", "idle", None)


def test_member_reads_only_the_version_and_cannot_install(client, member, group_charger, release):
    api(client, member)
    data = client.get("/api/v1/chargers/CP-GROUP/firmware/").json()
    assert data["firmware_version"] == "1.0.0"
    assert (data["can_install"], data["update_available"], data["last_operation"]) == (False, None, None)
    online(group_charger)
    response = client.post("/api/v1/chargers/CP-GROUP/firmware/install/", {}, content_type="application/json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert not ChargerOperation.objects.exists()


def test_outsider_and_guest_get_404(client, outsider, guest, charger, share, release):
    online(charger)
    api(client, outsider)
    assert client.get("/api/v1/chargers/CP-HOME/firmware/").status_code == 404
    assert client.post("/api/v1/chargers/CP-HOME/firmware/install/").status_code == 404
    assert client.get("/app/chargers/CP-HOME/firmware/").status_code == 404
    assert client.get("/app/chargers/CP-HOME/firmware/card/").status_code == 404
    assert client.post("/app/chargers/CP-HOME/firmware/install/").status_code == 404
    # A guest sees the shared charger's version, and may not install.
    api(client, guest)
    assert client.get("/api/v1/chargers/CP-HOME/firmware/").json()["can_install"] is False
    assert client.post("/api/v1/chargers/CP-HOME/firmware/install/").status_code == 404
    assert client.post("/app/chargers/CP-HOME/firmware/install/").status_code == 404
    assert not ChargerOperation.objects.exists()


def test_install_sends_the_newest_release_by_default(client, owner, charger, release):
    online(charger)
    ChargePoint.objects.filter(pk=charger.pk).update(firmware_status="Installed")  # a past update
    response = api(client, owner).post("/api/v1/chargers/CP-HOME/firmware/install/", {},
                                       content_type="application/json")
    assert response.status_code == 202, response.content
    operation = ChargerOperation.objects.get()
    assert response.json()["id"] == operation.pk
    assert (operation.action, operation.status, operation.requested_by) == ("UpdateFirmware", "pending", owner)
    assert operation.payload["location"] == "https://firmware.example.com/simbox/1.1.0"
    assert operation.payload["retrieveDate"].endswith("Z") and operation.payload["retries"] == 1
    # The status shown is now the one of this request.
    data = client.get("/api/v1/chargers/CP-HOME/firmware/").json()
    assert (data["status"], data["phase"], data["last_operation"]["id"]) == ("", "requested", operation.pk)

    # While the charger reports progress, a second install is refused.
    ChargePoint.objects.filter(pk=charger.pk).update(firmware_status="Downloading")
    response = client.post("/api/v1/chargers/CP-HOME/firmware/install/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "update_in_progress"
    assert ChargerOperation.objects.count() == 1


def test_install_a_chosen_release(client, owner, charger, release):
    online(charger)
    older = make_release("1.0.7")
    response = api(client, owner).post("/api/v1/chargers/CP-HOME/firmware/install/",
                                       {"release": older.pk}, content_type="application/json")
    assert response.status_code == 202
    assert ChargerOperation.objects.get().payload["location"].endswith("/1.0.7")


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"release": 999999}, 400, "invalid_release"),
    ({"release": "one"}, 400, "invalid"),
    ({"release": 0}, 400, "invalid"),
    ("other-model", 400, "invalid_release"),
    ("unpublished", 400, "invalid_release"),
    ("older", 409, "no_update"),
])
def test_bad_install_requests_send_nothing(client, owner, charger, release, body, status, code):
    online(charger)
    if body == "other-model":
        body = {"release": make_release("9.0", model="AC-22").pk}
    elif body == "unpublished":
        body = {"release": make_release("9.0", is_active=False).pk}
    elif body == "older":
        body = {"release": make_release("0.9").pk}
    response = api(client, owner).post("/api/v1/chargers/CP-HOME/firmware/install/", body,
                                       content_type="application/json")
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert not ChargerOperation.objects.exists()


def test_no_update_is_a_409(client, owner, charger, release):
    online(charger)
    ChargePoint.objects.filter(pk=charger.pk).update(firmware_version="1.1.0")
    response = api(client, owner).post("/api/v1/chargers/CP-HOME/firmware/install/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_update"
    assert not ChargerOperation.objects.exists()


def test_offline_charger_gets_nothing_and_a_clear_error(client, owner, charger, release):
    response = api(client, owner).post("/api/v1/chargers/CP-HOME/firmware/install/")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "charger_offline" and "offline" in error["message"]
    operation = ChargerOperation.objects.get()
    assert operation.status == "offline" and error["operation"] == operation.pk  # recorded, not sent


def test_firmware_page_for_owner_shows_update_and_install(client, owner, charger, release):
    client.force_login(owner)
    response = client.get("/app/chargers/CP-HOME/firmware/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="firmware-badge"' in html
    assert "Update available: 1.1.0" in html and "Fixes the LED." in html
    assert 'action="/app/chargers/CP-HOME/firmware/install/"' in html
    assert f'name="release" value="{release.pk}"' in html
    assert 'href="/app/chargers/CP-HOME/"' in html  # back to the charger


def test_firmware_page_for_member_shows_only_the_version(client, member, group_charger, release):
    client.force_login(member)
    html = client.get("/app/chargers/CP-GROUP/firmware/").content.decode()
    assert 'data-testid="firmware-version">1.0.0<' in html
    assert "firmware-install" not in html and "1.1.0" not in html


def test_install_from_the_page(client, owner, charger, release):
    client.force_login(owner)
    # Offline: an error message, nothing sent.
    response = client.post("/app/chargers/CP-HOME/firmware/install/", {"release": release.pk}, follow=True)
    assert response.redirect_chain[-1][0] == "/app/chargers/CP-HOME/firmware/"
    assert "The charger is offline" in response.content.decode()
    assert ChargerOperation.objects.get().status == "offline"
    # Online, from the charger page: back there, with the progress showing.
    online(charger)
    response = client.post("/app/chargers/CP-HOME/firmware/install/",
                           {"release": release.pk, "next": "/app/chargers/CP-HOME/"})
    assert response.status_code == 302 and response["Location"] == "/app/chargers/CP-HOME/"
    assert ChargerOperation.objects.filter(status="pending").count() == 1
    html = client.get("/app/chargers/CP-HOME/firmware/").content.decode()
    assert 'data-testid="firmware-progress"' in html and "Sending the update to the charger" in html
    # Another host is not a place to go back to.
    ChargePoint.objects.filter(pk=charger.pk).update(firmware_version="1.1.0")
    response = client.post("/app/chargers/CP-HOME/firmware/install/", {"next": "https://evil.example/"})
    assert response["Location"] == "/app/chargers/CP-HOME/firmware/"


def test_install_from_the_card_answers_the_card(client, owner, charger, release):
    client.force_login(owner)
    response = client.post("/app/chargers/CP-HOME/firmware/install/", {"release": "x"},
                           HTTP_X_FIRMWARE_CARD="1")
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="firmware-error"' in html
    assert not ChargerOperation.objects.exists()
    online(charger)
    response = client.post("/app/chargers/CP-HOME/firmware/install/", {"release": release.pk},
                           HTTP_X_FIRMWARE_CARD="1")
    html = response.content.decode()
    operation = ChargerOperation.objects.get()
    assert f'data-operation-id="{operation.pk}"' in html and 'data-op-status="pending"' in html
    assert "firmware-error" not in html


def test_operations_that_ended_badly_show_as_failed(client, owner, charger, release):
    online(charger)
    client.force_login(owner)
    client.post("/api/v1/chargers/CP-HOME/firmware/install/")
    ChargePoint.objects.filter(pk=charger.pk).update(firmware_status="DownloadFailed")
    data = client.get("/api/v1/chargers/CP-HOME/firmware/").json()
    assert (data["phase"], data["progress"]) == ("failed", 10)
    html = client.get("/app/chargers/CP-HOME/firmware/card/").content.decode()
    assert "The download failed" in html
    assert 'data-step="Downloading"\n                  data-state="failed"' in html
    # After a failure the owner may try again at once.
    assert client.post("/api/v1/chargers/CP-HOME/firmware/install/").status_code == 202


def test_schema_lists_the_firmware_endpoints(client, owner):
    client.force_login(owner)
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/chargers/{charge_point_id}/firmware/",
                 "/api/v1/chargers/{charge_point_id}/firmware/install/"):
        operations = schema["paths"][path]
        assert all(op["tags"] == ["firmware"] for op in operations.values())


def test_the_charger_page_carries_the_card(client, owner, member, charger, group_charger, release):
    client.force_login(owner)
    html = client.get("/app/chargers/CP-HOME/").content.decode()
    assert 'data-testid="firmware-card"' in html and "Update available: 1.1.0" in html
    client.force_login(member)
    html = client.get("/app/chargers/CP-GROUP/").content.decode()
    assert 'data-testid="firmware-card"' in html and "Update available: 1.1.0" not in html
