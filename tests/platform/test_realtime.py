"""Live updates are sent only to groups somebody watches (wccportal.lib.realtime)."""

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

from wccportal.lib.realtime import LivePublisher, watched_groups

pytestmark = pytest.mark.asyncio


def redis_layer():
    from channels_redis.core import RedisChannelLayer

    return RedisChannelLayer(hosts=[settings.REDIS_URL], prefix=f"wcctest-realtime-{id(object())}")


async def test_watched_groups_of_the_in_memory_layer():
    layer = InMemoryChannelLayer()
    await layer.group_add("live.charger.1", await layer.new_channel())
    assert await watched_groups(layer, {"live.charger.1", "live.charger.2"}) == {"live.charger.1"}
    assert await watched_groups(layer, set()) == set()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (CI has it)")
async def test_watched_groups_of_the_redis_layer():
    layer = redis_layer()
    channel = await layer.new_channel()
    await layer.group_add("live.user.7", channel)
    try:
        assert await watched_groups(layer, {"live.user.7", "live.user.8", "live.charger.9"}) == {"live.user.7"}
        await layer.group_discard("live.user.7", channel)
        assert await watched_groups(layer, {"live.user.7"}) == set()
    finally:
        await layer.flush()


async def test_a_layer_that_cannot_tell_gets_every_update():
    class Plain:
        async def group_send(self, group, message):
            pass

    assert await watched_groups(Plain(), {"live.user.1"}) is None


async def test_the_publisher_delivers_to_watched_groups_only(monkeypatch):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("live.charger.41", channel)
    sent = []
    real_send = layer.group_send

    async def counting_send(group, message):
        sent.append(group)
        await real_send(group, message)

    monkeypatch.setattr(layer, "group_send", counting_send)
    publisher = LivePublisher(asyncio.get_running_loop(), interval=0.05)
    try:
        publisher.publish("live.charger.41", {"type": "live.event", "event": "session", "id": 1, "energy_wh": 5})
        publisher.publish("live.charger.42", {"type": "live.event", "event": "session", "id": 2, "energy_wh": 6})
        message = await asyncio.wait_for(layer.receive(channel), 5)
        assert message["energy_wh"] == 5
        await asyncio.sleep(0.2)
        assert sent == ["live.charger.41"]
    finally:
        publisher.task.cancel()
        await layer.group_discard("live.charger.41", channel)
