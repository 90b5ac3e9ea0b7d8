"""Channel-layer sends that happen only once the current transaction has committed.

In the gateway process a live update must not cost a Redis round trip on the database
thread for every charger message (DESIGN.md §8): there a ``LivePublisher`` is installed,
which coalesces updates (the latest per group and subject wins) and sends them from the
event loop a fraction of a second later. Elsewhere sends go out directly.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

_publisher: LivePublisher | None = None


def group_send_now(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a live update must never break the write that caused it
        log.exception("channel layer send to %s failed", group)


def _publish(group: str, message: dict) -> None:
    publisher = _publisher
    if publisher is not None and publisher.alive():
        publisher.publish(group, message)
    else:
        group_send_now(group, message)


def group_send_on_commit(group: str, message: dict) -> None:
    transaction.on_commit(lambda: _publish(group, message))


class LivePublisher:
    """Coalesces live updates and sends them from its event loop every ``interval`` s."""

    def __init__(self, loop: asyncio.AbstractEventLoop, interval: float = 0.3):
        self.loop = loop
        self.interval = interval
        self.pending: dict[tuple, tuple[str, dict]] = {}
        self.task = loop.create_task(self._run())

    def alive(self) -> bool:
        return not self.task.done() and not self.loop.is_closed()

    def publish(self, group: str, message: dict) -> None:
        key = (group, message.get("event"), message.get("id"), message.get("connector"))
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.pending.__setitem__, key, (group, message))

    async def _run(self):
        layer = get_channel_layer()
        while True:
            await asyncio.sleep(self.interval)
            if not self.pending:
                continue
            batch, self.pending = list(self.pending.values()), {}
            results = await asyncio.gather(
                *[layer.group_send(group, message) for group, message in batch], return_exceptions=True
            )
            for result in results:
                if isinstance(result, Exception):
                    log.warning("live update failed: %s", result)


def install_publisher(loop: asyncio.AbstractEventLoop) -> LivePublisher:
    """Route this process's live updates through a coalescing publisher on ``loop``."""
    global _publisher
    if _publisher is None or not _publisher.alive() or _publisher.loop is not loop:
        _publisher = LivePublisher(loop)
    return _publisher
