"""End to end: a simulated charger on an older version hears of a release, installs it over
the air through the API, reports its progress and boots with the new version."""

import pytest
from django_q.models import Success

from accounts.models import Notification
from chargers.firmware import firmware_updates_for
from chargers.models import ChargePoint, ChargerOperation
from tests.e2e import api_client, start_sim, stop_sim, wait_until
from tests.firmware.conftest import make_release

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_install_over_the_air_with_a_simulated_charger(server, charger, owner, sim_loop):
    release = make_release("1.1.0")  # the simulator boots with 1.0.0 as "SimBox 22"
    cp, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    assert cp.boot_status == "Accepted"

    # The boot with the older version told the owner (once).
    note = wait_until(lambda: Notification.objects.filter(user=owner, kind="firmware_available").first())
    assert note.link == "/app/chargers/CP-HOME/?firmware=1.1.0"
    assert ChargePoint.objects.get(pk=charger.pk).firmware_version == "1.0.0"

    client = api_client(server.url, owner)
    data = client.get("/api/v1/chargers/CP-HOME/firmware/").json()
    assert data["update_available"]["id"] == release.pk and data["firmware_version"] == "1.0.0"

    response = client.post("/api/v1/chargers/CP-HOME/firmware/install/", json={})
    assert response.status_code == 202, response.text
    operation_id = response.json()["id"]
    operation = wait_until(lambda: (op := ChargerOperation.objects.get(pk=operation_id)).status != "pending" and op)
    assert operation.status == "accepted", operation.error

    # FirmwareStatusNotification up to Installed, then a boot with the new version.
    wait_until(lambda: ChargePoint.objects.get(pk=charger.pk).firmware_status == "Installed")
    wait_until(lambda: ChargePoint.objects.get(pk=charger.pk).firmware_version == "1.1.0")
    assert cp.config.firmware == "1.1.0"
    assert firmware_updates_for([ChargePoint.objects.get(pk=charger.pk)]) == {}

    data = client.get("/api/v1/chargers/CP-HOME/firmware/").json()
    assert data["update_available"] is None
    assert (data["firmware_version"], data["status"], data["phase"]) == ("1.1.0", "Installed", "installed")
    assert data["last_operation"]["id"] == operation_id
    r = client.post("/api/v1/chargers/CP-HOME/firmware/install/")
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_update"
    # Nobody was told twice along the way; one e-mail went out; both boots were checked.
    assert Notification.objects.filter(kind="firmware_available").count() == 1
    jobs = list(Success.objects.values_list("func", flat=True))
    assert jobs.count("chargers.tasks.charger_booted") == 2, jobs
    assert jobs.count("wccportal.lib.emails.send_templated_task") == 1, jobs

    sim_loop.run_until_complete(stop_sim(ws, listener))
    wait_until(lambda: not ChargePoint.objects.get(pk=charger.pk).is_online)
    r = client.get("/api/v1/chargers/CP-HOME/firmware/")
    assert r.json()["firmware_version"] == "1.1.0"
