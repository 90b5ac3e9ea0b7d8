"""Baseline for the benchmark: the straightforward database-backed gateway.

What issue 3 calls "a straightforward gateway (library-default schema validation, one ORM
write per message)": the reference server's `ocpp` + `websockets` handlers, each of which
also writes its message through the Django ORM (autocommit, so committed before the answer)
on the platform's own models and database. Authorize reads the tag instead. No frame log,
no batching, no live updates: it stores far less than the platform does.

It exists to calibrate the machine. The issue's target (2,500 msg/s where this reaches about
1,400) is a ratio of 1.8 to this baseline, and that ratio holds on a fast or a slow moment
of the machine, which an absolute figure does not.

Run: python bench/straightforward_server.py PORT  (with the benchmark's database settings)
"""

import asyncio
import contextlib
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import websockets
from asgiref.sync import sync_to_async
from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wccportal.settings")
import django  # noqa: E402

django.setup()

from django.utils.dateparse import parse_datetime  # noqa: E402
from reference_server import ReferenceChargePoint, now, serve  # noqa: E402

from chargers.models import ChargePoint, Connector, IdTag  # noqa: E402
from sessions_app.models import ChargingSession, MeterValue  # noqa: E402

logging.getLogger("ocpp").setLevel(logging.WARNING)


def _at(text):
    return parse_datetime(text) if text else datetime.now(UTC)


class StraightforwardChargePoint(ReferenceChargePoint):
    pk: int

    @on(Action.boot_notification)
    async def boot(self, charge_point_vendor, charge_point_model, **kwargs):
        await sync_to_async(ChargePoint.objects.filter(pk=self.pk).update)(
            vendor=charge_point_vendor, model=charge_point_model, last_boot_at=datetime.now(UTC), is_online=True)
        return call_result.BootNotification(current_time=now(), interval=60, status="Accepted")

    @on(Action.heartbeat)
    async def heartbeat(self):
        await sync_to_async(ChargePoint.objects.filter(pk=self.pk).update)(last_heartbeat_at=datetime.now(UTC))
        return call_result.Heartbeat(current_time=now())

    @on(Action.status_notification)
    async def status(self, connector_id, error_code, status, timestamp=None, **kwargs):
        await sync_to_async(Connector.objects.filter(charge_point_id=self.pk, connector_id=connector_id).update)(
            status=status, error_code=error_code, status_timestamp=_at(timestamp))
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def authorize(self, id_tag):
        known = await sync_to_async(IdTag.objects.filter(id_tag=id_tag).exists)()
        return call_result.Authorize(id_tag_info={"status": "Accepted" if known else "Invalid"})

    @on(Action.start_transaction)
    async def on_start_transaction(self, connector_id, id_tag, meter_start, timestamp, **kwargs):
        session = await sync_to_async(ChargingSession.objects.create)(
            charge_point_id=self.pk, connector_id=connector_id, id_tag=id_tag, meter_start=meter_start,
            started_at=_at(timestamp))
        return call_result.StartTransaction(transaction_id=session.pk, id_tag_info={"status": "Accepted"})

    @on(Action.stop_transaction)
    async def on_stop_transaction(self, meter_stop, timestamp, transaction_id, **kwargs):
        await sync_to_async(ChargingSession.objects.filter(pk=transaction_id).update)(
            meter_stop=meter_stop, stopped_at=_at(timestamp), status="completed",
            stop_reason=kwargs.get("reason", ""))
        return call_result.StopTransaction(id_tag_info={"status": "Accepted"})

    @on(Action.meter_values)
    async def meter_values(self, connector_id, meter_value, transaction_id=None, **kwargs):
        rows = [
            MeterValue(charge_point_id=self.pk, connector_id=connector_id, session_id=transaction_id,
                       timestamp=_at(mv["timestamp"]), measurand=s.get("measurand", "Energy.Active.Import.Register"),
                       unit=s.get("unit", ""), phase=s.get("phase", ""), context=s.get("context", ""),
                       value=float(s["value"]))
            for mv in meter_value for s in mv["sampled_value"]
        ]
        await sync_to_async(MeterValue.objects.bulk_create)(rows, ignore_conflicts=True)
        return call_result.MeterValues()


async def handler(ws):
    cp_id = ws.request.path.rstrip("/").rsplit("/", 1)[-1]
    pk = await sync_to_async(lambda: ChargePoint.objects.filter(charge_point_id=cp_id).values_list("pk", flat=True)
                             .first())()
    if pk is None:
        await ws.close(1008, "unknown charger")
        return
    cp = StraightforwardChargePoint(cp_id, ws)
    cp.pk = pk
    with contextlib.suppress(websockets.exceptions.ConnectionClosed):
        await cp.start()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), handler))
