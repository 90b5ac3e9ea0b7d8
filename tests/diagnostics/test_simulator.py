"""The simulator against a real server: a diagnostics upload that cannot be delivered is
reported as UploadFailed (and fails the open request); StartupOfTheDevice is sent once after
boot only when asked for (the benchmark's chargers send no extra traffic)."""

import asyncio

import pytest

from chargers.diagnostics import diagnostics_request
from chargers.models import ChargePoint, DiagnosticsFile, SecurityEvent
from ocpp_gateway.simulator import SimConfig, run_charger
from tests.e2e import start_sim, stop_sim, wait_until
from tests.factories.chargers import CHARGER_PASSWORD
from tests.servers import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("configuration_keys")]


@pytest.mark.parametrize("target", ["refused", "http-404"])
def test_undeliverable_upload_is_reported_failed(server, charger, owner, sim_loop, target):
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    try:
        wait_until(lambda: ChargePoint.objects.filter(pk=charger.pk, is_online=True).exists())
        row = diagnostics_request(charge_point=charger, acting_user=owner)
        url = (f"http://127.0.0.1:{free_port()}/diagnostics/x/" if target == "refused"
               else server.url + "/diagnostics/" + "A" * 43 + "/")
        sim_loop.run_until_complete(sim._diagnostics(url, "diag.log"))
        assert sim.diagnostics_uploads[-1][1] == (404 if target == "http-404" else "ConnectionRefusedError")
        wait_until(lambda: DiagnosticsFile.objects.get(pk=row.pk).status == "failed")
        assert ChargePoint.objects.get(pk=charger.pk).diagnostics_status == "UploadFailed"
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))


def test_ftp_locations_are_only_reported(server, charger, sim_loop):
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    try:
        sim_loop.run_until_complete(sim._diagnostics("ftp://diag.example.com/", "diag.log"))
        assert sim.diagnostics_uploads == []
        wait_until(lambda: ChargePoint.objects.get(pk=charger.pk).diagnostics_status == "Uploaded")
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))


@pytest.mark.parametrize("opt_in", [True, False])
def test_startup_security_event_only_when_asked(server, charger, sim_loop, opt_in):
    async def make_stop():
        return asyncio.Event()

    stop = sim_loop.run_until_complete(make_stop())
    config = SimConfig(security_events=opt_in, heartbeat_interval=3600, meter_interval=3600)
    running = asyncio.run_coroutine_threadsafe(
        run_charger(server.ws_url, "CP-HOME", CHARGER_PASSWORD, config, stop=stop), sim_loop.loop)
    try:
        # The last connector's StatusNotification follows the event, if any.
        wait_until(lambda: charger.connectors.filter(connector_id=2, status="Available").exists())
        events = list(SecurityEvent.objects.filter(charge_point=charger).values_list("type", "tech_info"))
        assert events == ([("StartupOfTheDevice", "Power on, firmware 1.0.0")] if opt_in else [])
    finally:
        sim_loop.loop.call_soon_threadsafe(stop.set)
        running.result(15)
