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
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

_publisher: LivePublisher | None = None
SEND_CONCURRENCY = 32  # live updates in flight at once (each holds a Redis connection)


def group_send_now(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a live update must never break the write that caused it
        log.exception("channel layer send to %s failed", group)


def _send(group: str, message: dict, *, coalesce: bool) -> None:
    publisher = _publisher
    if publisher is not None and publisher.alive():
        publisher.publish(group, message, coalesce=coalesce)
    else:
        group_send_now(group, message)


def group_send_on_commit(group: str, message: dict) -> None:
    """Deliver ``message`` once the transaction commits; every message counts (commands)."""
    transaction.on_commit(lambda: _send(group, message, coalesce=False))


def live_update_on_commit(group: str, message: dict) -> None:
    """A live page update after commit: newer updates of the same subject may replace it."""
    transaction.on_commit(lambda: _send(group, message, coalesce=True))


class LivePublisher:
    """Coalesces live updates and sends them from its event loop every ``interval`` s."""

    def __init__(self, loop: asyncio.AbstractEventLoop, interval: float = 0.3):
        self.loop = loop
        self.interval = interval
        self.pending: dict[tuple, tuple[str, dict]] = {}
        self._in_flight: set[asyncio.Task] = set()
        self.task = loop.create_task(self._run())

    def alive(self) -> bool:
        return not self.task.done() and not self.loop.is_closed()

    def publish(self, group: str, message: dict, *, coalesce: bool = True) -> None:
        if self.loop.is_closed():
            return
        if coalesce:
            # Only an update of the same fields replaces another: a firmware push must not
            # swallow the online flag sent a moment earlier for the same charger.
            fields = tuple(sorted(message.keys() - {"type", "event", "charger", "id", "connector"}))
            key = (group, message.get("event"), message.get("id"), message.get("connector"), fields)
            self.loop.call_soon_threadsafe(self.pending.__setitem__, key, (group, message))
        else:
            self.loop.call_soon_threadsafe(self._send_now, group, message)

    def _send_now(self, group: str, message: dict) -> None:
        task = self.loop.create_task(get_channel_layer().group_send(group, message))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _run(self):
        layer = get_channel_layer()
        while True:
            await asyncio.sleep(self.interval)
            if not self.pending:
                continue
            batch, self.pending = list(self.pending.values()), {}
            try:
                watched = await watched_groups(layer, {group for group, _message in batch})
            except Exception as exc:  # unknown: send them all, as without the check
                log.warning("could not tell which live groups are watched: %s", exc)
                watched = None
            if watched is not None:
                batch = [(group, message) for group, message in batch if group in watched]
            for start in range(0, len(batch), SEND_CONCURRENCY):
                results = await asyncio.gather(
                    *[layer.group_send(group, message) for group, message in batch[start:start + SEND_CONCURRENCY]],
                    return_exceptions=True,
                )
                failed = [r for r in results if isinstance(r, Exception)]
                if failed:
                    log.warning("%d live updates failed: %s", len(failed), failed[0])


async def watched_groups(layer, groups: set[str]) -> set[str] | None:
    """Which of ``groups`` have a member (an open page) now, or None if the layer cannot tell.

    Most live updates are for chargers and users nobody is looking at, and a group send
    costs two Redis round trips even for an empty group: one pipelined EXISTS per batch finds
    the groups worth sending to (the gateway's event loop spent a quarter of its time on
    sends to empty groups at full speed). Uses channels_redis's group keys (4.x)."""
    if not groups:
        return set()
    if isinstance(layer, InMemoryChannelLayer):
        return {group for group in groups if layer.groups.get(group)}
    if not all(hasattr(layer, name) for name in ("_group_key", "consistent_hash", "connection")):
        return None
    by_shard: dict[int, list[str]] = {}
    for group in groups:
        by_shard.setdefault(layer.consistent_hash(group), []).append(group)
    watched = set()
    for index, names in by_shard.items():
        # One command (a script) rather than a pipeline object: it is cancelled like any
        # other command when the loop shuts down.
        found = await layer.connection(index).eval(
            _EXISTS_EACH, len(names), *[layer._group_key(name) for name in names])
        watched.update(name for name, hit in zip(names, found, strict=True) if hit)
    return watched


_EXISTS_EACH = "local r = {} for i, k in ipairs(KEYS) do r[i] = redis.call('EXISTS', k) end return r"


def install_publisher(loop: asyncio.AbstractEventLoop) -> LivePublisher:
    """Route this process's live updates through a coalescing publisher on ``loop``."""
    global _publisher
    if _publisher is None or not _publisher.alive() or _publisher.loop is not loop:
        _publisher = LivePublisher(loop)
    return _publisher
