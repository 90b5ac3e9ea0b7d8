"""Simulated OCPP 1.6-J charge points, built on the ``ocpp`` package as a *client*.

Each simulated charger connects with HTTP Basic auth, boots, reports its connectors,
sends heartbeats, and (optionally) plays sessions: plug in, Authorize an RFID card,
StartTransaction, MeterValues on a realistic power curve (constant power until ~80 % state
of charge, then tapering), StopTransaction, unplug. It answers every command the platform
can send. Used by the README's run command, the end-to-end tests and the benchmark.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as OcppChargePoint
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

log = logging.getLogger("simulator")


def utcnow_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Transaction:
    transaction_id: int
    connector_id: int
    id_tag: str
    meter_start: int
    energy_wh: float = 0.0
    soc: float = 20.0


@dataclass
class Reservation:
    """A ReserveNow the charger accepted: kept until used, cancelled or expired."""

    reservation_id: int
    connector_id: int  # 0: any connector of the charger
    id_tag: str
    expiry: datetime
    parent_id_tag: str | None = None


@dataclass
class SimConfig:
    vendor: str = "WCC Sim"
    model: str = "SimBox 22"
    firmware: str = "1.0.0"
    connectors: int = 2
    max_power_w: float = 11000.0
    battery_wh: float = 60000.0
    meter_interval: float = 30.0
    heartbeat_interval: float | None = None  # None: as the platform says at boot
    time_scale: float = 1.0  # >1 makes energy accrue faster than wall time (demos)
    # Send SecurityEventNotification "StartupOfTheDevice" once after the first boot (demos).
    # Off by default: the benchmark runs the simulator and counts its messages.
    security_events: bool = False
    configuration: dict = field(default_factory=lambda: {
        "HeartbeatInterval": "300", "MeterValueSampleInterval": "30", "LedBrightness": "80",
        "FreeCharging": "false", "AuthorizationKey": "", "LocalAuthListEnabled": "true",
    })


class SimulatedChargePoint(OcppChargePoint):
    def __init__(self, charge_point_id: str, connection, config: SimConfig):
        super().__init__(charge_point_id, connection, response_timeout=30)
        self.config = config
        self.meter_wh = random.randint(100_000, 900_000)
        self.transactions: dict[int, Transaction] = {}
        self.local_list_version = 0
        self.local_list: dict[str, dict] = {}  # lower-cased idTag → entry (snake_case keys)
        self.local_list_updates: list[tuple[str, int, list]] = []  # every SendLocalList received
        self.local_list_answer: str | None = None  # force an answer (e.g. "NotSupported")
        self.heartbeat_interval = 60
        self.tasks: set[asyncio.Task] = set()
        self.boot_status = None
        self.answered: list[str] = []
        self.connector_status: dict[int, str] = {}  # last status reported per connector
        self.reservations: dict[int, Reservation] = {}  # reservationId → reservation
        self.reservation_timers: dict[int, asyncio.Task] = {}  # reservationId → its expiry
        self.diagnostics_uploads: list[tuple[str, int | str]] = []  # (url, HTTP status or error) per upload
        self.diagnostics_delay = 0.1  # seconds before an upload starts (tests lengthen it)

    def _spawn(self, coro):
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    # -- messages the charger sends -------------------------------------------------------

    async def boot(self):
        response = await self.call(call.BootNotification(
            charge_point_model=self.config.model, charge_point_vendor=self.config.vendor,
            firmware_version=self.config.firmware, charge_point_serial_number=f"SN-{self.id}",
            meter_type="SimMeter", iccid="8949000000000000001", imsi="262010000000001",
        ))
        self.boot_status = response.status
        self.heartbeat_interval = self.config.heartbeat_interval or response.interval
        return response

    async def report_status(self, connector_id: int, status: str, error_code: str = "NoError"):
        self.connector_status[connector_id] = status
        await self.call(call.StatusNotification(
            connector_id=connector_id, error_code=error_code, status=status, timestamp=utcnow_iso()
        ))

    async def heartbeat_loop(self):
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            await self.call(call.Heartbeat())

    async def authorize(self, id_tag: str) -> str:
        response = await self.call(call.Authorize(id_tag=id_tag))
        return response.id_tag_info["status"]

    async def start_transaction(self, connector_id: int, id_tag: str) -> Transaction | None:
        if self.blocked_by_reservation(connector_id, id_tag):
            return None  # a reservation holds it for another tag: the charger does not start
        reservation = self.reservation_for(connector_id, id_tag)
        if reservation is not None:
            self._forget_reservation(reservation.reservation_id)  # used up by its holder
        await self.report_status(connector_id, "Preparing")
        response = await self.call(call.StartTransaction(
            connector_id=connector_id, id_tag=id_tag, meter_start=int(self.meter_wh), timestamp=utcnow_iso(),
            reservation_id=reservation.reservation_id if reservation else None,
        ))
        if response.id_tag_info["status"] != "Accepted":
            await self.call(call.StopTransaction(
                meter_stop=int(self.meter_wh), timestamp=utcnow_iso(),
                transaction_id=response.transaction_id, reason="DeAuthorized", id_tag=id_tag,
            ))
            await self.report_status(connector_id, "Available")
            return None
        tx = Transaction(response.transaction_id, connector_id, id_tag, int(self.meter_wh),
                         soc=random.uniform(15, 50))
        self.transactions[tx.transaction_id] = tx
        await self.report_status(connector_id, "Charging")
        return tx

    def power_w(self, tx: Transaction) -> float:
        if tx.soc >= 100:
            return 0.0
        if tx.soc < 80:
            return self.config.max_power_w * random.uniform(0.97, 1.0)
        return self.config.max_power_w * max(0.05, (100 - tx.soc) / 20)

    async def send_meter_values(self, tx: Transaction, seconds: float):
        power = self.power_w(tx)
        energy = power * seconds * self.config.time_scale / 3600
        tx.energy_wh += energy
        tx.soc = min(100.0, tx.soc + energy / self.config.battery_wh * 100)
        self.meter_wh += energy
        await self.call(call.MeterValues(
            connector_id=tx.connector_id, transaction_id=tx.transaction_id,
            meter_value=[{
                "timestamp": utcnow_iso(),
                "sampledValue": [
                    {"value": str(int(self.meter_wh)), "context": "Sample.Periodic",
                     "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                    {"value": f"{power:.0f}", "context": "Sample.Periodic",
                     "measurand": "Power.Active.Import", "unit": "W"},
                    {"value": f"{tx.soc:.0f}", "context": "Sample.Periodic", "measurand": "SoC",
                     "unit": "Percent"},
                    *[{"value": f"{power / 3 / 230:.1f}", "context": "Sample.Periodic",
                       "measurand": "Current.Import", "unit": "A", "phase": phase}
                      for phase in ("L1", "L2", "L3")],
                ],
            }],
        ))

    async def stop_transaction(self, transaction_id: int, reason: str = "Local"):
        tx = self.transactions.pop(transaction_id, None)
        if tx is None:
            return None
        response = await self.call(call.StopTransaction(
            meter_stop=int(self.meter_wh), timestamp=utcnow_iso(), transaction_id=transaction_id,
            reason=reason, id_tag=tx.id_tag,
        ))
        await self.report_status(tx.connector_id, "Finishing")
        await self.report_status(tx.connector_id, "Available")
        return response

    async def charge(self, connector_id: int, id_tag: str, samples: int, interval: float):
        """One whole session: authorize, start, ``samples`` meter values, stop."""
        if await self.authorize(id_tag) != "Accepted":
            return None
        tx = await self.start_transaction(connector_id, id_tag)
        if tx is None:
            return None
        for _ in range(samples):
            await asyncio.sleep(interval)
            if tx.transaction_id not in self.transactions:
                return tx  # stopped remotely
            await self.send_meter_values(tx, interval)
        await self.stop_transaction(tx.transaction_id, "EVDisconnected")
        return tx

    async def metering_loop(self):
        while True:
            await asyncio.sleep(self.config.meter_interval)
            for tx in list(self.transactions.values()):
                await self.send_meter_values(tx, self.config.meter_interval)

    # -- commands from the platform (OPS-1) --------------------------------------------------

    def _free_connector(self, id_tag: str | None = None) -> int:
        busy = {tx.connector_id for tx in self.transactions.values()}
        free = [c for c in range(1, self.config.connectors + 1)
                if c not in busy and not (id_tag and self.blocked_by_reservation(c, id_tag))]
        return free[0] if free else 0

    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag, connector_id=None, charging_profile=None, **kwargs):
        connector = connector_id or self._free_connector(id_tag)
        if not connector or connector in {tx.connector_id for tx in self.transactions.values()}:
            return call_result.RemoteStartTransaction(status="Rejected")
        if self.blocked_by_reservation(connector, id_tag):
            return call_result.RemoteStartTransaction(status="Rejected")
        self._spawn(self.start_transaction(connector, id_tag))
        return call_result.RemoteStartTransaction(status="Accepted")

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id, **kwargs):
        if transaction_id not in self.transactions:
            return call_result.RemoteStopTransaction(status="Rejected")
        self._spawn(self.stop_transaction(transaction_id, "Remote"))
        return call_result.RemoteStopTransaction(status="Accepted")

    @on(Action.reset)
    def on_reset(self, type, **kwargs):
        self._spawn(self._after_reset())
        return call_result.Reset(status="Accepted")

    async def _after_reset(self):
        await asyncio.sleep(0.2)
        for tx_id in list(self.transactions):
            await self.stop_transaction(tx_id, "SoftReset")
        await self.boot()

    @on(Action.change_availability)
    def on_change_availability(self, connector_id, type, **kwargs):
        status = "Available" if type == "Operative" else "Unavailable"
        self._spawn(self.report_status(connector_id, status))
        return call_result.ChangeAvailability(status="Accepted")

    @on(Action.change_configuration)
    def on_change_configuration(self, key, value, **kwargs):
        if key not in self.config.configuration:
            return call_result.ChangeConfiguration(status="NotSupported")
        self.config.configuration[key] = value
        return call_result.ChangeConfiguration(status="Accepted")

    @on(Action.get_configuration)
    def on_get_configuration(self, key=None, **kwargs):
        keys = key or list(self.config.configuration)
        known = [{"key": k, "readonly": False, "value": self.config.configuration[k]}
                 for k in keys if k in self.config.configuration]
        unknown = [k for k in keys if k not in self.config.configuration]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @on(Action.get_diagnostics)
    def on_get_diagnostics(self, location, start_time=None, stop_time=None, **kwargs):
        file_name = f"diagnostics-{self.id}-{datetime.now(UTC):%Y%m%d-%H%M%S}.log"
        self._spawn(self._diagnostics(location, file_name, start_time, stop_time))
        return call_result.GetDiagnostics(file_name=file_name)

    async def _diagnostics(self, location: str, file_name: str, start_time=None, stop_time=None):
        await asyncio.sleep(self.diagnostics_delay)
        if not location.lower().startswith(("http://", "https://")):
            # Other schemes (ftp:…) are not really uploaded: progress is only reported.
            for status in ("Uploading", "Uploaded"):
                await self.call(call.DiagnosticsStatusNotification(status=status))
                await asyncio.sleep(0.1)
            return
        await self.call(call.DiagnosticsStatusNotification(status="Uploading"))
        url = location + file_name if location.endswith("/") else location
        body = self.diagnostics_log(start_time, stop_time)
        try:
            code = await asyncio.to_thread(_http_put, url, body)
        except urllib.error.HTTPError as exc:
            code = exc.code
        except urllib.error.URLError as exc:
            code = type(exc.reason).__name__ if isinstance(exc.reason, Exception) else str(exc.reason)
        except (OSError, ValueError) as exc:
            code = type(exc).__name__
        self.diagnostics_uploads.append((url, code))
        ok = isinstance(code, int) and 200 <= code < 300
        await self.call(call.DiagnosticsStatusNotification(status="Uploaded" if ok else "UploadFailed"))

    def diagnostics_log(self, start_time=None, stop_time=None) -> bytes:
        """A plausible diagnostics log of a few KB: boot, configuration, connectors, sessions."""
        now = datetime.now(UTC)
        lines = [
            f"# {self.config.vendor} {self.config.model} diagnostics log",
            f"# charge point {self.id}, firmware {self.config.firmware}, written {now:%Y-%m-%dT%H:%M:%SZ}",
            f"# period {start_time or 'start'} .. {stop_time or 'now'}",
        ]
        lines += [f"CONFIG {key}={value}" for key, value in sorted(self.config.configuration.items())
                  if key != "AuthorizationKey"]
        lines += [f"CONNECTOR {c} status={status}" for c, status in sorted(self.connector_status.items())]
        events = ("INFO  websocket connected", "INFO  BootNotification accepted", "INFO  Heartbeat ok",
                  "INFO  RFID card read", "INFO  relay closed", "DEBUG meter sample {wh} Wh",
                  "INFO  relay opened", "WARN  grid voltage L2 {volt} V", "INFO  Heartbeat ok")
        for i in range(80):
            at = now.timestamp() - (80 - i) * 37
            line = events[i % len(events)].format(wh=int(self.meter_wh) - (80 - i) * 11,
                                                  volt=round(random.uniform(226, 244), 1))
            lines.append(f"{datetime.fromtimestamp(at, UTC):%Y-%m-%dT%H:%M:%SZ} {line}")
        return ("\n".join(lines) + "\n").encode()

    async def security_event(self, type: str, tech_info: str | None = None):
        """Send a SecurityEventNotification (OCPP 1.6 security extension)."""
        return await self.call(call.SecurityEventNotification(type=type, timestamp=utcnow_iso(), tech_info=tech_info))

    @on(Action.unlock_connector)
    def on_unlock(self, connector_id, **kwargs):
        return call_result.UnlockConnector(status="Unlocked")

    @on(Action.trigger_message)
    def on_trigger(self, requested_message, connector_id=None, **kwargs):
        senders = {
            "BootNotification": self.boot,
            "Heartbeat": lambda: self.call(call.Heartbeat()),
            "StatusNotification": lambda: self.report_status(connector_id or 0, "Available"),
            "DiagnosticsStatusNotification": lambda: self.call(call.DiagnosticsStatusNotification(status="Idle")),
            "FirmwareStatusNotification": lambda: self.call(call.FirmwareStatusNotification(status="Idle")),
        }
        sender = senders.get(requested_message)
        if sender is None:
            return call_result.TriggerMessage(status="NotImplemented")
        self._spawn(self._later(sender))
        return call_result.TriggerMessage(status="Accepted")

    async def _later(self, sender):
        await asyncio.sleep(0.05)
        await sender()

    @on(Action.update_firmware)
    def on_update_firmware(self, location, retrieve_date, **kwargs):
        self._spawn(self._firmware(location))
        return call_result.UpdateFirmware()

    async def _firmware(self, location):
        for status in ("Downloading", "Downloaded", "Installing", "Installed"):
            await asyncio.sleep(0.1)
            await self.call(call.FirmwareStatusNotification(status=status))
        self.config.firmware = location.rsplit("/", 1)[-1][:50] or self.config.firmware
        await self.boot()

    # -- reservations (OCPP 1.6 Reservation profile) ----------------------------------------

    def _live_reservations(self) -> list[Reservation]:
        now = datetime.now(UTC)
        return [r for r in self.reservations.values() if r.expiry > now]

    def _connector_free(self, connector_id: int, ignore_reservation: int | None = None) -> bool:
        """Available: no transaction, no state of use, fault or unavailability, no reservation."""
        if connector_id in {tx.connector_id for tx in self.transactions.values()}:
            return False
        if self.connector_status.get(connector_id, "Available") not in ("Available", "Reserved"):
            return False
        return not any(r.connector_id == connector_id and r.reservation_id != ignore_reservation
                       for r in self._live_reservations())

    def reservation_for(self, connector_id: int, id_tag: str) -> Reservation | None:
        """The reservation this tag would use by starting on this connector."""
        for reservation in self._live_reservations():
            if reservation.id_tag.lower() == id_tag.lower() and reservation.connector_id in (0, connector_id):
                return reservation
        return None

    def blocked_by_reservation(self, connector_id: int, id_tag: str) -> bool:
        """Whether a reservation for another tag keeps this tag from starting here: the
        reserved connector itself, or the last free connector while the whole charger
        (connector 0) is reserved."""
        if self.reservation_for(connector_id, id_tag) is not None:
            return False
        others = self._live_reservations()
        if any(r.connector_id == connector_id for r in others):
            return True
        whole = [r for r in others if r.connector_id == 0]
        if whole:
            still_free = [c for c in range(1, self.config.connectors + 1)
                          if c != connector_id and self._connector_free(c)]
            return len(still_free) < len(whole)
        return False

    def _reservation_answer(self, connector_id: int, reservation_id: int) -> str:
        if connector_id > self.config.connectors:
            return "Rejected"
        if connector_id == 0:
            if self.config.configuration.get("ReserveConnectorZeroSupported", "true").lower() != "true":
                return "Rejected"
            connectors = range(1, self.config.connectors + 1)
        else:
            connectors = [connector_id]
        whole = self.connector_status.get(0, "Available")
        if whole in ("Faulted", "Unavailable"):
            return whole
        free = [c for c in connectors if self._connector_free(c, ignore_reservation=reservation_id)]
        # Each reservation of the whole charger keeps one connector free.
        wanted = 1
        if connector_id == 0:
            wanted += sum(1 for r in self._live_reservations()
                          if r.connector_id == 0 and r.reservation_id != reservation_id)
        if len(free) >= wanted:
            return "Accepted"
        statuses = {self.connector_status.get(c, "Available") for c in connectors}
        # Occupied: in use or reserved for someone else; then a fault; then unavailable.
        if statuses - {"Faulted", "Unavailable"}:
            return "Occupied"
        return "Faulted" if "Faulted" in statuses else "Unavailable"

    @on(Action.reserve_now)
    def on_reserve_now(self, connector_id, expiry_date, id_tag, reservation_id, parent_id_tag=None, **kwargs):
        status = self._reservation_answer(connector_id, reservation_id)
        if status == "Accepted":
            expiry = datetime.fromisoformat(expiry_date.replace("Z", "+00:00"))
            # The same reservationId again replaces the reservation (OCPP 1.6 §5.13).
            self._forget_reservation(reservation_id)
            self.reservations[reservation_id] = Reservation(reservation_id, connector_id, id_tag, expiry,
                                                            parent_id_tag)
            if connector_id:
                self._spawn(self._later(lambda: self.report_status(connector_id, "Reserved")))
            self.reservation_timers[reservation_id] = self._spawn(self._expire_reservation(reservation_id, expiry))
        return call_result.ReserveNow(status=status)

    def _forget_reservation(self, reservation_id: int) -> Reservation | None:
        timer = self.reservation_timers.pop(reservation_id, None)
        if timer is not None:
            timer.cancel()
        return self.reservations.pop(reservation_id, None)

    async def _expire_reservation(self, reservation_id: int, expiry: datetime):
        await asyncio.sleep(max(0.0, (expiry - datetime.now(UTC)).total_seconds()))
        self.reservation_timers.pop(reservation_id, None)  # this task: done waiting, not to be cancelled
        reservation = self.reservations.get(reservation_id)
        if reservation is not None and reservation.expiry == expiry:
            await self._release(reservation)

    async def _release(self, reservation: Reservation):
        self._forget_reservation(reservation.reservation_id)
        connector = reservation.connector_id
        if connector and self.connector_status.get(connector) == "Reserved":
            await self.report_status(connector, "Available")

    @on(Action.cancel_reservation)
    def on_cancel_reservation(self, reservation_id, **kwargs):
        reservation = self.reservations.get(reservation_id)
        if reservation is None or reservation not in self._live_reservations():
            return call_result.CancelReservation(status="Rejected")
        self._forget_reservation(reservation_id)
        self._spawn(self._later(lambda: self._release(reservation)))
        return call_result.CancelReservation(status="Accepted")

    @on(Action.clear_cache)
    def on_clear_cache(self, **kwargs):
        return call_result.ClearCache(status="Accepted")

    @on(Action.send_local_list)
    def on_send_local_list(self, list_version, update_type, local_authorization_list=None, **kwargs):
        """Keep the list like a real charger: Full replaces it, Differential changes it (an
        entry without idTagInfo is removed) and must carry a newer version."""
        self.local_list_updates.append((update_type, list_version, local_authorization_list or []))
        if self.local_list_answer:
            return call_result.SendLocalList(status=self.local_list_answer)
        if update_type == "Differential" and list_version <= self.local_list_version:
            return call_result.SendLocalList(status="VersionMismatch")
        if update_type == "Full":
            self.local_list = {}
        for entry in local_authorization_list or []:
            self.local_list.pop(entry["id_tag"].lower(), None)
            if entry.get("id_tag_info") is not None:
                self.local_list[entry["id_tag"].lower()] = entry
        self.local_list_version = list_version
        return call_result.SendLocalList(status="Accepted")

    @on(Action.get_local_list_version)
    def on_get_local_list_version(self, **kwargs):
        return call_result.GetLocalListVersion(list_version=self.local_list_version)

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id, cs_charging_profiles, **kwargs):
        return call_result.SetChargingProfile(status="Accepted")

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **kwargs):
        return call_result.ClearChargingProfile(status="Accepted")

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(self, connector_id, duration, **kwargs):
        return call_result.GetCompositeSchedule(status="Rejected")

    @on(Action.data_transfer)
    def on_data_transfer(self, vendor_id, **kwargs):
        return call_result.DataTransfer(status="UnknownVendorId")


def _http_put(url: str, body: bytes) -> int:
    """Upload ``body`` to an http(s) ``url`` (the caller checked the scheme)."""
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    request = urllib.request.Request(url, data=body, method="PUT", headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status


def basic_auth_header(charge_point_id: str, password: str) -> dict:
    token = base64.b64encode(f"{charge_point_id}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def connect(url: str, charge_point_id: str, password: str, **kwargs):
    return await websockets.connect(
        f"{url.rstrip('/')}/{charge_point_id}", subprotocols=["ocpp1.6"],
        additional_headers=basic_auth_header(charge_point_id, password), open_timeout=30,
        ping_interval=None, **kwargs,
    )


async def run_charger(url: str, charge_point_id: str, password: str, config: SimConfig,
                      id_tags: list[str] | None = None, session_every: float | None = None,
                      stop: asyncio.Event | None = None):
    """Keep one simulated charger connected (reconnecting) until ``stop`` is set."""
    stop = stop or asyncio.Event()
    started = False
    while not stop.is_set():
        try:
            async with await connect(url, charge_point_id, password) as ws:
                cp = SimulatedChargePoint(charge_point_id, ws, config)
                listener = asyncio.ensure_future(cp.start())
                await cp.boot()
                # The event comes before the connectors' status, so that whoever waits for the
                # last StatusNotification knows whether it was sent.
                if config.security_events and not started:
                    await cp.security_event("StartupOfTheDevice", f"Power on, firmware {config.firmware}")
                for connector in range(0, config.connectors + 1):
                    await cp.report_status(connector, "Available")
                started = True
                cp._spawn(cp.heartbeat_loop())
                cp._spawn(cp.metering_loop())
                if id_tags and session_every:
                    cp._spawn(_play_sessions(cp, id_tags, session_every))
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait({listener, stopper}, return_when=asyncio.FIRST_COMPLETED)
                for task in [*cp.tasks, listener, stopper]:
                    task.cancel()
        except (OSError, websockets.exceptions.WebSocketException) as exc:
            log.info("%s: connection lost (%s); retrying", charge_point_id, exc)
        if not stop.is_set():
            await asyncio.sleep(2)


async def _play_sessions(cp: SimulatedChargePoint, id_tags: list[str], every: float):
    while True:
        await asyncio.sleep(random.uniform(every * 0.5, every * 1.5))
        connector = cp._free_connector()
        if connector:
            samples = random.randint(4, 12)
            await cp.charge(connector, random.choice(id_tags), samples, cp.config.meter_interval)
