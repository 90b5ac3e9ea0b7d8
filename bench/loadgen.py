"""Load generators for the benchmark.

- ``SimCharger``: the project's simulator (``ocpp`` package client) timing every call; it
  plays realistic traffic (heartbeats, status changes, starts, meter values, stops).
- ``RawCharger``: pre-encoded OCPP frames over a bare websocket, for the full-speed run,
  so that the load generator (one core) is not what limits the measurement.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import websockets
from ocpp.v16 import call

from ocpp_gateway.simulator import SimConfig, SimulatedChargePoint, basic_auth_header


class Stats:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.drops: dict[str, int] = defaultdict(int)
        self.answered = 0

    def record(self, action: str, seconds: float):
        self.latency[action].append(seconds * 1000)
        self.answered += 1

    def summary(self) -> dict:
        out = {}
        for action, values in sorted(self.latency.items()):
            values = sorted(values)
            n = len(values)
            out[action] = {
                "count": n,
                "p50_ms": round(values[int(n * 0.50)], 2),
                "p95_ms": round(values[min(n - 1, int(n * 0.95))], 2),
                "p99_ms": round(values[min(n - 1, int(n * 0.99))], 2),
                "max_ms": round(values[-1], 2),
                "errors": self.errors.get(action, 0),
                "drops": self.drops.get(action, 0),
            }
        for action in set(self.errors) | set(self.drops):
            out.setdefault(action, {"count": 0, "errors": self.errors.get(action, 0),
                                    "drops": self.drops.get(action, 0)})
        return out


class SimCharger(SimulatedChargePoint):
    """The simulator, timing each call; client-side schema validation off (it is load)."""

    stats: Stats

    async def call(self, payload, suppress=True, unique_id=None, skip_schema_validation=True):
        action = payload.__class__.__name__
        started = time.perf_counter()
        try:
            result = await super().call(payload, suppress=True, unique_id=unique_id,
                                        skip_schema_validation=True)
        except TimeoutError:
            self.stats.drops[action] += 1
            raise
        if result is None:
            self.stats.errors[action] += 1
        else:
            self.stats.record(action, time.perf_counter() - started)
        return result


async def open_ws(url: str, cp_id: str, password: str):
    return await websockets.connect(
        f"{url}/{cp_id}", subprotocols=["ocpp1.6"], additional_headers=basic_auth_header(cp_id, password),
        open_timeout=120, ping_interval=None, close_timeout=2, max_queue=16,
    )


async def sim_connect(url: str, cp_id: str, password: str, stats: Stats) -> SimCharger:
    ws = await open_ws(url, cp_id, password)
    cp = SimCharger(cp_id, ws, SimConfig(connectors=1, meter_interval=30, heartbeat_interval=60))
    cp.stats = stats
    cp.listener = asyncio.ensure_future(cp.start())
    started = time.perf_counter()
    await cp.boot()
    cp.booted_in = time.perf_counter() - started
    await cp.report_status(0, "Available")
    await cp.report_status(1, "Available")
    return cp


async def realistic(cp: SimCharger, tag: str, until: float, tx=None):
    """Heartbeat every 60 s; about 30 % of the time charging with meter values every 30 s;
    starts, stops and status changes in between. ``tx`` is a session already running at the
    start. Phases are random, so the load is spread evenly."""
    loop = asyncio.get_running_loop()
    next_heartbeat = loop.time() + random.uniform(0, 60)
    state_until = loop.time() + (random.uniform(30, 480) if tx else random.uniform(0, 600))
    next_meter = loop.time() + random.uniform(0, 30)
    while loop.time() < until:
        now = loop.time()
        wake = min(next_heartbeat, next_meter if tx else state_until, state_until, until)
        await asyncio.sleep(max(0, wake - now))
        now = loop.time()
        if now >= until:
            break
        if now >= next_heartbeat:
            await cp.call(call.Heartbeat())
            next_heartbeat += 60
        if tx and now >= next_meter:
            await cp.send_meter_values(tx, 30)
            next_meter += 30
        if now >= state_until:
            if tx:
                await cp.stop_transaction(tx.transaction_id, "EVDisconnected")
                tx = None
                # idle ≈ 7/3 of charging time keeps ~30 % charging
                state_until = now + random.uniform(140, 1120)
            else:
                tx = await cp.start_transaction(1, tag)
                next_meter = now + 30
                state_until = now + random.uniform(60, 480)
    return tx


# -- raw client for the full-speed run ---------------------------------------------------------

_ids = itertools.count(1)
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def _ts(ms: int) -> str:
    return (BASE_TIME + timedelta(milliseconds=ms)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# Message cycles of one charger. "realistic" has the proportions of the soak's traffic
# (10,000 chargers: heartbeats 50 %, meter values 30 %, status 13 %, starts and stops 3 %
# each); "transaction-heavy" doubles the share of transaction messages.
MIXES = {
    "realistic": ["start", "Charging", *(["hb", "mv", "hb"] * 3), *(["hb", "mv"] * 6), "stop", "Finishing",
                  "Available", "Preparing"],
    "heartbeat": ["hb"],
    "transaction-heavy": ["start", "Charging", *(["mv", "mv", "hb"] * 3), "mv", "hb", "mv", "hb", "hb", "stop",
                          "Finishing"],
}


class RawCharger:
    def __init__(self, ws, cp_id: str, tag: str, stats: Stats):
        self.ws, self.cp_id, self.tag, self.stats = ws, cp_id, tag, stats
        self.meter = 1000
        self.clock = random.randint(0, 10**9)
        self.tx = None

    async def call(self, action: str, payload: dict):
        message_id = str(next(_ids))
        started = time.perf_counter()
        await self.ws.send(json.dumps([2, message_id, action, payload]))
        try:
            reply = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
        except TimeoutError:
            self.stats.drops[action] += 1
            return None
        if reply[0] != 3 or reply[1] != message_id:
            self.stats.errors[action] += 1
            return None
        self.stats.record(action, time.perf_counter() - started)
        return reply[2]

    def tick(self) -> str:
        self.clock += 1000
        return _ts(self.clock)

    async def start(self):
        answer = await self.call("StartTransaction", {"connectorId": 1, "idTag": self.tag,
                                                      "meterStart": self.meter, "timestamp": self.tick()})
        self.tx = answer["transactionId"] if answer else None

    async def stop(self):
        await self.call("StopTransaction", {"transactionId": self.tx, "meterStop": self.meter,
                                            "timestamp": self.tick(), "idTag": self.tag})
        self.tx = None

    async def meter_values(self):
        self.meter += 92
        await self.call("MeterValues", {"connectorId": 1, "transactionId": self.tx, "meterValue": [{
            "timestamp": self.tick(), "sampledValue": [
                {"value": str(self.meter), "measurand": "Energy.Active.Import.Register", "unit": "Wh",
                 "context": "Sample.Periodic"},
                {"value": "11000", "measurand": "Power.Active.Import", "unit": "W", "context": "Sample.Periodic"},
            ]}]})

    async def full_speed(self, until: float, mix: str = "realistic"):
        """Each call sent as soon as the previous one is answered, cycling through ``MIXES``."""
        loop = asyncio.get_running_loop()
        steps = MIXES[mix]
        while loop.time() < until:
            for step in steps:
                if step == "start":
                    await self.start()
                elif step == "stop":
                    await self.stop()
                elif step == "hb":
                    await self.call("Heartbeat", {})
                elif step == "mv":
                    await self.meter_values()
                else:
                    await self.status(step)
        if self.tx:
            await self.stop()

    async def status(self, status: str):
        await self.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                               "status": status, "timestamp": self.tick()})
