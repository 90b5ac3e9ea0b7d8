"""The charger websocket: transport only (DESIGN.md §5).

Accepts ``ocpp1.6`` with HTTP Basic auth (security profiles 1 and 2), logs every frame raw
before parsing, answers bad frames with the OCPP-J CALLERROR and keeps the link usable,
dispatches calls to the v16 handlers, and runs commands from the channel layer as tasks
(never awaited inside a receive, or the charger's answer could not be dispatched).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
import uuid

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from chargers import services as chargers
from wccportal.lib import ocpp16

from .v16.handlers import ALLOWED_BEFORE_ACCEPTED, HANDLERS
from .writer import get_writer

log = logging.getLogger(__name__)
SUBPROTOCOL = "ocpp1.6"


def basic_auth_password(headers, charge_point_id: str) -> str | None:
    """The password of an ``Authorization: Basic`` header whose user is the charger's id."""
    for name, value in headers:
        if name.lower() != b"authorization":
            continue
        scheme, _, token = value.partition(b" ")
        if scheme.lower() != b"basic":
            return None
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        if not sep or user != charge_point_id:
            return None
        return password
    return None


class OcppConsumer(AsyncWebsocketConsumer):
    pk: int | None = None

    # -- the consumer's own loop --------------------------------------------------------------
    # Channels' generic loop creates a task and an ``asyncio.wait`` per message and hops to a
    # thread before every handler to close stale database connections (aclose_old_connections).
    # This consumer never touches the ORM on the event loop (its database work runs in the
    # writer's threads or in database_sync_to_async, which close their own connections), so
    # it reads the socket and its channel in two plain loops instead: a third of the
    # per-message cost of an idle Heartbeat (DESIGN.md §8).

    async def __call__(self, scope, receive, send):
        self.scope = scope
        self.base_send = send
        # One message at a time, as in Channels' loop: a command from the channel waits until
        # the charger's current message is answered (no SendLocalList before the boot's answer).
        self.dispatching = asyncio.Lock()
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        channel_loop = None
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            channel_loop = asyncio.ensure_future(self._channel_loop())
        try:
            while True:
                message = await receive()
                async with self.dispatching:
                    await self._dispatch(message)
        except StopConsumer:
            pass
        finally:
            if channel_loop is not None:
                channel_loop.cancel()
                await asyncio.gather(channel_loop, return_exceptions=True)

    async def _channel_loop(self):
        try:
            while True:
                message = await self.channel_layer.receive(self.channel_name)
                async with self.dispatching:
                    await self._dispatch(message)
        except (asyncio.CancelledError, StopConsumer):
            raise
        except Exception:
            # What the generic loop would do with a failing handler: end the connection.
            log.exception("%s: channel message failed", getattr(self, "charge_point_id", "?"))
            await self.close(code=1011)

    async def _dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_receive(self, message):
        text = message.get("text")
        if text is not None:
            await self.receive(text_data=text)
        else:
            await self.receive(bytes_data=message.get("bytes"))

    async def websocket_disconnect(self, message):
        await self.disconnect(message["code"])
        raise StopConsumer()

    # -- handshake ------------------------------------------------------------------------------

    async def connect(self):
        self.charge_point_id = self.scope["url_route"]["kwargs"]["charge_point_id"]
        if SUBPROTOCOL not in self.scope.get("subprotocols", []):
            log.info("refused %s: no ocpp1.6 subprotocol offered", self.charge_point_id)
            await self.close()
            return
        password = basic_auth_password(self.scope.get("headers", []), self.charge_point_id)
        # Off Channels' shared database thread: in a reconnect storm thousands of handshakes
        # must not queue behind each other there.
        auth = await database_sync_to_async(chargers.charger_authenticate, thread_sensitive=False)(
            charge_point_id=self.charge_point_id, password=password
        )
        if auth is None:
            log.info("refused %s: unknown charger or wrong password", self.charge_point_id)
            await self.close()
            return
        self.pk = auth.pk
        self.registration = auth.registration_status
        self.connection_id = uuid.uuid4().hex
        self.writer = get_writer()
        self.pending: dict[str, tuple[asyncio.Future, str]] = {}
        self.call_lock: asyncio.Lock | None = None  # made on the first command
        self.tasks: set[asyncio.Task] = set()
        # Last status stored per connector by this connection (spares a read per report).
        self.connector_status: dict[int, str] = {}
        self.group = chargers.charger_group(self.charge_point_id)
        if auth.online:
            # The newest authenticated connection wins: an older socket of this id closes.
            # (Skipped when none is known to be open: a reconnect storm sends no broadcast.)
            await self.channel_layer.group_send(
                self.group, {"type": "ocpp.replaced", "connection_id": self.connection_id}
            )
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.writer.run(chargers.charger_connected, pk=self.pk, connection_id=self.connection_id)
        await self.accept(SUBPROTOCOL)

    async def disconnect(self, code):
        if self.pk is None:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        for future, _action in self.pending.values():
            if not future.done():
                future.cancel()
        self.writer.forget(self.pk)
        # Conditional on this connection: a replaced socket's late close changes nothing.
        # Batched with everything else, so ten thousand disconnects share a few commits.
        await self.writer.run(chargers.charger_disconnected, pk=self.pk, connection_id=self.connection_id)

    # -- frames from the charger ------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        raw = text_data if text_data is not None else bytes_data
        frame = self.writer.log_frame(self.charge_point_id, "in", raw)
        try:
            msg = ocpp16.parse(raw)
        except ocpp16.OcppCallError as exc:
            await self._send_error(ocpp16.guess_message_id(raw), exc)
            return
        frame.message_type, frame.message_id = msg[0], msg[1]
        self.writer.mark_seen(self.pk)
        if msg[0] == ocpp16.CALL:
            frame.action = msg[2]
            await self._handle_call(msg[1], msg[2], msg[3])
            return
        waiting = self.pending.pop(msg[1], None)
        if waiting is None:
            log.warning("%s: answer to unknown message id %s", self.charge_point_id, msg[1])
            return
        future, action = waiting
        frame.action = action
        if msg[0] == ocpp16.CALLRESULT and action == "GetConfiguration" and isinstance(msg[2], dict):
            frame.payload = ocpp16.dumps([msg[0], msg[1], ocpp16.redact_result(action, msg[2])])
        if not future.done():
            future.set_result(msg)

    async def _handle_call(self, message_id: str, action: str, payload: dict):
        handler = HANDLERS.get(action)
        try:
            if handler is None:
                if action in ocpp16.KNOWN_BUT_UNSUPPORTED:
                    raise ocpp16.OcppCallError("NotSupported", f"{action} is not supported.")
                raise ocpp16.OcppCallError("NotImplemented", f"Unknown action {action}.")
            ocpp16.validate(action, payload)
            if self.registration != "Accepted" and action not in ALLOWED_BEFORE_ACCEPTED:
                raise ocpp16.OcppCallError("SecurityError", "The charger is not accepted (yet).")
            result = await handler(self, payload)
        except ocpp16.OcppCallError as exc:
            await self._send_error(message_id, exc, action)
            return
        except Exception:
            log.exception("%s: %s failed", self.charge_point_id, action)
            await self._send_error(
                message_id, ocpp16.OcppCallError("InternalError", "The central system failed."), action
            )
            return
        await self._send_frame(ocpp16.call_result(message_id, result), ocpp16.CALLRESULT, action, message_id)

    async def _send_error(self, message_id: str, exc: ocpp16.OcppCallError, action: str = ""):
        text = ocpp16.call_error(message_id, exc.code, exc.description, exc.details)
        await self._send_frame(text, ocpp16.CALLERROR, action, message_id)

    async def _send_frame(self, text: str, message_type: int, action: str, message_id: str, logged=None):
        frame = self.writer.log_frame(self.charge_point_id, "out", logged or text)
        frame.message_type, frame.action, frame.message_id = message_type, action, message_id
        await self.base_send({"type": "websocket.send", "text": text})

    # -- commands from the platform (channel layer) -----------------------------------------

    async def ocpp_call(self, event):
        task = asyncio.ensure_future(self._run_call(event["operation_id"], event["action"], event["payload"]))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run_call(self, operation_id: int, action: str, payload: dict):
        # OCPP allows one outstanding call per direction: commands queue here in order.
        if self.call_lock is None:
            self.call_lock = asyncio.Lock()
        async with self.call_lock:
            message_id = uuid.uuid4().hex
            future = asyncio.get_running_loop().create_future()
            self.pending[message_id] = (future, action)
            started = time.monotonic()
            logged = ocpp16.call(message_id, action, ocpp16.redact_outgoing(action, payload))
            try:
                await self._send_frame(ocpp16.call(message_id, action, payload), ocpp16.CALL, action,
                                       message_id, logged=logged)
            except Exception as exc:
                self.pending.pop(message_id, None)
                await self._operation_failed(operation_id, "failed", f"Send failed: {exc}", started)
                return
            await database_sync_to_async(chargers.operation_sent)(operation_id=operation_id, message_id=message_id)
            try:
                reply = await asyncio.wait_for(future, settings.OCPP_CALL_TIMEOUT)
            except TimeoutError:
                self.pending.pop(message_id, None)
                await self._operation_failed(operation_id, "timed_out", "No answer from the charger.", started)
                return
            except asyncio.CancelledError:
                await self._operation_failed(operation_id, "failed", "The charger disconnected.", started)
                return
        latency = int((time.monotonic() - started) * 1000)
        if reply[0] == ocpp16.CALLERROR:
            detail = f"{reply[2]}: {reply[3] if len(reply) > 3 else ''}"
            await self._operation_failed(operation_id, "failed", detail, started)
            return
        try:
            ocpp16.validate(action, reply[2], response=True)
        except ocpp16.OcppCallError as exc:
            await self._operation_failed(operation_id, "failed", f"Invalid answer: {exc.description}", started)
            return
        await database_sync_to_async(chargers.operation_complete)(
            operation_id=operation_id, response=reply[2], latency_ms=latency
        )

    async def _operation_failed(self, operation_id, status, error, started):
        await database_sync_to_async(chargers.operation_failed)(
            operation_id=operation_id, status=status, error=error,
            latency_ms=int((time.monotonic() - started) * 1000),
        )

    async def ocpp_replaced(self, event):
        if event["connection_id"] != self.connection_id:
            log.info("%s: replaced by a newer connection", self.charge_point_id)
            await self.close(code=4000)
