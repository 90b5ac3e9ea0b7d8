"""OCPP 1.6 handlers for what a charger sends: translate, call one service, translate back.

Each runs inside the gateway's group commit (``ctx.writer``), so its answer is sent only
after its data is committed. None awaits an outgoing call (DESIGN.md §5).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from chargers import security_events
from chargers import services as chargers
from sessions_app import services as sessions


def now_iso() -> str:
    return timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def boot_notification(ctx, payload: dict) -> dict:
    status = await ctx.writer.run(chargers.charger_boot, pk=ctx.pk, payload=payload)
    ctx.registration = status
    return {"status": status, "currentTime": now_iso(), "interval": settings.OCPP_HEARTBEAT_INTERVAL}


async def heartbeat(ctx, payload: dict) -> dict:
    ctx.writer.mark_seen(ctx.pk, heartbeat=True)  # written in bulk, not per heartbeat
    return {"currentTime": now_iso()}


async def status_notification(ctx, payload: dict) -> dict:
    connector = payload["connectorId"]
    applied = await ctx.writer.run(sessions.status_notification, charge_point_pk=ctx.pk, payload=payload,
                                   previous=ctx.connector_status.get(connector))
    if applied:
        ctx.connector_status[connector] = payload["status"]
    return {}


async def authorize(ctx, payload: dict) -> dict:
    return await ctx.writer.run(sessions.tag_authorize, charge_point_pk=ctx.pk, id_tag=payload["idTag"])


async def start_transaction(ctx, payload: dict) -> dict:
    return await ctx.writer.run(sessions.session_start, charge_point_pk=ctx.pk, payload=payload)


async def stop_transaction(ctx, payload: dict) -> dict:
    return await ctx.writer.run(sessions.session_stop, charge_point_pk=ctx.pk, payload=payload)


async def meter_values(ctx, payload: dict) -> dict:
    await ctx.writer.meter_values(ctx.pk, payload)
    return {}


async def data_transfer(ctx, payload: dict) -> dict:
    # The frame log keeps the message; no vendor extension is registered on this platform.
    return {"status": "UnknownVendorId"}


async def diagnostics_status_notification(ctx, payload: dict) -> dict:
    await ctx.writer.run(chargers.charger_diagnostics_status, pk=ctx.pk, status=payload["status"])
    return {}


async def security_event_notification(ctx, payload: dict) -> dict:
    # OCPP 1.6 security extension (CP-10): kept for the charger logs, answered empty.
    await ctx.writer.run(security_events.security_event_record, pk=ctx.pk, payload=payload)
    return {}


async def firmware_status_notification(ctx, payload: dict) -> dict:
    await ctx.writer.run(chargers.charger_firmware_status, pk=ctx.pk, status=payload["status"])
    return {}


HANDLERS = {
    "BootNotification": boot_notification,
    "Heartbeat": heartbeat,
    "StatusNotification": status_notification,
    "Authorize": authorize,
    "StartTransaction": start_transaction,
    "StopTransaction": stop_transaction,
    "MeterValues": meter_values,
    "DataTransfer": data_transfer,
    "DiagnosticsStatusNotification": diagnostics_status_notification,
    "FirmwareStatusNotification": firmware_status_notification,
    "SecurityEventNotification": security_event_notification,
}

# Until BootNotification is accepted a charger may only boot and keep the link alive.
ALLOWED_BEFORE_ACCEPTED = frozenset({"BootNotification", "Heartbeat"})
