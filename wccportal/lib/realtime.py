"""Channel-layer sends that happen only once the current transaction has committed."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def group_send_now(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a live update must never break the write that caused it
        log.exception("channel layer send to %s failed", group)


def group_send_on_commit(group: str, message: dict) -> None:
    transaction.on_commit(lambda: group_send_now(group, message))
