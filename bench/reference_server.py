"""Reference for the benchmark: a bare `ocpp` + `websockets` central system.

Same answers as the platform's handlers, library defaults (schema validation on), no
database. Run: python bench/reference_server.py PORT
"""

import asyncio
import contextlib
import itertools
import logging
import sys
from datetime import UTC, datetime

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action

logging.getLogger("ocpp").setLevel(logging.WARNING)
_tx_ids = itertools.count(1)


def now():
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ReferenceChargePoint(ChargePoint):
    @on(Action.boot_notification)
    def boot(self, charge_point_vendor, charge_point_model, **kwargs):
        return call_result.BootNotification(current_time=now(), interval=60, status="Accepted")

    @on(Action.heartbeat)
    def heartbeat(self):
        return call_result.Heartbeat(current_time=now())

    @on(Action.status_notification)
    def status(self, connector_id, error_code, status, **kwargs):
        return call_result.StatusNotification()

    @on(Action.authorize)
    def authorize(self, id_tag):
        return call_result.Authorize(id_tag_info={"status": "Accepted"})

    @on(Action.start_transaction)
    def on_start_transaction(self, connector_id, id_tag, meter_start, timestamp, **kwargs):
        return call_result.StartTransaction(transaction_id=next(_tx_ids), id_tag_info={"status": "Accepted"})

    @on(Action.stop_transaction)
    def on_stop_transaction(self, meter_stop, timestamp, transaction_id, **kwargs):
        return call_result.StopTransaction(id_tag_info={"status": "Accepted"})

    @on(Action.meter_values)
    def meter_values(self, connector_id, meter_value, **kwargs):
        return call_result.MeterValues()


async def handler(ws):
    cp_id = ws.request.path.rstrip("/").rsplit("/", 1)[-1]
    cp = ReferenceChargePoint(cp_id, ws)
    with contextlib.suppress(websockets.exceptions.ConnectionClosed):
        await cp.start()


async def serve(port: int, handler=handler):
    """Serve chargers on ``port`` until cancelled (shared with the straightforward gateway)."""
    async with websockets.serve(handler, "127.0.0.1", port, subprotocols=["ocpp1.6"],
                                ping_interval=None, max_queue=64, backlog=4096):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
