"""The `/ws/live/` websocket: pushes live updates to signed-in portal and app pages.

A page is subscribed to its user's group (``live.user.<id>``: notifications, own sessions)
and may subscribe to chargers it is allowed to see (``live.charger.<pk>``: status, power).
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = [f"live.user.{user.pk}"]
        await self.channel_layer.group_add(self.groups_joined[0], self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("subscribe") == "charger":
            pk = await self._charger_pk(str(content.get("id", "")))
            if pk is None:
                await self.send_json({"error": "not_found"})
                return
            group = f"live.charger.{pk}"
            if group not in self.groups_joined:
                self.groups_joined.append(group)
                await self.channel_layer.group_add(group, self.channel_name)
            await self.send_json({"subscribed": content.get("id")})

    @database_sync_to_async
    def _charger_pk(self, charge_point_id):
        from chargers.selectors import charger_get_for_user

        try:
            return charger_get_for_user(self.scope["user"], charge_point_id).pk
        except Http404:
            return None

    async def live_event(self, message):
        await self.send_json({k: v for k, v in message.items() if k != "type"})
